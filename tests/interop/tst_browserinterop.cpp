// Confab with a real browser: headless Chromium running a plain RTCPeerConnection page that knows
// only the seed protocol calls confab-call and is called by it, through confab-server.
#include "BrowserPeer.h"
#include "ProcessPeers.h"

#include <QTest>

namespace {
constexpr int kTimeoutMs = 30000;
}

class TestBrowserInterop : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void browserCallsConfab() {
        ServerProcess server;
        QVERIFY(server.start());
        CallProcess confab(QStringLiteral("bob"));
        confab.start(server.url(), {QStringLiteral("--answer"), QStringLiteral("--chat"), QStringLiteral("hi browser")});
        QVERIFY(!confab.waitFor(QStringLiteral("logged-in"), kTimeoutMs).isEmpty());
        BrowserPeer browser;
        const QString error = browser.start(server.url(), QStringLiteral("web"), QStringLiteral("bob"), QStringLiteral("hi confab"));
        QVERIFY2(error.isEmpty(), qPrintable(error));

        const QJsonObject media = browser.waitFor(QStringLiteral("media-ok"), kTimeoutMs);
        QVERIFY2(!media.isEmpty(), qPrintable(browser.log().right(3000)));
        QCOMPARE(media.value(QStringLiteral("chat")).toString(), QStringLiteral("hi browser"));
        QVERIFY(!confab.waitFor(QStringLiteral("first-remote-frame"), kTimeoutMs).isEmpty());
        QVERIFY(!confab.waitFor(QStringLiteral("first-remote-audio"), kTimeoutMs).isEmpty());
        QCOMPARE(confab.waitFor(QStringLiteral("chat"), kTimeoutMs).value(QStringLiteral("text")).toString(),
                 QStringLiteral("hi confab"));
        // The browser hangs up after it has seen everything; confab-call ends normally.
        const QJsonObject ended = confab.waitFor(QStringLiteral("ended"), kTimeoutMs);
        QCOMPARE(ended.value(QStringLiteral("reason")).toString(), QStringLiteral("remote-hung-up"));
        QCOMPARE(ended.value(QStringLiteral("connected")).toBool(), true);
        QVERIFY(confab.waitForExit(kTimeoutMs));
        QCOMPARE(confab.exitCode(), 0);
    }

    void confabCallsBrowser() {
        ServerProcess server;
        QVERIFY(server.start());
        BrowserPeer browser;
        const QString error = browser.start(server.url(), QStringLiteral("web"), QString(), QStringLiteral("hi confab"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(!browser.waitFor(QStringLiteral("logged-in"), kTimeoutMs).isEmpty(), qPrintable(browser.log().right(3000)));
        CallProcess confab(QStringLiteral("alice"));
        confab.start(server.url(), {QStringLiteral("--call"), QStringLiteral("web"), QStringLiteral("--duration"),
                                    QStringLiteral("6"), QStringLiteral("--chat"), QStringLiteral("hi browser")});

        const QJsonObject media = browser.waitFor(QStringLiteral("media-ok"), kTimeoutMs);
        QVERIFY2(!media.isEmpty(), qPrintable(browser.log().right(3000) + confab.errorOutput()));
        QCOMPARE(media.value(QStringLiteral("chat")).toString(), QStringLiteral("hi browser"));
        QVERIFY(!confab.waitFor(QStringLiteral("first-remote-frame"), kTimeoutMs).isEmpty());
        QVERIFY(!confab.waitFor(QStringLiteral("first-remote-audio"), kTimeoutMs).isEmpty());
        QCOMPARE(confab.waitFor(QStringLiteral("chat"), kTimeoutMs).value(QStringLiteral("text")).toString(),
                 QStringLiteral("hi confab"));
        QVERIFY(confab.waitForExit(kTimeoutMs));
        QCOMPARE(confab.exitCode(), 0);
        QVERIFY(!browser.waitFor(QStringLiteral("left"), kTimeoutMs).isEmpty());  // our hang-up reached the page
    }
};

QTEST_GUILESS_MAIN(TestBrowserInterop)
#include "tst_browserinterop.moc"
