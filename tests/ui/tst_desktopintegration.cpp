// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop around a call, over a private session bus (dbus-daemon) with stand-ins for the
// notification and screensaver services — fakes only at the edge of the machine: notifications
// with escaped names and Accept/Decline buttons and of missed calls, screensaver inhibition held
// exactly during a call,
// and the ring tone, which plays where there is a sound output and stays quiet where there is none.
#include "CallFlow.h"
#include "DesktopNotifier.h"
#include "IncomingCallDialog.h"
#include "PrivateSessionBus.h"
#include "RingTone.h"
#include "ScreenSaverInhibitor.h"
#include "TestPeer.h"
#include "TrayIcon.h"
#include "signaling/SignalingServer.h"

#include <QAction>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QWidget>

#include <gst/gst.h>

using namespace confab;
using namespace confab::ui;

namespace {
constexpr int kTimeoutMs = 10000;
const QString kFakeConnection = QStringLiteral("fake-services");
}  // namespace

class FakeScreenSaver : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.ScreenSaver")
public:
    QStringList calls;
    uint nextCookie = 41;
public Q_SLOTS:
    uint Inhibit(const QString &application, const QString &reason) {
        calls.append(QStringLiteral("Inhibit %1: %2").arg(application, reason));
        return ++nextCookie;
    }
    void UnInhibit(uint cookie) { calls.append(QStringLiteral("UnInhibit %1").arg(cookie)); }
};

class FakeNotifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    QString lastBody;
    QStringList lastActions;
    QList<uint> closed;
public Q_SLOTS:
    uint Notify(const QString &, uint, const QString &, const QString &, const QString &body,
                const QStringList &actions, const QVariantMap &, int) {
        lastBody = body;
        lastActions = actions;
        return 7;
    }
    void CloseNotification(uint id) { closed.append(id); }
};

class TestDesktopIntegration : public QObject {
    Q_OBJECT
private:
    PrivateSessionBus bus_;
    FakeScreenSaver screenSaver_;
    FakeNotifications notifications_;

    QDBusConnection fake() { return QDBusConnection(kFakeConnection); }

