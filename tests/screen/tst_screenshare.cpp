// SPDX-License-Identifier: GPL-3.0-or-later
// Screen sharing over real calls on an X server of the test's own (Xvfb): a window of one known
// colour is shared and the other side's decoded frames turn that colour; stopping brings the test
// source back; closing the shared window mid-share ends the share but not the call. In-process
// peers (CallController, as the desktop app uses it) and confab-call --video screen:WINDOW-ID.
#include "CannotRun.h"
#include "ColourPeer.h"
#include "InProcessCall.h"
#include "ProcessPeers.h"
#include "ServerTestCase.h"
#include "TestTime.h"
#include "XvfbDisplay.h"
#include "call/CallSession.h"
#include "media/ScreenSource.h"
#include "media/X11WindowList.h"
#include "signaling/SignalingServer.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <gst/gst.h>

using namespace confab;

namespace {

const int kTimeoutMs = scaled(20000);
const Rgb kOrange{250, 130, 10, true};
const QSize kWindowSize(400, 300);

// The test source: a ball on a mid-blue background (0x305080), whatever the ball is doing.
bool isTestSource(const Rgb &c) {
    return c.valid && c.blue > c.red + 30;
}

}  // namespace

class TestScreenShare : public ServerTestCase {
    Q_OBJECT
private:
    XvfbDisplay xvfb_;

    std::unique_ptr<ColourPeer> peer(const QString &name, VideoCodec codec = VideoCodec::VP8) {
        auto p = std::make_unique<ColourPeer>(name, url(), codec);
        InProcessCall::waitSignedIn(*p, kTimeoutMs);
        return p;
    }

    // caller calls callee, callee accepts; true once both are connected and the caller's picture
    // (the test source) arrives at the callee.
    static bool connectCall(ColourPeer &caller, ColourPeer &callee) {
        return InProcessCall::connect(caller, callee, kTimeoutMs,
                                      [&callee] { return isTestSource(callee.lastColour()); });
    }

