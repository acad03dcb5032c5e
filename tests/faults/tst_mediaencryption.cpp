// SPDX-License-Identifier: GPL-3.0-or-later
// Media is encrypted: a tshark capture on the loopback during a call between two confab-call
// processes shows STUN, DTLS and SRTP only, never plain RTP. The same check, run on a plain RTP
// stream (gst-launch rtpvp8pay/rtpopuspay ! udpsink), must find it: the test shows its own teeth.
//
// Everything runs in a network namespace the test makes (lo plus a veth pair with TEST-NET
// addresses: libnice gathers no loopback candidates, and traffic between local addresses goes
// over lo), so the capture holds the test's own traffic only. Needs root, iproute2, tshark and
// gst-launch-1.0; skipped, never passed, without them.
#include "CannotRun.h"
#include "MediaWireCheck.h"
#include "ProcessPeers.h"
#include "TestNamespaces.h"
#include "TestTime.h"
#include "WireCapture.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

#include <sys/prctl.h>

#include <csignal>

namespace {

constexpr int kStartMs = 20000;
const QString kPlace = QStringLiteral("wire");

// A namespace whose only non-loopback interfaces are a veth pair, 192.0.2.10 and 192.0.2.11.
bool buildNamespace(TestNamespaces &namespaces, QString *error) {
    return namespaces.add(kPlace, error) &&
           namespaces.link(kPlace, QStringLiteral("v0"), QStringLiteral("192.0.2.10/24"), kPlace,
                           QStringLiteral("v1"), QStringLiteral("192.0.2.11/24"), error);
}

// The UDP ports the given processes have open in the namespace (ss -uanp): the call's ICE sockets.
QSet<quint16> udpPortsOf(const TestNamespaces &namespaces, const QList<qint64> &pids, QString *error) {
    QString output;
    if (!namespaces.exec(kPlace, {QStringLiteral("ss"), QStringLiteral("-H"), QStringLiteral("-uanp")}, error,
                         &output)) {
        return {};
    }
    static const QRegularExpression socket(QStringLiteral(":(\\d+)\\s+\\S+\\s+users:.*pid=(\\d+),"));
    QSet<quint16> ports;
    for (const QString &line : output.split(QLatin1Char('\n'))) {
        const QRegularExpressionMatch match = socket.match(line);
        if (match.hasMatch() && pids.contains(match.captured(2).toLongLong())) {
            ports.insert(quint16(match.captured(1).toUInt()));
        }
    }
    return ports;
}

QString captureSkipReason() {
    if (const QString reason = TestNamespaces::unavailableReason(); !reason.isEmpty()) {
        return reason;
    }
    if (const QString reason = WireCapture::unavailableReason(); !reason.isEmpty()) {
        return reason;
    }
    if (QStandardPaths::findExecutable(QStringLiteral("ss")).isEmpty()) {
        return QStringLiteral("ss (iproute2) is not installed");
    }
    return {};
}

}  // namespace

