// SPDX-License-Identifier: GPL-3.0-or-later
// The Wayland path of screen sharing: ScreenCastPortal's D-Bus exchange with xdg-desktop-portal,
// against a fake portal on a private session bus (dbus-daemon started here) — a fake only at the
// edge of the machine. The fake answers each Request with a Response signal the way the real portal
// does, records what it was asked, and can cancel or refuse.
#include "FakeScreenCastPortal.h"
#include "PrivateSessionBus.h"
#include "media/ScreenCastPortal.h"
#include "media/ScreenSource.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusUnixFileDescriptor>
#include <QTest>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

#include <optional>

using namespace confab;

namespace {

const int kTimeoutMs = 10000 * std::max(1, qEnvironmentVariableIntValue("CONFAB_TEST_TIME_SCALE"));

}  // namespace

// What one ScreenCastPortal::start ended in.
struct Outcome {
    std::optional<ScreenSource> source;
    QString restoreToken;
    std::optional<ScreenCastPortal::Failure> failure;
    QString sentence;
    bool done() const { return source || failure; }
};

class TestScreenCastPortal : public QObject {
    Q_OBJECT
private:
    PrivateSessionBus bus_;
    QString address_;
    FakeScreenCastPortal fake_;

    QDBusConnection client() { return QDBusConnection(QStringLiteral("client")); }

    Outcome run(ScreenCastPortal &portal, const ScreenCastPortal::Options &options) {
        Outcome outcome;
        QMetaObject::Connection a = connect(&portal, &ScreenCastPortal::started, this,
                                            [&outcome](const ScreenSource &source, const QString &token) {
                                                outcome.source = source;
                                                outcome.restoreToken = token;
                                            });
        QMetaObject::Connection b =
            connect(&portal, &ScreenCastPortal::failed, this,
                    [&outcome](ScreenCastPortal::Failure failure, const QString &sentence) {
                        outcome.failure = failure;
                        outcome.sentence = sentence;
                    });
        portal.start(options);
        if (!QTest::qWaitFor([&] { return outcome.done(); }, kTimeoutMs)) {
            qWarning("the portal exchange did not finish");
        }
        disconnect(a);
        disconnect(b);
        return outcome;
    }

private Q_SLOTS:
    void initTestCase() {
        qDBusRegisterMetaType<PortalStream>();
        qDBusRegisterMetaType<QList<PortalStream>>();
        // A bus of our own on which nothing is activatable: on a desktop with xdg-desktop-portal
        // installed, the system's configuration would start the real portal for the first call.
        QVERIFY2(bus_.start(kTimeoutMs), qPrintable(bus_.error()));
        address_ = bus_.address();
        QVERIFY(QDBusConnection::connectToBus(address_, kFake).isConnected());
        QVERIFY(QDBusConnection::connectToBus(address_, QStringLiteral("client")).isConnected());
        QVERIFY(QDBusConnection(kFake).registerObject(
            kPortalPath, &fake_, QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllProperties));
    }

    void cleanupTestCase() {
        QDBusConnection::disconnectFromBus(kFake);
        QDBusConnection::disconnectFromBus(QStringLiteral("client"));
        bus_.stop();
    }

    void init() {
        fake_.portalVersion = 4;
        fake_.selectResponse = 0;
        fake_.startResponse = 0;
        fake_.lastSelectOptions.clear();
    }

    // First, while nothing owns the portal's name.
    void aDesktopWithoutThePortalIsReportedAsUnavailable() {
        ScreenCastPortal portal(client());
        const Outcome outcome = run(portal, {});
        QVERIFY(outcome.failure);
        QCOMPARE(*outcome.failure, ScreenCastPortal::Failure::Unavailable);
        QVERIFY2(outcome.sentence.contains(QStringLiteral("xdg-desktop-portal")),
                 qPrintable(outcome.sentence));
        QVERIFY(!portal.isActive());
        QVERIFY(QDBusConnection(kFake).registerService(kPortalService));  // for the rest
    }

    void aShareGivesAPipeWireNodeAndDescriptorAndARestoreToken() {
        ScreenCastPortal portal(client());
        ScreenCastPortal::Options options;
        options.parentWindow = QStringLiteral("x11:4a00007");
        const Outcome outcome = run(portal, options);
        QVERIFY2(outcome.source, qPrintable(outcome.sentence));
        QCOMPARE(outcome.source->kind(), ScreenSource::Kind::PipeWire);
        QCOMPARE(outcome.source->pipeWireNode(), kNode);
        QCOMPARE(outcome.restoreToken, QStringLiteral("token-%1").arg(fake_.tokens));
        // A descriptor of our own, open, handed to pipewiresrc with the node.
        const QString description = outcome.source->launchDescription(QSize(1920, 1080));
        QVERIFY2(description.startsWith(QStringLiteral("pipewiresrc")), qPrintable(description));
        QVERIFY2(description.contains(QStringLiteral(" path=42 ")), qPrintable(description));
        const int fd = description.section(QStringLiteral(" fd="), 1).section(QLatin1Char(' '), 0, 0).toInt();
        QVERIFY(fd > 2);
        QVERIFY(fcntl(fd, F_GETFD) != -1);
        // What we asked for: monitors and windows, one source, the cursor drawn in, kept until revoked.
        QCOMPARE(fake_.lastSelectOptions.value(QStringLiteral("types")).toUInt(), 3u);
        QCOMPARE(fake_.lastSelectOptions.value(QStringLiteral("multiple")).toBool(), false);
        QCOMPARE(fake_.lastSelectOptions.value(QStringLiteral("cursor_mode")).toUInt(), 2u);
        QCOMPARE(fake_.lastSelectOptions.value(QStringLiteral("persist_mode")).toUInt(), 2u);
        QVERIFY(!fake_.lastSelectOptions.contains(QStringLiteral("restore_token")));
        QCOMPARE(fake_.lastParentWindow, QStringLiteral("x11:4a00007"));
        QVERIFY(portal.isActive());

        const int closes = fake_.sessionObject.closeCalls;
        portal.close();  // the user stops sharing: the desktop's indicator goes away
        QTRY_COMPARE_WITH_TIMEOUT(fake_.sessionObject.closeCalls, closes + 1, kTimeoutMs);
        QVERIFY(!portal.isActive());
    }

