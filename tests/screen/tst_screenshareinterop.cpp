// SPDX-License-Identifier: GPL-3.0-or-later
// A browser sees a Confab screen share: confab-call --video screen:WINDOW-ID calls headless Chromium
// (tests/interop's page: a plain RTCPeerConnection). The page decodes the shared window at its own
// size; when the window closes, the test pattern comes back at its size — on the same track, with no
// renegotiation, which is what "works with every peer, browsers included" rests on.
#include "BrowserPeer.h"
#include "ProcessPeers.h"
#include "XvfbDisplay.h"
#include "TestTime.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <csignal>

namespace {

const int kStepMs = scaled(60000);
const Rgb kOrange{250, 130, 10, true};
const QSize kWindowSize(400, 300);

QString compact(const QJsonObject &object) {
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

}  // namespace

class TestScreenShareInterop : public QObject {
    Q_OBJECT
    XvfbDisplay xvfb_;

private Q_SLOTS:
    void initTestCase() {
        QString error;
        QVERIFY2(xvfb_.start(QSize(1024, 768), &error), qPrintable(error));
        qputenv("DISPLAY", xvfb_.name().toLocal8Bit());  // for confab-call's capture
    }

    void browserDecodesTheShareAndTheTestSourceAfterTheWindowCloses() {
        auto window =
            std::make_unique<SolidWindow>(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("orange"));
        QVERIFY2(window->isShown(), qPrintable(window->error() + xvfb_.log()));
        ServerProcess server;
        QVERIFY(server.start());
        BrowserPeer browser;
        const QString error =
            browser.start(server.url(), QStringLiteral("web"), QString(), QStringLiteral("hi"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(!browser.waitFor(QStringLiteral("logged-in"), kStepMs).isEmpty(),
                 qPrintable(browser.summary()));
        CallProcess confab(QStringLiteral("alice"));
        confab.start(server.url(),
                     {QStringLiteral("--call"), QStringLiteral("web"), QStringLiteral("--video"),
                      QStringLiteral("screen:0x%1").arg(window->id(), 0, 16), QStringLiteral("--chat"),
                      QStringLiteral("look")});

        // 30 frames decoded, at the window's size: the share went out from the start.
        const QJsonObject received = browser.waitFor(QStringLiteral("received"), kStepMs);
        QVERIFY2(!received.isEmpty(), qPrintable(browser.summary() + confab.errorOutput()));
        QCOMPARE(received.value(QStringLiteral("width")).toInt(), kWindowSize.width());
        QCOMPARE(received.value(QStringLiteral("height")).toInt(), kWindowSize.height());
        const int framesBefore = received.value(QStringLiteral("frames")).toInt();

        window->destroy();
        QTRY_VERIFY_WITH_TIMEOUT(confab.events(QStringLiteral("screen-share")).size() == 2, kStepMs);
        QCOMPARE(confab.events(QStringLiteral("screen-share"))
                     .last()
                     .value(QStringLiteral("sharing"))
                     .toBool(true),
                 false);
        // Let the browser decode the test source for a while, then hang up (SIGINT: confab-call
        // leaves the call cleanly); the page's final statistics show what it decoded last.
        QTest::qWait(scaled(4000));
        QVERIFY(!confab.has(QStringLiteral("ended")));
        ::kill(pid_t(confab.pid()), SIGINT);
        const QJsonObject final = browser.waitFor(QStringLiteral("final"), kStepMs);
        QVERIFY2(!final.isEmpty(), qPrintable(browser.summary()));
        qInfo("browser's last statistics: %s", qPrintable(compact(final)));
        QCOMPARE(final.value(QStringLiteral("width")).toInt(), 320);  // ProcessPeers' --size
        QCOMPARE(final.value(QStringLiteral("height")).toInt(), 240);
        QVERIFY(final.value(QStringLiteral("frames")).toInt() > framesBefore + 15);
        QVERIFY2(browser.events(QStringLiteral("error")).isEmpty(), qPrintable(browser.summary()));
    }
};

QTEST_GUILESS_MAIN(TestScreenShareInterop)
#include "tst_screenshareinterop.moc"