    static bool hangUp(ColourPeer &a, ColourPeer &b) {
        a.controller->hangUp();
        return QTest::qWaitFor([&] { return a.state() == CallState::Idle && b.state() == CallState::Idle; },
                               kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        GstElementFactory *ximagesrc = gst_element_factory_find("ximagesrc");
        if (!ximagesrc) {
            CONFAB_CANNOT_RUN(QStringLiteral("ximagesrc (gstreamer1.0-plugins-good) is missing"));
        }
        gst_object_unref(ximagesrc);
        QString error;
        QVERIFY2(xvfb_.start(QSize(1024, 768), &error), qPrintable(error));
        // For the in-process captures and for every confab-call started from here.
        qputenv("DISPLAY", xvfb_.name().toLocal8Bit());
        startServer(SignalingServerOptions());
    }

    // Lets GST_TRACERS=leaks report what outlived the calls and shares.
    void cleanupTestCase() {
        stopServer();
        gst_deinit();
    }

    void windowListShowsTheWindowByTitle() {
        SolidWindow window(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("Quarterly report – draft"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        X11WindowList list;
        QVERIFY(list.isOpen());
        QCOMPARE(list.screens().size(), 1);
        QCOMPARE(list.screens().first().size, QSize(1024, 768));
        bool found = false;
        for (const X11WindowList::Window &w : list.windows()) {
            if (w.id == window.id()) {
                found = true;
                QCOMPARE(w.title, QStringLiteral("Quarterly report – draft"));
                QCOMPARE(w.size, kWindowSize);
            }
        }
        QVERIFY(found);
        QVERIFY(list.windowExists(window.id()));
        const quint64 id = window.id();
        window.destroy();
        QVERIFY(!list.windowExists(id));
    }

    void sharedWindowReachesThePeerAndStoppingBringsTheCameraBack() {
        SolidWindow window(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("orange"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QVERIFY(connectCall(*alice, *bob));

        QSignalSpy changes(alice->controller.get(), &CallController::screenShareChanged);
        QString error;
        QVERIFY2(alice->controller->startScreenShare(
                     ScreenSource::x11Window(window.id(), QStringLiteral("orange")), &error),
                 qPrintable(error));
        QVERIFY(alice->controller->isSharingScreen());
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().at(0).toBool(), true);
        // The window itself, at its own size (under the 1920x1080 limit), not the test source.
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob->lastColour(), kOrange), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(bob->lastSize(), kWindowSize, kTimeoutMs);

        alice->controller->stopScreenShare();
        QVERIFY(!alice->controller->isSharingScreen());
        QTRY_VERIFY_WITH_TIMEOUT(isTestSource(bob->lastColour()), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(bob->lastSize(), QSize(160, 120), kTimeoutMs);
        QCOMPARE(changes.last().at(0).toBool(), false);

        // And once more: a second share in the same call works as the first.
        QVERIFY2(alice->controller->startScreenShare(ScreenSource::x11Window(window.id(), {}), &error),
                 qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob->lastColour(), kOrange), kTimeoutMs);
        QCOMPARE(alice->state(), CallState::Connected);
        QCOMPARE(bob->state(), CallState::Connected);
        QVERIFY(hangUp(*alice, *bob));
    }

    // Camera off blacks out the camera, not a share: the screen still goes out, and black comes
    // back when the share stops with the camera still off.
    void cameraOffDoesNotBlackOutAShare() {
        SolidWindow window(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("orange"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        auto alice = peer(QStringLiteral("quinn"));
        auto bob = peer(QStringLiteral("rose"));
        QVERIFY(connectCall(*alice, *bob));
        alice->controller->setCameraEnabled(false);
        const auto isBlack = [](const Rgb &c) {
            return c.valid && c.red < 30 && c.green < 30 && c.blue < 30;
        };
        QTRY_VERIFY_WITH_TIMEOUT(isBlack(bob->lastColour()), kTimeoutMs);
        QString error;
        QVERIFY2(alice->controller->startScreenShare(ScreenSource::x11Window(window.id(), {}), &error),
                 qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob->lastColour(), kOrange), kTimeoutMs);
        alice->controller->stopScreenShare();
        QTRY_VERIFY_WITH_TIMEOUT(isBlack(bob->lastColour()), kTimeoutMs);
        QVERIFY(hangUp(*alice, *bob));
    }

    void closingTheSharedWindowEndsTheShareButNotTheCall() {
        auto window =
            std::make_unique<SolidWindow>(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("orange"));
        QVERIFY2(window->isShown(), qPrintable(window->error() + xvfb_.log()));
        auto alice = peer(QStringLiteral("carol"));
        auto bob = peer(QStringLiteral("dave"));
        QVERIFY(connectCall(*alice, *bob));
        QString error;
        QVERIFY2(alice->controller->startScreenShare(ScreenSource::x11Window(window->id(), {}), &error),
                 qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob->lastColour(), kOrange), kTimeoutMs);

        QSignalSpy changes(alice->controller.get(), &CallController::screenShareChanged);
        window->destroy();
        QVERIFY(changes.wait(kTimeoutMs));
        QCOMPARE(changes.first().at(0).toBool(), false);
        QVERIFY2(changes.first().at(1).toString().contains(QStringLiteral("closed")),
                 qPrintable(changes.first().at(1).toString()));
        QVERIFY(!alice->controller->isSharingScreen());
        QTRY_VERIFY_WITH_TIMEOUT(isTestSource(bob->lastColour()), kTimeoutMs);
        // The call is still up and pictures keep coming.
        const int frames = bob->frames();
        QTRY_VERIFY_WITH_TIMEOUT(bob->frames() > frames + 15, kTimeoutMs);
        QCOMPARE(alice->state(), CallState::Connected);
        QCOMPARE(bob->state(), CallState::Connected);
        QVERIFY(hangUp(*alice, *bob));
    }

    void aResizedWindowIsSentAtItsNewSize() {
        SolidWindow window(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("orange"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        auto alice = peer(QStringLiteral("olga"));
        auto bob = peer(QStringLiteral("paul"));
        QVERIFY(connectCall(*alice, *bob));
        QString error;
        QVERIFY2(alice->controller->startScreenShare(ScreenSource::x11Window(window.id(), {}), &error),
                 qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(bob->lastSize(), kWindowSize, kTimeoutMs);
        window.resize(QSize(600, 360));
        QTRY_COMPARE_WITH_TIMEOUT(bob->lastSize(), QSize(600, 360), kTimeoutMs);
        QVERIFY(ColourPeer::near(bob->lastColour(), kOrange));
        QCOMPARE(bob->state(), CallState::Connected);
        QVERIFY(hangUp(*alice, *bob));
    }

    void wholeScreenIsSharedAtItsSize() {
        // A window over the whole screen, so the whole screen is one colour.
        SolidWindow window(xvfb_.name(), QSize(1024, 768), kOrange, QStringLiteral("full"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        auto alice = peer(QStringLiteral("erin"));
        auto bob = peer(QStringLiteral("frank"));
        QVERIFY(connectCall(*alice, *bob));
        QString error;
        QVERIFY2(alice->controller->startScreenShare(ScreenSource::x11Screen(), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob->lastColour(), kOrange), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(bob->lastSize(), QSize(1024, 768), kTimeoutMs);
        QVERIFY(hangUp(*alice, *bob));
    }

    void anH264CallSharesToo() {
        SolidWindow window(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("orange"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        auto alice = peer(QStringLiteral("mia"), VideoCodec::H264);
        auto bob = peer(QStringLiteral("ned"));
        QVERIFY(connectCall(*alice, *bob));
        QString error;
        QVERIFY2(alice->controller->startScreenShare(ScreenSource::x11Window(window.id(), {}), &error),
                 qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob->lastColour(), kOrange), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(bob->lastSize(), kWindowSize, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(alice->controller->session()->lastStats().videoCodec,
                                  QStringLiteral("H264"), kTimeoutMs);
        alice->controller->stopScreenShare();
        QTRY_VERIFY_WITH_TIMEOUT(isTestSource(bob->lastColour()), kTimeoutMs);
        QVERIFY(hangUp(*alice, *bob));
    }

    void aWindowThatDoesNotExistIsRefusedAndTheCallGoesOn() {
        auto alice = peer(QStringLiteral("gina"));
        auto bob = peer(QStringLiteral("hank"));
        QVERIFY(connectCall(*alice, *bob));
        quint64 gone = 0;
        {
            SolidWindow window(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("short-lived"));
            gone = window.id();
        }
        QString error;
        QVERIFY(!alice->controller->startScreenShare(ScreenSource::x11Window(gone, {}), &error));
        QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
        QVERIFY(!alice->controller->isSharingScreen());
        const int frames = bob->frames();
        QTRY_VERIFY_WITH_TIMEOUT(bob->frames() > frames + 15, kTimeoutMs);
        QVERIFY(isTestSource(bob->lastColour()));  // never the whole screen instead
        QCOMPARE(bob->state(), CallState::Connected);
        QVERIFY(hangUp(*alice, *bob));
    }

    void confabCallSharesAWindowHeadlessly() {
        auto window =
            std::make_unique<SolidWindow>(xvfb_.name(), kWindowSize, kOrange, QStringLiteral("orange"));
        QVERIFY2(window->isShown(), qPrintable(window->error() + xvfb_.log()));
        CallProcess sharer(QStringLiteral("ivy"));
        sharer.start(url(), {QStringLiteral("--answer"), QStringLiteral("--video"),
                             QStringLiteral("screen:0x%1").arg(window->id(), 0, 16)});
        QVERIFY2(!sharer.waitFor(QStringLiteral("logged-in"), kTimeoutMs).isEmpty(),
                 qPrintable(sharer.errorOutput()));
        auto viewer = peer(QStringLiteral("jack"));
        QString error;
        QVERIFY2(viewer->controller->call(QStringLiteral("ivy"), &error), qPrintable(error));
        const QJsonObject started = sharer.waitFor(QStringLiteral("screen-share"), kTimeoutMs);
        QVERIFY2(started.value(QStringLiteral("sharing")).toBool(), qPrintable(sharer.errorOutput()));
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(viewer->lastColour(), kOrange), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(viewer->lastSize(), kWindowSize, kTimeoutMs);

        // The window closes: confab-call says so, sends its test source again, stays in the call.
        window->destroy();
        QTRY_VERIFY_WITH_TIMEOUT(sharer.events(QStringLiteral("screen-share")).size() == 2, kTimeoutMs);
        const QJsonObject ended = sharer.events(QStringLiteral("screen-share")).last();
        QCOMPARE(ended.value(QStringLiteral("sharing")).toBool(true), false);
        QVERIFY(ended.value(QStringLiteral("message")).toString().contains(QStringLiteral("closed")));
        QTRY_VERIFY_WITH_TIMEOUT(isTestSource(viewer->lastColour()), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(viewer->lastSize(), QSize(320, 240), kTimeoutMs);  // ProcessPeers' --size
        QCOMPARE(viewer->state(), CallState::Connected);
        QVERIFY(!sharer.has(QStringLiteral("ended")));

        viewer->controller->hangUp();
        QVERIFY(sharer.waitForExit(kTimeoutMs));
        QCOMPARE(sharer.exitCode(), 0);
    }

    void confabCallRefusesAWindowThatDoesNotExist() {
        CallProcess sharer(QStringLiteral("kim"));
        sharer.start(url(), {QStringLiteral("--answer"), QStringLiteral("--video"),
                             QStringLiteral("screen:0x7ffffff")});
        QVERIFY(sharer.waitForExit(kTimeoutMs));
        QCOMPARE(sharer.exitCode(), 2);
        QVERIFY2(sharer.errorOutput().contains(QStringLiteral("no such window")),
                 qPrintable(sharer.errorOutput()));

        CallProcess badId(QStringLiteral("lee"));
        badId.start(url(),
                    {QStringLiteral("--answer"), QStringLiteral("--video"), QStringLiteral("screen:window")});
        QVERIFY(badId.waitForExit(kTimeoutMs));
        QCOMPARE(badId.exitCode(), 2);
        QVERIFY2(badId.errorOutput().contains(QStringLiteral("window id")), qPrintable(badId.errorOutput()));
    }
};

QTEST_GUILESS_MAIN(TestScreenShare)
#include "tst_screenshare.moc"