    void theRestoreTokenGoesBackToThePortalNextTime() {
        ScreenCastPortal portal(client());
        const Outcome first = run(portal, {});
        QVERIFY2(first.source, qPrintable(first.sentence));
        QVERIFY(!first.restoreToken.isEmpty());
        portal.close();

        ScreenCastPortal::Options options;
        options.restoreToken = first.restoreToken;
        const Outcome second = run(portal, options);
        QVERIFY2(second.source, qPrintable(second.sentence));
        QCOMPARE(fake_.lastSelectOptions.value(QStringLiteral("restore_token")).toString(),
                 first.restoreToken);
        QVERIFY(!second.restoreToken.isEmpty());
        QVERIFY(second.restoreToken != first.restoreToken);  // tokens are single-use: keep the new one
    }

    void anOlderPortalIsNotAskedToPersist() {
        fake_.portalVersion = 3;
        ScreenCastPortal portal(client());
        ScreenCastPortal::Options options;
        options.restoreToken = QStringLiteral("token-from-elsewhere");
        options.showCursor = false;
        const Outcome outcome = run(portal, options);
        QVERIFY2(outcome.source, qPrintable(outcome.sentence));
        QVERIFY(!fake_.lastSelectOptions.contains(QStringLiteral("persist_mode")));
        QVERIFY(!fake_.lastSelectOptions.contains(QStringLiteral("restore_token")));
        QCOMPARE(fake_.lastSelectOptions.value(QStringLiteral("cursor_mode")).toUInt(), 1u);  // hidden
    }

    void cancellingTheDesktopDialogIsReportedAsCancelled() {
        fake_.startResponse = 1;
        ScreenCastPortal portal(client());
        const int closes = fake_.sessionObject.closeCalls;
        const Outcome outcome = run(portal, {});
        QVERIFY(!outcome.source);
        QVERIFY(outcome.failure);
        QCOMPARE(*outcome.failure, ScreenCastPortal::Failure::Cancelled);
        QVERIFY2(outcome.sentence.contains(QStringLiteral("cancelled")), qPrintable(outcome.sentence));
        QVERIFY(!portal.isActive());
        QTRY_COMPARE_WITH_TIMEOUT(fake_.sessionObject.closeCalls, closes + 1,
                                  kTimeoutMs);  // nothing left open
    }

    void aRefusalIsReportedAsRefused() {
        fake_.selectResponse = 2;
        ScreenCastPortal portal(client());
        const Outcome outcome = run(portal, {});
        QVERIFY(!outcome.source);
        QVERIFY(outcome.failure);
        QCOMPARE(*outcome.failure, ScreenCastPortal::Failure::Refused);
        QVERIFY2(outcome.sentence.contains(QStringLiteral("refused")), qPrintable(outcome.sentence));
    }

    void theDesktopEndingTheShareIsReported() {
        ScreenCastPortal portal(client());
        const Outcome outcome = run(portal, {});
        QVERIFY2(outcome.source, qPrintable(outcome.sentence));
        bool closed = false;
        connect(&portal, &ScreenCastPortal::closed, this, [&closed] { closed = true; });
        fake_.closeSessionFromTheDesktop();
        QTRY_VERIFY_WITH_TIMEOUT(closed, kTimeoutMs);
        QVERIFY(!portal.isActive());
    }

    void sessionTypeComesFromTheEnvironment() {
        qputenv("XDG_SESSION_TYPE", "wayland");
        QVERIFY(ScreenCastPortal::isWaylandSession());
        qputenv("XDG_SESSION_TYPE", "x11");
        qputenv("WAYLAND_DISPLAY", "wayland-0");
        QVERIFY(!ScreenCastPortal::isWaylandSession());
        qunsetenv("XDG_SESSION_TYPE");
        QVERIFY(ScreenCastPortal::isWaylandSession());
        qunsetenv("WAYLAND_DISPLAY");
        QVERIFY(!ScreenCastPortal::isWaylandSession());
    }
};

QTEST_GUILESS_MAIN(TestScreenCastPortal)
#include "tst_screencastportal.moc"