    // Each test function can run alone (-functions): the stand-ins are put on the bus on demand.
    bool offer(QObject *service, const QString &name, const QString &path) {
        if (fake().interface()->isServiceRegistered(name)) {
            return true;
        }
        return fake().registerObject(path, service, QDBusConnection::ExportAllSlots) &&
               fake().registerService(name);
    }
    bool offerScreenSaver() {
        return offer(&screenSaver_, QStringLiteral("org.freedesktop.ScreenSaver"),
                     QStringLiteral("/org/freedesktop/ScreenSaver"));
    }
    bool offerNotifications() {
        return offer(&notifications_, QStringLiteral("org.freedesktop.Notifications"),
                     QStringLiteral("/org/freedesktop/Notifications"));
    }

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        // Nothing is activatable on it: the stand-ins below are the only notification server and
        // screensaver, whatever the machine has installed.
        QVERIFY2(bus_.start(kTimeoutMs), qPrintable(bus_.error()));
        const QByteArray address = bus_.address().toUtf8();
        // Before anything opens the session bus, which reads this once.
        qputenv("DBUS_SESSION_BUS_ADDRESS", address);
        QVERIFY(QDBusConnection::sessionBus().isConnected());
        // Only Qt's connection (now made) is to use it: GLib's own session-bus users (dconf, via
        // GSettings) close the process with SIGTERM when the bus goes away at the end.
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        QVERIFY(QDBusConnection::connectToBus(QString::fromUtf8(address), kFakeConnection).isConnected());
    }

    void cleanupTestCase() {
        QDBusConnection::disconnectFromBus(kFakeConnection);
        bus_.stop();
    }

    void screensaverIsInhibitedDuringACallAndReleasedAfter() {
        QVERIFY(offerScreenSaver());
        ScreenSaverInhibitor inhibitor;
        QSignalSpy cookies(&inhibitor, &ScreenSaverInhibitor::cookieChanged);
        inhibitor.inhibit(true, QStringLiteral("In a call with bob"));
        inhibitor.inhibit(true);  // idempotent
        QVERIFY(cookies.wait(kTimeoutMs));
        QCOMPARE(inhibitor.cookie(), 42u);
        QCOMPARE(screenSaver_.calls.size(), 1);
        QVERIFY(screenSaver_.calls.first().endsWith(QStringLiteral("In a call with bob")));
        inhibitor.inhibit(false);
        QCOMPARE(inhibitor.cookie(), 0u);
        QTRY_COMPARE_WITH_TIMEOUT(screenSaver_.calls.size(), 2, kTimeoutMs);
        QCOMPARE(screenSaver_.calls.last(), QStringLiteral("UnInhibit 42"));
    }

    void notificationEscapesTheNameAndOffersAcceptAndDecline() {
        DesktopNotifier notifier;
        QVERIFY(!notifier.isAvailable());
        notifier.showIncomingCall(QStringLiteral("bob"));  // no server: nothing, no error
        QVERIFY(offerNotifications());
        QTRY_VERIFY_WITH_TIMEOUT(notifier.isAvailable(), kTimeoutMs);

        notifier.showIncomingCall(QStringLiteral("<b>x</b>"));
        QTRY_COMPARE_WITH_TIMEOUT(notifications_.lastBody,
                                  QStringLiteral("&lt;b&gt;x&lt;/b&gt; is calling you."), kTimeoutMs);
        QVERIFY(notifications_.lastActions.contains(QStringLiteral("accept")));
        QVERIFY(notifications_.lastActions.contains(QStringLiteral("decline")));

        // The user presses Accept in the notification.
        QSignalSpy accepted(&notifier, &DesktopNotifier::acceptRequested);
        QTest::qWait(0);
        QDBusMessage signal = QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                                         QStringLiteral("org.freedesktop.Notifications"),
                                                         QStringLiteral("ActionInvoked"));
        signal << 7u << QStringLiteral("accept");
        // Wait until the notifier knows its id (the Notify reply), then send the click.
        QTRY_VERIFY_WITH_TIMEOUT((fake().send(signal), accepted.wait(200)), kTimeoutMs);
        notifier.closeIncomingCall();
        QTRY_COMPARE_WITH_TIMEOUT(notifications_.closed, QList<uint>{7u}, kTimeoutMs);
    }

    // The notification's id only comes with the server's reply: a call answered in the window
    // before that reply still takes its notification down.
    void notificationClosedBeforeTheServerRepliesIsClosedWhenItDoes() {
        QVERIFY(offerNotifications());
        DesktopNotifier notifier;
        QTRY_VERIFY_WITH_TIMEOUT(notifier.isAvailable(), kTimeoutMs);
        const qsizetype closedBefore = notifications_.closed.size();
        notifier.showIncomingCall(QStringLiteral("bob"));
        notifier.closeIncomingCall();  // no event loop in between: the Notify reply is not in yet
        QTRY_COMPARE_WITH_TIMEOUT(notifications_.closed.size(), closedBefore + 1, kTimeoutMs);
        QCOMPARE(notifications_.closed.last(), 7u);
        QCOMPARE(notifications_.lastBody, QStringLiteral("bob is calling you."));
    }

    // The call flow's use of both: a call while the user is elsewhere pops a notification, and the
    // screensaver is held from answering until hanging up; a missed call leaves a notification.
    void callFlowNotifiesInTheBackgroundAndInhibitsDuringTheCall() {
        SignalingServerOptions serverOptions;
        serverOptions.port = 0;
        SignalingServer server(serverOptions);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        SignalingClient client;
        CallController::Settings settings;
        settings.media = smallMedia();
        CallController controller(&client, settings);
        CallFlow::Options options;
        options.ringSink = QStringLiteral("fakesink sync=true");
        CallFlow flow(&client, &controller, options);
        client.connectToServer(server.url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QVERIFY(offerScreenSaver());
        QVERIFY(offerNotifications());
        flow.setUserPresent(false);  // another window has the focus: Confab is in the background
        notifications_.lastBody.clear();
        const int screenSaverCalls = int(screenSaver_.calls.size());
        const int closedNotifications = int(notifications_.closed.size());

        TestPeer bob(QStringLiteral("bob"), server.url());
        QTRY_COMPARE_WITH_TIMEOUT(bob.client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QVERIFY2(bob.controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(notifications_.lastBody, QStringLiteral("bob is calling you."), kTimeoutMs);
        QCOMPARE(int(screenSaver_.calls.size()), screenSaverCalls);  // not while it only rings

        flow.accept(true);
        QTRY_COMPARE_WITH_TIMEOUT(controller.state(), CallState::Connected, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(screenSaver_.calls.size() > screenSaverCalls, kTimeoutMs);
        QVERIFY(screenSaver_.calls.last().startsWith(QStringLiteral("Inhibit")));
        QTRY_COMPARE_WITH_TIMEOUT(int(notifications_.closed.size()), closedNotifications + 1, kTimeoutMs);
        bob.controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(controller.state(), CallState::Idle, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(screenSaver_.calls.last().startsWith(QStringLiteral("UnInhibit")),
                                 kTimeoutMs);

        // bob calls again and gives up: a missed call, noted on the desktop.
        QVERIFY2(bob.controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(controller.state(), CallState::Ringing, kTimeoutMs);
        bob.controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(notifications_.lastBody, QStringLiteral("You missed a call from bob."),
                                  kTimeoutMs);
    }

    // Missed calls mark the tray's icon with a red dot and are counted in its tooltip; a caller
    // is named there while it rings.
    void trayIconMarksMissedCalls() {
        QAction doNotDisturb(QStringLiteral("Do not disturb"));
        TrayIcon tray(&doNotDisturb);
        const auto redDot = [&tray] {
            const QImage image = tray.icon().pixmap(32, 32).toImage();
            const QColor corner = image.pixelColor(image.width() - 8, 7);  // the dot's centre
            return corner.red() > 200 && corner.green() < 80 && corner.blue() < 80;
        };
        QVERIFY(!redDot());
        QCOMPARE(tray.toolTip(), QStringLiteral("Confab"));
        tray.setMissedCalls(2);
        QVERIFY(redDot());
        QVERIFY2(tray.toolTip().contains(QLatin1Char('2')), qPrintable(tray.toolTip()));
        tray.setCaller(QStringLiteral("bob"));
        QCOMPARE(tray.toolTip(), QStringLiteral("bob is calling you"));
        tray.setCaller({});
        tray.setMissedCalls(0);  // seen
        QVERIFY(!redDot());
        QCOMPARE(tray.toolTip(), QStringLiteral("Confab"));
    }

    void ringTonePlaysInCadence() {
        RingTone tone(QStringLiteral("fakesink sync=true"));
        tone.start();
        QVERIFY(tone.isRinging());
        QVERIFY(tone.isAudible());
        tone.stop();
        QVERIFY(!tone.isRinging());
        QVERIFY(!tone.isAudible());
    }

    void ringToneWithoutASoundOutputIsSilentNotFatal() {
        // A sink that cannot be made stands for a machine with no sound output at all.
        RingTone tone(QStringLiteral("no-such-audio-sink"));
        tone.start();
        QVERIFY(tone.isRinging());  // the call still rings on screen
        QVERIFY(!tone.isAudible());
        tone.stop();
        QVERIFY(!tone.isRinging());
    }
};

QTEST_MAIN(TestDesktopIntegration)
#include "tst_desktopintegration.moc"
