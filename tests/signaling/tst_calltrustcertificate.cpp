// SPDX-License-Identifier: GPL-3.0-or-later
// confab-call and a wss:// server with a self-signed certificate: refused unless
// --trust-certificate names that certificate's SHA-256 fingerprint, and then only that one. Real
// confab-server (--tls-cert/--tls-key with the test fixture) and confab-call processes on
// 127.0.0.1 ephemeral ports.
#include "ProcessPeers.h"
#include "TestTime.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QTest>

namespace {

constexpr int kStartMs = 30000;
const QString kCertificate = QStringLiteral(CONFAB_FIXTURES "/server-cert.pem");
const QString kKey = QStringLiteral(CONFAB_FIXTURES "/server-key.pem");
const QString kOtherCertificate = QStringLiteral(CONFAB_FIXTURES "/other-cert.pem");

// SHA-256 over the DER inside a PEM file, as `openssl x509 -noout -fingerprint -sha256` prints it,
// worked out here without GLib so that it checks confab-call's own reading of the certificate.
QString fingerprintOfFile(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QByteArray base64;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.startsWith("-----")) {
            base64 += line.trimmed();
        }
    }
    return QString::fromLatin1(
        QCryptographicHash::hash(QByteArray::fromBase64(base64), QCryptographicHash::Sha256)
            .toHex(':')
            .toUpper());
}

const QStringList kNoMedia{QStringLiteral("--video"), QStringLiteral("none"), QStringLiteral("--audio"),
                           QStringLiteral("none")};

}  // namespace

class TestCallTrustCertificate : public QObject {
    Q_OBJECT
private:
    ServerProcess server_;
    QString fingerprint_;

    // A peer that should be refused: exits 1 without signing in; its stderr, for more checks.
    QString expectRefused(const QStringList &arguments) {
        CallProcess peer(QStringLiteral("alice"));
        peer.start(server_.url(), QStringList{QStringLiteral("--answer")} + kNoMedia + arguments);
        if (!peer.waitForExit(scaled(kStartMs))) {
            qWarning("confab-call did not exit: %s", qPrintable(peer.errorOutput()));
            return {};
        }
        if (peer.exitCode() != 1 || peer.has(QStringLiteral("logged-in"))) {
            qWarning("confab-call exited %d, signed in: %d", peer.exitCode(),
                     int(peer.has(QStringLiteral("logged-in"))));
            return {};
        }
        return peer.errorOutput();
    }

private Q_SLOTS:
    void initTestCase() {
        fingerprint_ = fingerprintOfFile(kCertificate);
        QCOMPARE(fingerprint_.size(), 32 * 3 - 1);
        QVERIFY(fingerprintOfFile(kOtherCertificate) != fingerprint_);
        QVERIFY(
            server_.start({QStringLiteral("--tls-cert"), kCertificate, QStringLiteral("--tls-key"), kKey}));
        QCOMPARE(server_.url().scheme(), QStringLiteral("wss"));
    }

    void selfSignedCertificateIsRefusedWithItsFingerprintAndTheOption() {
        const QString error = expectRefused({});
        QVERIFY2(error.contains(fingerprint_), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("--trust-certificate ") + fingerprint_), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("does not trust")), qPrintable(error));
    }

    void aFingerprintOfAnotherCertificateIsRefused() {
        const QString error =
            expectRefused({QStringLiteral("--trust-certificate"), fingerprintOfFile(kOtherCertificate)});
        QVERIFY2(error.contains(fingerprint_), qPrintable(error));  // what the server did present
        QVERIFY2(error.contains(QStringLiteral("not one named by --trust-certificate")), qPrintable(error));
    }

    void aMalformedFingerprintIsAUsageError() {
        for (const QString &bad : {QStringLiteral("AB:CD"), fingerprint_.left(fingerprint_.size() - 3),
                                   QString(fingerprint_).replace(0, 1, QLatin1Char('G'))}) {
            QProcess process;
            process.start(qEnvironmentVariable("CONFAB_CALL_BIN"),
                          {QStringLiteral("--server"), server_.url().toString(), QStringLiteral("--name"),
                           QStringLiteral("alice"), QStringLiteral("--answer"),
                           QStringLiteral("--trust-certificate"), bad});
            QVERIFY(process.waitForFinished(scaled(kStartMs)));
            QCOMPARE(process.exitCode(), 2);
            QVERIFY(
                process.readAllStandardError().contains("--trust-certificate needs a SHA-256 fingerprint"));
        }
    }

    // Repeatable, and the pasted forms people have: a fingerprint of another certificate next to
    // the right one, and the right one in lower case without colons (as sha256sum prints it).
    void theRightFingerprintSignsInAndCalls() {
        CallProcess bob(QStringLiteral("bob"));
        bob.start(server_.url(),
                  QStringList{QStringLiteral("--answer"), QStringLiteral("--trust-certificate"),
                              fingerprint_.toLower().remove(QLatin1Char(':'))});
        QVERIFY2(!bob.waitFor(QStringLiteral("logged-in"), scaled(kStartMs)).isEmpty(),
                 qPrintable(bob.errorOutput()));
        CallProcess alice(QStringLiteral("alice"));
        alice.start(
            server_.url(),
            {QStringLiteral("--call"), QStringLiteral("bob"), QStringLiteral("--duration"),
             QStringLiteral("1"), QStringLiteral("--trust-certificate"), fingerprintOfFile(kOtherCertificate),
             QStringLiteral("--trust-certificate"), fingerprint_});
        // Exit status 0 only after a call that connected and ended normally (--duration).
        QVERIFY2(alice.waitForExit(scaled(kStartMs)), qPrintable(alice.errorOutput()));
        QVERIFY2(alice.exitCode() == 0, qPrintable(alice.errorOutput()));
        bool connected = false;
        for (const QJsonObject &state : alice.events(QStringLiteral("call-state"))) {
            connected =
                connected || state.value(QStringLiteral("state")).toString() == QStringLiteral("connected");
        }
        QVERIFY(connected);
    }
};

QTEST_GUILESS_MAIN(TestCallTrustCertificate)
#include "tst_calltrustcertificate.moc"