class TestMediaEncryption : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The check itself, on packets made here: plain VP8 and Opus RTP are found, the same packets
    // with their payloads encrypted (here: XORed with random bytes, as AES-CM does) are not.
    void checkTellsPlainPayloadsFromEncryptedOnes() {
        QList<UdpDatagram> plain;
        for (int i = 0; i < 100; ++i) {
            const bool keyframe = i % 30 == 0;
            // RTP header (V=2, PT 96, sequence i, SSRC 1), VP8 descriptor with a 15-bit picture id,
            // then the frame tag and, for a keyframe, the start code.
            QByteArray video = QByteArray::fromHex("80600000000000000000000190808000");
            video[3] = char(i);
            video += keyframe ? QByteArray::fromHex("5003009d012a4001f000") : QByteArray::fromHex("b10100");
            video += QByteArray(200, char(i * 7));
            // Opus: PT 111, SSRC 2, a constant TOC byte.
            const QByteArray audio =
                QByteArray::fromHex("806f00000000000000000002f8") + QByteArray(60, char(i * 3));
            plain << UdpDatagram{5000, 5002, video, {}} << UdpDatagram{5000, 5002, audio, {}};
        }
        const MediaWireCheck plainCheck(plain);
        QCOMPARE(plainCheck.rtp(), 200);
        QCOMPARE(plainCheck.vp8KeyframesInClear(), 4);
        QCOMPARE(plainCheck.cleartextFindings().size(), 3);

        QList<UdpDatagram> encrypted = plain;
        QRandomGenerator random(8);
        for (UdpDatagram &datagram : encrypted) {
            for (qsizetype i = 12; i < datagram.payload.size(); ++i) {  // the header stays in clear
                datagram.payload[i] = char(datagram.payload[i] ^ char(random.bounded(256)));
            }
        }
        const MediaWireCheck encryptedCheck(encrypted);
        QCOMPARE(encryptedCheck.rtp(), 200);
        QVERIFY2(encryptedCheck.cleartextFindings().isEmpty(),
                 qPrintable(encryptedCheck.cleartextFindings().join(QStringLiteral("; "))));
    }

    void callMediaOnTheWireIsDtlsAndSrtpOnly() {
        if (const QString reason = captureSkipReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        TestNamespaces namespaces;
        QString error;
        QVERIFY2(buildNamespace(namespaces, &error), qPrintable(error));
        WireCapture capture;
        QVERIFY2(capture.start(namespaces.launcher(kPlace), QStringLiteral("lo"), &error), qPrintable(error));

        ServerProcess server;
        server.setLauncher(namespaces.launcher(kPlace));
        QVERIFY(server.start());
        CallProcess bob(QStringLiteral("bob"));
        bob.setLauncher(namespaces.launcher(kPlace));
        bob.start(server.url(), {QStringLiteral("--answer")});
        QVERIFY(!bob.waitFor(QStringLiteral("logged-in"), kStartMs).isEmpty());
        CallProcess alice(QStringLiteral("alice"));
        alice.setLauncher(namespaces.launcher(kPlace));
        alice.start(server.url(), {QStringLiteral("--call"), QStringLiteral("bob"),
                                   QStringLiteral("--duration"), QString::number(scaled(5000) / 1000)});
        QVERIFY2(!alice.waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty(),
                 qPrintable(alice.errorOutput()));
        QVERIFY(!bob.waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty());
        // The call's own ports, read while it runs (ip netns exec keeps the pid of the peer).
        const QSet<quint16> ports = udpPortsOf(namespaces, {alice.pid(), bob.pid()}, &error);
        QVERIFY2(ports.size() >= 2, qPrintable(error));
        QVERIFY(alice.waitForExit(kStartMs));
        QVERIFY(bob.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 0);
        QVERIFY(capture.stop(&error));
        // Video really went both ways, so the capture holds VP8 the check could have caught.
        for (CallProcess *peer : {&alice, &bob}) {
            const QList<QJsonObject> stats = peer->events(QStringLiteral("stats"));
            QVERIFY(!stats.isEmpty());
            QVERIFY(stats.last().value(QStringLiteral("videoFrames")).toInt() > 20);
        }

        const QList<UdpDatagram> datagrams = capture.datagrams(&error);
        QVERIFY2(!datagrams.isEmpty(), qPrintable(error));
        const MediaWireCheck check(datagrams, ports);
        QStringList portList;
        for (const quint16 port : ports) {
            portList << QString::number(port);
        }
        qInfo("%lld datagrams captured; on the call's ports (%s): %s", qlonglong(datagrams.size()),
              qPrintable(portList.join(QLatin1Char(' '))), qPrintable(check.summary()));
        QVERIFY(check.stun() > 0);
        QVERIFY(check.sawDtlsClientHello());
        QVERIFY(check.sawDtlsServerHello());
        QVERIFY2(check.rtp() > 100, qPrintable(check.summary()));  // SRTP: RTP headers, ciphertext payloads
        QCOMPARE(check.unclassified(), 0);
        QVERIFY2(check.cleartextFindings().isEmpty(),
                 qPrintable(check.cleartextFindings().join(QStringLiteral("; "))));
    }

    // The control: plain RTP of the same codecs through the same capture and check is found.
    void plainRtpIsFoundByTheSameCheck() {
        if (const QString reason = captureSkipReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        if (QStandardPaths::findExecutable(QStringLiteral("gst-launch-1.0")).isEmpty()) {
            CONFAB_CANNOT_RUN(QStringLiteral("gst-launch-1.0 (gstreamer1.0-tools) is not installed"));
        }
        TestNamespaces namespaces;
        QString error;
        QVERIFY2(buildNamespace(namespaces, &error), qPrintable(error));
        WireCapture capture;
        QVERIFY2(capture.start(namespaces.launcher(kPlace), QStringLiteral("lo"), &error), qPrintable(error));
        // As a call sends them (LocalMedia's payloaders), unencrypted: 4 s of 320x240 VP8 at 15 fps
        // and of 20 ms Opus packets.
        const QString pipeline = QStringLiteral(
            "videotestsrc is-live=true num-buffers=60 ! video/x-raw,width=320,height=240,framerate=15/1 "
            "! vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay picture-id-mode=15-bit pt=96 "
            "! udpsink host=192.0.2.11 port=5004 "
            "audiotestsrc is-live=true num-buffers=200 samplesperbuffer=960 ! "
            "audio/x-raw,rate=48000,channels=1 "
            "! opusenc ! rtpopuspay pt=111 ! udpsink host=192.0.2.11 port=5006");
        QProcess sender;
        sender.setProcessChannelMode(QProcess::MergedChannels);
        sender.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
        const QStringList launcher = namespaces.launcher(kPlace);
        sender.start(launcher.first(),
                     launcher.mid(1) + QStringList{QStringLiteral("gst-launch-1.0"), QStringLiteral("-q")} +
                         QProcess::splitCommand(pipeline));
        QVERIFY2(sender.waitForFinished(scaled(30000)), "the plain RTP sender did not finish");
        QVERIFY2(sender.exitCode() == 0, sender.readAll().constData());
        QVERIFY(capture.stop(&error));

        const MediaWireCheck check(capture.datagrams(&error), {5004, 5006});
        qInfo("plain RTP: %s; findings: %s", qPrintable(check.summary()),
              qPrintable(check.cleartextFindings().join(QStringLiteral("; "))));
        QVERIFY2(check.rtp() > 100, qPrintable(check.summary()));
        QVERIFY(!check.sawDtlsClientHello());
        QVERIFY(check.vp8KeyframesInClear() >= 1);
        // Both streams: the VP8 descriptor and the Opus TOC byte in clear.
        QCOMPARE(check.cleartextFindings().size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestMediaEncryption)
#include "tst_mediaencryption.moc"
