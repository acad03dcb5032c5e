// SPDX-License-Identifier: GPL-3.0-or-later
// Screen sharing in the desktop app, on an Xvfb of the test's own: the picker lists the screen and
// the windows by title; the call window's Share screen button opens it, the chosen window's colour
// reaches the other side, Stop sharing brings the camera (test source) back, and a shared window
// that closes ends the share with a notice while the call goes on. Real calls, pixels checked.
#include "CallWindow.h"
#include "ColourPeer.h"
#include "FakeScreenCastPortal.h"
#include "PrivateSessionBus.h"
#include "ScreenPicker.h"
#include "XvfbDisplay.h"
#include "call/CallController.h"
#include "signaling/SignalingServer.h"

#include <QDBusConnectionInterface>
#include <QDBusMetaType>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <gst/gst.h>

using namespace confab;
using namespace confab::ui;

namespace {

const int kTimeoutMs = 20000 * std::max(1, qEnvironmentVariableIntValue("CONFAB_TEST_TIME_SCALE"));
const Rgb kOrange{250, 130, 10, true};
const Rgb kGreen{20, 200, 60, true};

bool isTestSource(const Rgb &c) {
    return c.valid && c.blue > c.red + 30;
}

// The longest time the main thread went without running its event loop while this lived: a
// timer due every 10 ms notes how late each tick came.
class EventLoopWatch {
public:
    EventLoopWatch() {
        QObject::connect(&timer_, &QTimer::timeout,
                         [this] { longestGapMs_ = std::max(longestGapMs_, sinceTick_.restart()); });
        sinceTick_.start();
        timer_.start(10);
    }
    qint64 longestGapMs() const { return std::max(longestGapMs_, sinceTick_.elapsed()); }

private:
    QTimer timer_;
    QElapsedTimer sinceTick_;
    qint64 longestGapMs_ = 0;
};

QListWidgetItem *itemTitled(QListWidget *list, const QString &text) {
    const QList<QListWidgetItem *> found = list->findItems(text, Qt::MatchExactly);
    return found.isEmpty() ? nullptr : found.first();
}

}  // namespace

