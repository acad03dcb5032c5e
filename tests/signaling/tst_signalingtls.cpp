// wss://: the server serves TLS with --tls-cert/--tls-key; the client verifies certificates and
// accepts a self-signed one only when told to trust exactly that certificate.
#include "signaling/SignalingClient.h"
#include "signaling/SignalingServer.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace confab;

namespace {
constexpr int kTimeoutMs = 10000;
const QString kCertificate = QStringLiteral(CONFAB_FIXTURES "/server-cert.pem");
const QString kKey = QStringLiteral(CONFAB_FIXTURES "/server-key.pem");

QByteArray readFile(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
}  // namespace

class TestSignalingTls : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;

private Q_SLOTS:
    void init() {
        SignalingServerOptions options;
        options.port = 0;
        options.tlsCertificateFile = kCertificate;
        options.tlsKeyFile = kKey;
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
        QCOMPARE(server_->url().scheme(), QStringLiteral("wss"));
    }
    void cleanup() { server_.reset(); }

    void untrustedCertificateIsRefusedWithAReason() {
        SignalingClient client;
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        client.connectToServer(server_->url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::Reconnecting, kTimeoutMs);
        QVERIFY2(states.last().at(1).toString().contains(QStringLiteral("certificate")),
                 qPrintable(states.last().at(1).toString()));
        QCOMPARE(server_->onlineCount(), 0);
    }

    void trustedCertificateSignsIn() {
        SignalingClient client;
        client.setTrustedCertificate(readFile(kCertificate));
        client.connectToServer(server_->url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QCOMPARE(server_->onlineCount(), 1);
    }

    void aDifferentTrustedCertificateDoesNotHelp() {
        // Trusting some other certificate (same name, different key) must not accept this server's.
        const QByteArray other = readFile(QStringLiteral(CONFAB_FIXTURES "/other-cert.pem"));
        QVERIFY(other.startsWith("-----BEGIN CERTIFICATE-----"));
        SignalingClient client;
        client.setTrustedCertificate(other);
        client.connectToServer(server_->url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::Reconnecting, kTimeoutMs);
        QCOMPARE(server_->onlineCount(), 0);
    }

    void missingKeyIsAClearStartError() {
        SignalingServerOptions options;
        options.port = 0;
        options.tlsCertificateFile = kCertificate;
        SignalingServer server(options);
        QString error;
        QVERIFY(!server.start(&error));
        QVERIFY(error.contains(QStringLiteral("TLS")));
    }
};

QTEST_GUILESS_MAIN(TestSignalingTls)
#include "tst_signalingtls.moc"
