// SPDX-License-Identifier: GPL-3.0-or-later
// wss://: the server serves TLS with --tls-cert/--tls-key; the client verifies certificates and
// accepts a self-signed one only when told to trust exactly that certificate. One it does not
// trust is refused, reported with its fingerprint (for the user to decide) and not retried.
#include "signaling/SignalingClient.h"
#include "signaling/SignalingServer.h"

#include <QCryptographicHash>
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

// SHA-256 over the DER inside a PEM file, as `openssl x509 -noout -fingerprint -sha256` prints it,
// worked out here without GLib so that it checks the client's own reading of the certificate.
QString fingerprintOfFile(const QString &path) {
    QByteArray base64;
    for (const QByteArray &line : readFile(path).split('\n')) {
        if (!line.startsWith("-----")) {
            base64 += line.trimmed();
        }
    }
    const QByteArray der = QByteArray::fromBase64(base64);
    return QString::fromLatin1(
        QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex(':').toUpper());
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

    void untrustedCertificateIsRefusedAndReportedOnce() {
        SignalingClient client;
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        QSignalSpy untrusted(&client, &SignalingClient::untrustedCertificate);
        client.connectToServer(server_->url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(untrusted.size(), 1, kTimeoutMs);
        // Not retried: the same certificate would be refused again. The user decides first.
        QCOMPARE(client.state(), SignalingClient::State::Disconnected);
        QVERIFY2(states.last().at(1).toString().contains(QStringLiteral("certificate")),
                 qPrintable(states.last().at(1).toString()));
        QCOMPARE(server_->onlineCount(), 0);

        const auto certificate = untrusted.at(0).at(0).value<ServerCertificate>();
        QCOMPARE(untrusted.at(0).at(1).toBool(), false);  // nothing was trusted before
        QCOMPARE(certificate.sha256Fingerprint, fingerprintOfFile(kCertificate));
        QVERIFY(states.last().at(1).toString().contains(certificate.sha256Fingerprint));
        QVERIFY2(certificate.subject.contains(QStringLiteral("CN=127.0.0.1")),
                 qPrintable(certificate.subject));
        QVERIFY(certificate.notBefore.isValid() && certificate.notBefore < QDateTime::currentDateTimeUtc());
        QVERIFY(certificate.notAfter > QDateTime::currentDateTimeUtc().addYears(50));  // made for 100 years
        QVERIFY(!certificate.problems.isEmpty());  // self-signed: no authority this machine knows
        QCOMPARE(ServerCertificate::fingerprintOfPem(certificate.pem), certificate.sha256Fingerprint);

        // The user trusts what was shown: pinned, the next connection signs in.
        client.setTrustedCertificate(certificate.pem);
        client.connectToServer(server_->url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QCOMPARE(untrusted.size(), 1);
    }

    void trustedCertificateSignsIn() {
        SignalingClient client;
        QSignalSpy untrusted(&client, &SignalingClient::untrustedCertificate);
        client.setTrustedCertificate(readFile(kCertificate));
        client.connectToServer(server_->url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QCOMPARE(server_->onlineCount(), 1);
        QCOMPARE(untrusted.size(), 0);
    }

    void aDifferentCertificateFromTheTrustedOneIsRefusedAsChanged() {
        // Trusting some other certificate (same name, different key) must not accept this server's:
        // to the client, the server's certificate changed since it was trusted.
        const QByteArray other = readFile(QStringLiteral(CONFAB_FIXTURES "/other-cert.pem"));
        QVERIFY(other.startsWith("-----BEGIN CERTIFICATE-----"));
        QVERIFY(fingerprintOfFile(QStringLiteral(CONFAB_FIXTURES "/other-cert.pem")) !=
                fingerprintOfFile(kCertificate));
        SignalingClient client;
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        QSignalSpy untrusted(&client, &SignalingClient::untrustedCertificate);
        client.setTrustedCertificate(other);
        client.connectToServer(server_->url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(untrusted.size(), 1, kTimeoutMs);
        QCOMPARE(client.state(), SignalingClient::State::Disconnected);
        QCOMPARE(server_->onlineCount(), 0);
        QCOMPARE(untrusted.at(0).at(1).toBool(), true);
        QCOMPARE(untrusted.at(0).at(0).value<ServerCertificate>().sha256Fingerprint,
                 fingerprintOfFile(kCertificate));
        QVERIFY2(states.last().at(1).toString().contains(QStringLiteral("different certificate")),
                 qPrintable(states.last().at(1).toString()));
        QCOMPARE(client.trustedCertificate(), other);  // the trust is not changed behind the user's back
    }

    void plainWebSocketNeverAsksAboutCertificates() {
        SignalingServerOptions options;
        options.port = 0;
        SignalingServer plain(options);
        QString error;
        QVERIFY2(plain.start(&error), qPrintable(error));
        SignalingClient client;
        QSignalSpy untrusted(&client, &SignalingClient::untrustedCertificate);
        client.connectToServer(plain.url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QCOMPARE(untrusted.size(), 0);
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