class TestScreenPicker : public QObject {
    Q_OBJECT
private:
    XvfbDisplay xvfb_;
    std::unique_ptr<SignalingServer> server_;

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        QString error;
        QVERIFY2(xvfb_.start(QSize(1024, 768), &error), qPrintable(error));
        qputenv("DISPLAY", xvfb_.name().toLocal8Bit());  // the app's X11 display (Qt itself is offscreen)
        qunsetenv("XDG_SESSION_TYPE");                   // X11, not the portal
        qunsetenv("WAYLAND_DISPLAY");
        SignalingServerOptions options;
        options.port = 0;
        server_ = std::make_unique<SignalingServer>(options);
        QVERIFY2(server_->start(&error), qPrintable(error));
    }

    void pickerListsTheScreenAndTheWindowsByTitle() {
        SolidWindow alpha(xvfb_.name(), QSize(300, 200), kOrange, QStringLiteral("Alpha notes"));
        SolidWindow beta(xvfb_.name(), QSize(200, 150), kGreen, QStringLiteral("Beta chart"));
        QVERIFY(alpha.isShown() && beta.isShown());
        ScreenPicker picker;
        QListWidget *list = picker.list();
        QCOMPARE(list->item(0)->text(), QStringLiteral("Entire screen (1024×768)"));
        QVERIFY(itemTitled(list, QStringLiteral("Alpha notes")));
        QVERIFY(itemTitled(list, QStringLiteral("Beta chart")));
        QCOMPARE(list->row(itemTitled(list, QStringLiteral("Beta chart"))), 1);  // topmost first
        QVERIFY(!picker.shareButton()->isEnabled());                             // nothing chosen yet

        picker.open();
        list->setCurrentItem(itemTitled(list, QStringLiteral("Alpha notes")));
        QVERIFY(picker.shareButton()->isEnabled());
        picker.shareButton()->click();
        QCOMPARE(picker.result(), int(QDialog::Accepted));
        const std::optional<ScreenSource> chosen = picker.chosen();
        QVERIFY(chosen);
        QCOMPARE(chosen->kind(), ScreenSource::Kind::X11Window);
        QCOMPARE(chosen->windowId(), alpha.id());
        QCOMPARE(chosen->title(), QStringLiteral("Alpha notes"));

        ScreenPicker cancelled;
        cancelled.open();
        cancelled.list()->setCurrentRow(0);
        cancelled.reject();
        QVERIFY(!cancelled.chosen());
    }

    // On Wayland the button goes through the desktop's portal (a fake on a private bus here): the
    // restore token it returns is kept in the settings and handed back on the next share. The
    // portal's descriptor is a pipe, not PipeWire, so the capture never starts: after
    // ScreenShareBranch::kStartTimeoutMs the user is told, the call goes on, and the portal session
    // is closed; the window runs on meanwhile.
    void waylandSharesGoThroughThePortalAndKeepItsToken() {
        PrivateSessionBus bus;  // nothing activatable: the fake is the only portal on it
        QVERIFY2(bus.start(kTimeoutMs), qPrintable(bus.error()));
        const QByteArray address = bus.address().toUtf8();
        qputenv("DBUS_SESSION_BUS_ADDRESS", address);
        QVERIFY(QDBusConnection::sessionBus().isConnected());
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");  // only Qt's connection (see tst_desktopintegration)
        qDBusRegisterMetaType<PortalStream>();
        qDBusRegisterMetaType<QList<PortalStream>>();
        FakeScreenCastPortal fake;
        QVERIFY(QDBusConnection::connectToBus(QString::fromUtf8(address), kFake).isConnected());
        QVERIFY(QDBusConnection(kFake).registerObject(
            kPortalPath, &fake, QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllProperties));
        QVERIFY(QDBusConnection(kFake).registerService(kPortalService));
        QStandardPaths::setTestModeEnabled(true);  // QSettings under ~/.qttest, not the user's
        QSettings().remove(QStringLiteral("screenSharing/portalRestoreToken"));
        qputenv("XDG_SESSION_TYPE", "wayland");
        // Undone however this function returns: the next test's picker is the X11 one.
        const auto restore = qScopeGuard([&bus] {
            qunsetenv("XDG_SESSION_TYPE");
            QDBusConnection::disconnectFromBus(kFake);
            bus.stop();
        });

        {
            SignalingClient client;
            CallController::Settings settings;
            settings.media.width = 160;
            settings.media.height = 120;
            settings.media.fps = 15;
            CallController controller(&client, settings);
            CallWindow callWindow(&controller);
            callWindow.show();
            client.connectToServer(server_->url(), QStringLiteral("wayland-desk"));
            ColourPeer bob(QStringLiteral("wayland-bob"), server_->url());
            QObject::connect(bob.controller.get(), &CallController::incomingCall, bob.controller.get(),
                             [&bob] {
                                 QString error;
                                 bob.controller->accept(&error);
                             });
            QTRY_VERIFY_WITH_TIMEOUT(client.state() == SignalingClient::State::LoggedIn &&
                                         bob.client.state() == SignalingClient::State::LoggedIn,
                                     kTimeoutMs);
            QString error;
            QVERIFY2(controller.call(QStringLiteral("wayland-bob"), &error), qPrintable(error));
            QTRY_COMPARE_WITH_TIMEOUT(controller.state(), CallState::Connected, kTimeoutMs);

            auto *notices = callWindow.findChild<QLabel *>(QStringLiteral("notices"));
            QVERIFY(notices);
            {
                // The window keeps running while the capture fails to start: pipewiresrc waits
                // for a stream that never comes, and on the main thread that wait froze it for 30 s.
                EventLoopWatch watch;
                callWindow.shareButton()->click();
                QVERIFY(!callWindow.screenPicker());  // the desktop's dialog, not ours
                QTRY_COMPARE_WITH_TIMEOUT(
                    QSettings().value(QStringLiteral("screenSharing/portalRestoreToken")).toString(),
                    QStringLiteral("token-1"), kTimeoutMs);
                QVERIFY(!fake.lastSelectOptions.contains(QStringLiteral("restore_token")));
                QTRY_VERIFY_WITH_TIMEOUT(!controller.isSharingScreen(), kTimeoutMs);
                QVERIFY2(notices->text().contains(QStringLiteral("could not be captured")),
                         qPrintable(notices->text()));
                QTRY_VERIFY_WITH_TIMEOUT(fake.sessionObject.closeCalls >= 1, kTimeoutMs);
                QVERIFY2(
                    watch.longestGapMs() < kTimeoutMs / 10,
                    qPrintable(
                        QStringLiteral("the event loop stood still for %1 ms").arg(watch.longestGapMs())));
            }
            QCOMPARE(callWindow.shareButton()->text(), QStringLiteral("Share screen"));

            EventLoopWatch watch;
            callWindow.shareButton()->click();  // the next share hands the token back
            QTRY_COMPARE_WITH_TIMEOUT(
                fake.lastSelectOptions.value(QStringLiteral("restore_token")).toString(),
                QStringLiteral("token-1"), kTimeoutMs);
            QTRY_COMPARE_WITH_TIMEOUT(
                QSettings().value(QStringLiteral("screenSharing/portalRestoreToken")).toString(),
                QStringLiteral("token-2"), kTimeoutMs);
            QCOMPARE(controller.state(), CallState::Connected);
            QCOMPARE(bob.state(), CallState::Connected);
            // Hung up while the capture is still starting: that start is ended, not waited for.
            QVERIFY(controller.isSharingScreen());
            controller.hangUp();
            QTRY_COMPARE_WITH_TIMEOUT(controller.state(), CallState::Idle, kTimeoutMs);
            QVERIFY2(
                watch.longestGapMs() < kTimeoutMs / 10,
                qPrintable(QStringLiteral("the event loop stood still for %1 ms").arg(watch.longestGapMs())));
        }
    }

    void callWindowSharesAPickedWindowAndStops() {
        auto window =
            std::make_unique<SolidWindow>(xvfb_.name(), QSize(320, 200), kOrange, QStringLiteral("Slides"));
        QVERIFY(window->isShown());
        SignalingClient client;
        CallController::Settings settings;
        settings.media.width = 160;
        settings.media.height = 120;
        settings.media.fps = 15;
        CallController controller(&client, settings);
        CallWindow callWindow(&controller);
        callWindow.resize(800, 600);
        callWindow.show();
        client.connectToServer(server_->url(), QStringLiteral("desk"));
        ColourPeer bob(QStringLiteral("bob"), server_->url());
        QObject::connect(bob.controller.get(), &CallController::incomingCall, bob.controller.get(), [&bob] {
            QString error;
            bob.controller->accept(&error);
        });
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == SignalingClient::State::LoggedIn &&
                                     bob.client.state() == SignalingClient::State::LoggedIn,
                                 kTimeoutMs);
        QVERIFY(!callWindow.shareButton()->isEnabled());  // no call, nothing to share into
        QString error;
        QVERIFY2(controller.call(QStringLiteral("bob"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(controller.state(), CallState::Connected, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(isTestSource(bob.lastColour()), kTimeoutMs);
        QVERIFY(callWindow.shareButton()->isEnabled());

        callWindow.shareButton()->click();
        QVERIFY(callWindow.screenPicker());
        ScreenPicker *picker = callWindow.screenPicker();
        QListWidgetItem *slides = itemTitled(picker->list(), QStringLiteral("Slides"));
        QVERIFY(slides);
        picker->list()->setCurrentItem(slides);
        picker->shareButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob.lastColour(), kOrange), kTimeoutMs);
        QCOMPARE(callWindow.shareButton()->text(), QStringLiteral("Stop sharing"));

        callWindow.shareButton()->click();  // Stop sharing
        QTRY_VERIFY_WITH_TIMEOUT(isTestSource(bob.lastColour()), kTimeoutMs);
        QCOMPARE(callWindow.shareButton()->text(), QStringLiteral("Share screen"));
        QVERIFY(!controller.isSharingScreen());

        // Shared again, then the window closes: a notice says so, the call goes on.
        callWindow.shareButton()->click();
        picker = callWindow.screenPicker();
        QVERIFY(picker);
        picker->list()->setCurrentItem(itemTitled(picker->list(), QStringLiteral("Slides")));
        picker->shareButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(ColourPeer::near(bob.lastColour(), kOrange), kTimeoutMs);
        window->destroy();
        QTRY_COMPARE_WITH_TIMEOUT(callWindow.shareButton()->text(), QStringLiteral("Share screen"),
                                  kTimeoutMs);
        auto *notices = callWindow.findChild<QLabel *>(QStringLiteral("notices"));
        QVERIFY(notices);
        QVERIFY2(notices->text().contains(QStringLiteral("closed")), qPrintable(notices->text()));
        QTRY_VERIFY_WITH_TIMEOUT(isTestSource(bob.lastColour()), kTimeoutMs);
        QCOMPARE(controller.state(), CallState::Connected);

        controller.hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(controller.state(), CallState::Idle, kTimeoutMs);
        QVERIFY(!callWindow.shareButton()->isEnabled());
    }
};

QTEST_MAIN(TestScreenPicker)
#include "tst_screenpicker.moc"
