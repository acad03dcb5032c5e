// SPDX-License-Identifier: GPL-3.0-or-later
// The safety code: the same short code on both sides of a call, computed from the two DTLS
// certificate fingerprints in the SDP, and a different one when a fingerprint was swapped in the
// middle; two confab-call processes print the same code.
#include "ProcessCall.h"
#include "ProcessPeers.h"

#include "call/SafetyCode.h"

#include <QRegularExpression>
#include <QTest>

using namespace confab;

namespace {

constexpr int kStartMs = 20000;

const QString kAliceFingerprint = QStringLiteral(
    "A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:01:12:23:34:45:56:67:78:89:9A:AB:BC:CD:DE:EF:F0");
const QString kBobFingerprint = QStringLiteral(
    "0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00");

// A description as webrtcbin writes one: the fingerprint on every media section.
QString sdpWith(const QString &fingerprint, const QString &algorithm = QStringLiteral("sha-256")) {
    return QStringLiteral(
               "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE video0 audio1\r\n"
               "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:video0\r\na=fingerprint:%2 %1\r\n"
               "m=audio 9 UDP/TLS/RTP/SAVPF 97\r\nc=IN IP4 0.0.0.0\r\na=mid:audio1\r\na=fingerprint:%2 %1\r\n")
        .arg(fingerprint, algorithm);
}

}  // namespace

class TestSafetyCode : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bothSidesComputeTheSameCode() {
        const QString alice = sdpWith(kAliceFingerprint);
        const QString bob = sdpWith(kBobFingerprint);
        const QString aliceSees = SafetyCode::compute(alice, bob);
        const QString bobSees = SafetyCode::compute(bob, alice);
        QCOMPARE(aliceSees, bobSees);
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d{3} \\d{3}$")).match(aliceSees).hasMatch(), qPrintable(aliceSees));
        // Stable: a given pair of certificates always gives this code (pinned so a change of the
        // derivation, which would make old and new clients disagree, cannot go unnoticed).
        // Computed independently with Python: sha256(b"confab safety code v1" + min + max),
        // first four bytes big-endian, modulo 10**6.
        QCOMPARE(aliceSees, QStringLiteral("696 982"));
    }

    void aSwappedFingerprintChangesTheCode() {
        const QString alice = sdpWith(kAliceFingerprint);
        const QString bob = sdpWith(kBobFingerprint);
        const QString honest = SafetyCode::compute(alice, bob);
        // A man in the middle gives bob his own certificate instead of alice's: one byte differs.
        QString mallory = kAliceFingerprint;
        mallory.replace(0, 2, QStringLiteral("A0"));
        QVERIFY(SafetyCode::compute(sdpWith(mallory), bob) != honest);
        QVERIFY(SafetyCode::compute(bob, sdpWith(mallory)) != honest);
        // Case and line ends do not matter; the fingerprint does.
        QCOMPARE(SafetyCode::compute(sdpWith(kAliceFingerprint.toLower()).replace(QStringLiteral("\r\n"), QStringLiteral("\n")), bob),
                 honest);
    }

    void fingerprintIsReadFromTheSdp_data() {
        QTest::addColumn<QString>("sdp");
        QTest::addColumn<bool>("usable");
        QTest::newRow("webrtcbin style") << sdpWith(kAliceFingerprint) << true;
        QTest::newRow("session level") << QStringLiteral("v=0\r\na=fingerprint:sha-256 %1\r\nm=audio 9 RTP/SAVPF 0\r\n").arg(kAliceFingerprint) << true;
        QTest::newRow("none") << QStringLiteral("v=0\r\nm=audio 9 RTP/SAVPF 0\r\n") << false;
        QTest::newRow("sha-1 only") << sdpWith(QStringLiteral("AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD"), QStringLiteral("sha-1")) << false;
        QTest::newRow("too short") << sdpWith(kAliceFingerprint.left(kAliceFingerprint.size() - 3)) << false;
        QTest::newRow("not hex") << sdpWith(QString(kAliceFingerprint).replace(0, 2, QStringLiteral("ZZ"))) << false;
        QTest::newRow("no colons") << sdpWith(QString(kAliceFingerprint).remove(QLatin1Char(':'))) << false;
        QTest::newRow("two different certificates")
            << QStringLiteral("v=0\r\nm=audio 9 RTP/SAVPF 0\r\na=fingerprint:sha-256 %1\r\nm=video 9 RTP/SAVPF 96\r\na=fingerprint:sha-256 %2\r\n")
                   .arg(kAliceFingerprint, kBobFingerprint)
            << false;
        QTest::newRow("empty") << QString() << false;
    }

    void fingerprintIsReadFromTheSdp() {
        QFETCH(QString, sdp);
        QFETCH(bool, usable);
        const std::optional<QByteArray> fingerprint = SafetyCode::fingerprint(sdp);
        QCOMPARE(fingerprint.has_value(), usable);
        if (usable) {
            QCOMPARE(fingerprint->size(), 32);
            QCOMPARE(quint8(fingerprint->at(0)), quint8(0xA1));
        }
        QCOMPARE(SafetyCode::compute(sdp, sdpWith(kBobFingerprint)).isEmpty(), !usable);
    }

    void sameCertificateOnBothSidesStillGivesACode() {
        // Two peers in one process share webrtcbin's DTLS certificate (the desktop app's echo).
        const QString code = SafetyCode::compute(sdpWith(kAliceFingerprint), sdpWith(kAliceFingerprint));
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d{3} \\d{3}$")).match(code).hasMatch(), qPrintable(code));
        QVERIFY(code != SafetyCode::compute(sdpWith(kAliceFingerprint), sdpWith(kBobFingerprint)));
    }

    void twoConfabCallProcessesPrintTheSameCode() {
        ProcessCall call(kStartMs);
        QVERIFY(call.startWithServer({QStringLiteral("--duration"), QStringLiteral("1")}));
        auto [alice, bob] = call.peers();
        const QString aliceCode = alice.waitFor(QStringLiteral("safety-code"), kStartMs).value(QStringLiteral("code")).toString();
        const QString bobCode = bob.waitFor(QStringLiteral("safety-code"), kStartMs).value(QStringLiteral("code")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d{3} \\d{3}$")).match(aliceCode).hasMatch(), qPrintable(aliceCode));
        QCOMPARE(bobCode, aliceCode);
        QVERIFY(alice.waitForExit(kStartMs));
        QVERIFY(bob.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSafetyCode)
#include "tst_safetycode.moc"
