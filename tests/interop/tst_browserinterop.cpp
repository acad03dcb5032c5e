// SPDX-License-Identifier: GPL-3.0-or-later
// Confab with a real browser. Headless Chromium runs page/confab-peer.html, a plain
// RTCPeerConnection page that knows only the seed protocol, and calls confab-call through
// confab-server, then is called by it. Both directions must carry video, audio and chat both ways
// and end cleanly on both sides.
#include "BrowserPeer.h"
#include "ProcessPeers.h"
#include "TestTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

// Generous bounds: Chromium's first start in a fresh profile can be slow on a loaded machine. They
// are waited on output, never slept; a passing run takes a few seconds.
const int kStepMs = scaled(60000);

const QString kBrowserChat = QStringLiteral("hello confab, this is chromium");
const QString kConfabChat = QStringLiteral("hello chromium, this is confab");

QString compact(const QJsonObject &object) {
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// What both programs said, for a failure message.
QString trace(const BrowserPeer &browser, const CallProcess &confab) {
    QString text = browser.summary() + QStringLiteral("\n--- confab-call events:");
    for (const char *event :
         {"logged-in", "call-state", "first-remote-frame", "first-remote-audio", "chat", "notice", "ended"}) {
        for (const QJsonObject &e : confab.events(QString::fromLatin1(event))) {
            text += QLatin1Char('\n') + compact(e);
        }
    }
    const QList<QJsonObject> stats = confab.events(QStringLiteral("stats"));
    if (!stats.isEmpty()) {
        text += QStringLiteral("\n(%1 stats events, last) ").arg(stats.size()) + compact(stats.last());
    }
    return text + QStringLiteral("\n--- confab-call stderr:\n") + confab.errorOutput();
}

// QTest cuts failure messages at 1 KiB: the whole story goes to the log first.
#define VERIFY_TRACED(condition)                                 \
    do {                                                         \
        const bool verified = bool(condition);                   \
        if (!verified) {                                         \
            qWarning().noquote() << trace(browser, confab);      \
        }                                                        \
        QVERIFY2(verified, #condition " (see the trace above)"); \
    } while (false)

// What the page reports once it has seen enough: >= 30 decoded frames, audio, the peer's chat.
void checkBrowserReceived(const QJsonObject &received) {
    const QByteArray seen = compact(received).toUtf8();
    QVERIFY2(received.value(QStringLiteral("frames")).toInt() >= 30, seen.constData());
    QVERIFY2(received.value(QStringLiteral("audioPackets")).toInt() > 0, seen.constData());
    QVERIFY2(received.value(QStringLiteral("audioSamples")).toInt() > 0, seen.constData());
    QCOMPARE(received.value(QStringLiteral("chat")).toString(), kConfabChat);
    // The page was started so that it sends raw host addresses, which confab-call can use.
    QVERIFY2(received.value(QStringLiteral("candidatesSent")).toInt() > 0, seen.constData());
    QCOMPARE(received.value(QStringLiteral("mdnsCandidates")).toInt(), 0);
    qInfo("browser received %s and %s: %d frames decoded, %d shown, %d audio packets",
          qPrintable(received.value(QStringLiteral("videoCodec")).toString()),
          qPrintable(received.value(QStringLiteral("audioCodec")).toString()),
          received.value(QStringLiteral("frames")).toInt(),
          received.value(QStringLiteral("framesPresented")).toInt(),
          received.value(QStringLiteral("audioPackets")).toInt());
}

// confab-call decoded the browser's video and audio, and the statistics saw it too.
void checkConfabReceived(const CallProcess &confab) {
    QVERIFY(confab.has(QStringLiteral("first-remote-frame")));
    QVERIFY(confab.has(QStringLiteral("first-remote-audio")));
    qint64 videoFrames = 0;
    qint64 audioBuffers = 0;
    QString codec;
    const QList<QJsonObject> all = confab.events(QStringLiteral("stats"));
    for (const QJsonObject &stats : all) {
        videoFrames = std::max(videoFrames, stats.value(QStringLiteral("videoFrames")).toInteger());
        audioBuffers = std::max(audioBuffers, stats.value(QStringLiteral("audioBuffers")).toInteger());
        codec = stats.value(QStringLiteral("videoCodec")).toString();
    }
    const QByteArray last = all.isEmpty() ? QByteArray("no stats events") : compact(all.last()).toUtf8();
    QVERIFY2(videoFrames > 0, last.constData());
    QVERIFY2(audioBuffers > 0, last.constData());
    qInfo("confab-call received %s: %lld video frames, %lld audio buffers", qPrintable(codec), videoFrames,
          audioBuffers);
}

}  // namespace

class TestBrowserInterop : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The browser places the call, confab-call --answer takes it; the browser hangs up, either
    // sending leave first or, as many pages do, closing its RTCPeerConnection first (confab-call
    // then sees the browser's side of the connection go before it hears why).
    void browserCallsConfab_data() {
        QTest::addColumn<QString>("hangup");
        QTest::newRow("leave-then-close") << QString();
        QTest::newRow("close-then-leave") << QStringLiteral("close-first");
    }

    void browserCallsConfab() {
        QFETCH(QString, hangup);
        ServerProcess server;
        QVERIFY(server.start());
        CallProcess confab(QStringLiteral("bob"));
        confab.start(server.url(), {QStringLiteral("--answer"), QStringLiteral("--chat"), kConfabChat});
        QVERIFY2(!confab.waitFor(QStringLiteral("logged-in"), kStepMs).isEmpty(),
                 qPrintable(confab.errorOutput()));
        BrowserPeer browser;
        const QString error =
            browser.start(server.url(), QStringLiteral("web"), QStringLiteral("bob"), kBrowserChat, hangup);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        const QJsonObject received = browser.waitFor(QStringLiteral("received"), kStepMs);
        VERIFY_TRACED(!received.isEmpty());
        checkBrowserReceived(received);
        if (QTest::currentTestFailed()) {
            return;
        }
        // confab-call said "ringing", an extension the page does not know and ignored.
        VERIFY_TRACED(
            received.value(QStringLiteral("ignored")).toArray().contains(QStringLiteral("ringing")));

        // Having seen everything, the page sends leave and closes its RTCPeerConnection.
        const QJsonObject outcome = browser.waitFor(QStringLiteral("final"), kStepMs);
        VERIFY_TRACED(outcome.value(QStringLiteral("status")).toString() == QStringLiteral("hung-up"));
        const QJsonObject ended = confab.waitFor(QStringLiteral("ended"), kStepMs);
        VERIFY_TRACED(ended.value(QStringLiteral("reason")).toString() == QStringLiteral("remote-hung-up"));
        VERIFY_TRACED(ended.value(QStringLiteral("connected")).toBool());
        VERIFY_TRACED(confab.waitForExit(kStepMs));
        VERIFY_TRACED(confab.exitCode() == 0);
        QCOMPARE(confab.waitFor(QStringLiteral("chat"), 0).value(QStringLiteral("text")).toString(),
                 kBrowserChat);
        checkConfabReceived(confab);
        if (QTest::currentTestFailed()) {
            return;
        }
        VERIFY_TRACED(browser.events(QStringLiteral("error")).isEmpty());
        VERIFY_TRACED(browser.events(QStringLiteral("server-error")).isEmpty());
        // Destructors kill Chromium's process group, confab-call and the server.
    }

    // confab-call --call places the call, the page answers; confab-call hangs up after a while.
    void confabCallsBrowser() {
        ServerProcess server;
        QVERIFY(server.start());
        BrowserPeer browser;
        const QString error = browser.start(server.url(), QStringLiteral("web"), QString(), kBrowserChat);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(!browser.waitFor(QStringLiteral("logged-in"), kStepMs).isEmpty(),
                 qPrintable(browser.summary()));
        CallProcess confab(QStringLiteral("alice"));
        // --duration counts from "connected"; the page needs about 2 s of it (30 frames at 15 fps).
        confab.start(server.url(),
                     {QStringLiteral("--call"), QStringLiteral("web"), QStringLiteral("--duration"),
                      QString::number(scaled(8)), QStringLiteral("--chat"), kConfabChat});

        const QJsonObject received = browser.waitFor(QStringLiteral("received"), kStepMs);
        VERIFY_TRACED(!received.isEmpty());
        checkBrowserReceived(received);
        if (QTest::currentTestFailed()) {
            return;
        }

        const QJsonObject ended = confab.waitFor(QStringLiteral("ended"), kStepMs);
        VERIFY_TRACED(ended.value(QStringLiteral("reason")).toString() == QStringLiteral("hung-up"));
        VERIFY_TRACED(ended.value(QStringLiteral("connected")).toBool());
        VERIFY_TRACED(confab.waitForExit(kStepMs));
        VERIFY_TRACED(confab.exitCode() == 0);
        QCOMPARE(confab.waitFor(QStringLiteral("chat"), 0).value(QStringLiteral("text")).toString(),
                 kBrowserChat);
        checkConfabReceived(confab);
        if (QTest::currentTestFailed()) {
            return;
        }
        // Our leave reached the page, with the reason field passed through unchanged.
        const QJsonObject outcome = browser.waitFor(QStringLiteral("final"), kStepMs);
        VERIFY_TRACED(outcome.value(QStringLiteral("status")).toString() == QStringLiteral("peer-left"));
        VERIFY_TRACED(outcome.value(QStringLiteral("reason")).toString() == QStringLiteral("hangup"));
        VERIFY_TRACED(outcome.value(QStringLiteral("received")).toBool());
        VERIFY_TRACED(browser.events(QStringLiteral("error")).isEmpty());
        VERIFY_TRACED(browser.events(QStringLiteral("server-error")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBrowserInterop)
#include "tst_browserinterop.moc"
