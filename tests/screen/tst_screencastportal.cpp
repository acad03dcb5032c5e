// The Wayland path of screen sharing: ScreenCastPortal's D-Bus exchange with xdg-desktop-portal,
// against a fake portal on a private session bus (dbus-daemon started here) — a fake only at the
// edge of the machine. The fake answers each Request with a Response signal the way the real portal
// does, records what it was asked, and can cancel or refuse.
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
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

#include <optional>

using namespace confab;

namespace {

const int kTimeoutMs = 10000 * std::max(1, qEnvironmentVariableIntValue("CONFAB_TEST_TIME_SCALE"));
const QString kFake = QStringLiteral("fake-portal");
const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
constexpr quint32 kNode = 42;

// One entry of Start's "streams": (node id, properties), D-Bus type (ua{sv}).
struct PortalStream {
    quint32 node = 0;
    QVariantMap properties;
};

QDBusArgument &operator<<(QDBusArgument &argument, const PortalStream &stream) {
    argument.beginStructure();
    argument << stream.node << stream.properties;
    argument.endStructure();
    return argument;
}

const QDBusArgument &operator>>(const QDBusArgument &argument, PortalStream &stream) {
    argument.beginStructure();
    argument >> stream.node >> stream.properties;
    argument.endStructure();
    return argument;
}

}  // namespace

Q_DECLARE_METATYPE(PortalStream)

// A session object the fake creates per CreateSession: counts Close calls.
class FakeSession : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Session")
public:
    int closeCalls = 0;
public Q_SLOTS:
    void Close() { ++closeCalls; }
};

class FakeScreenCastPortal : public QObject, protected QDBusContext {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.ScreenCast")
    Q_PROPERTY(uint version READ version)
    Q_PROPERTY(uint AvailableSourceTypes READ availableSourceTypes)
    Q_PROPERTY(uint AvailableCursorModes READ availableCursorModes)
public:
    uint portalVersion = 4;
    uint selectResponse = 0;  // 0 success, 1 cancelled, 2 other error (refused)
    uint startResponse = 0;
    QVariantMap lastSelectOptions;
    QString lastParentWindow;
    QString lastSessionPath;
    int tokens = 0;
    FakeSession sessionObject;

    uint version() const { return portalVersion; }
    uint availableSourceTypes() const { return 3; }          // monitor | window
    uint availableCursorModes() const { return 1 | 2 | 4; }  // hidden | embedded | metadata

    void closeSessionFromTheDesktop() {
        QDBusConnection(kFake).send(QDBusMessage::createSignal(
            lastSessionPath, QStringLiteral("org.freedesktop.portal.Session"), QStringLiteral("Closed")));
    }

public Q_SLOTS:
    QDBusObjectPath CreateSession(const QVariantMap &options) {
        const QString sender = senderPathPart();
        lastSessionPath =
            QStringLiteral("%1/session/%2/%3")
                .arg(kPortalPath, sender, options.value(QStringLiteral("session_handle_token")).toString());
        QDBusConnection(kFake).unregisterObject(lastSessionPath);
        QDBusConnection(kFake).registerObject(lastSessionPath, &sessionObject, QDBusConnection::ExportAllSlots);
        return respond(options, 0, {{QStringLiteral("session_handle"), lastSessionPath}});
    }
    QDBusObjectPath SelectSources(const QDBusObjectPath &session, const QVariantMap &options) {
        Q_UNUSED(session);
        lastSelectOptions = options;
        return respond(options, selectResponse, {});
    }
    QDBusObjectPath Start(const QDBusObjectPath &session, const QString &parentWindow,
                          const QVariantMap &options) {
        Q_UNUSED(session);
        lastParentWindow = parentWindow;
        QVariantMap results;
        if (startResponse == 0) {
            results.insert(
                QStringLiteral("streams"),
                QVariant::fromValue(QList<PortalStream>{{kNode, {{QStringLiteral("source_type"), 1u}}}}));
            results.insert(QStringLiteral("restore_token"), QStringLiteral("token-%1").arg(++tokens));
        }
        return respond(options, startResponse, results);
    }
    QDBusUnixFileDescriptor OpenPipeWireRemote(const QDBusObjectPath &session, const QVariantMap &options) {
        Q_UNUSED(session);
        Q_UNUSED(options);
        int fds[2];
        if (pipe(fds) != 0) {
            return {};
        }
        QDBusUnixFileDescriptor fd(fds[0]);  // dups it
        close(fds[0]);
        close(fds[1]);
        return fd;
    }

private:
    QString senderPathPart() const {
        QString sender = message().service().mid(1);
        sender.replace(QLatin1Char('.'), QLatin1Char('_'));
        return sender;
    }
    // The Request object's path, and its Response sent after the method's reply (as the portal does:
    // the dialog answers later).
    QDBusObjectPath respond(const QVariantMap &options, uint response, const QVariantMap &results) {
        const QString path =
            QStringLiteral("%1/request/%2/%3")
                .arg(kPortalPath, senderPathPart(), options.value(QStringLiteral("handle_token")).toString());
        QTimer::singleShot(10, this, [path, response, results] {
            QDBusMessage signal = QDBusMessage::createSignal(
                path, QStringLiteral("org.freedesktop.portal.Request"), QStringLiteral("Response"));
            signal << response << results;
            QDBusConnection(kFake).send(signal);
        });
        return QDBusObjectPath(path);
    }
};

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
    QProcess bus_;
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
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        QVERIFY2(!daemon.isEmpty(), "dbus-daemon is needed (package dbus-daemon, in CONFAB_TEST_PACKAGES)");
        bus_.start(daemon, {QStringLiteral("--session"), QStringLiteral("--nofork"),
                            QStringLiteral("--print-address=1")});
        QVERIFY(bus_.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(bus_.canReadLine(), kTimeoutMs);
        address_ = QString::fromUtf8(bus_.readLine().trimmed());
        QVERIFY(QDBusConnection::connectToBus(address_, kFake).isConnected());
        QVERIFY(QDBusConnection::connectToBus(address_, QStringLiteral("client")).isConnected());
        QVERIFY(QDBusConnection(kFake).registerObject(
            kPortalPath, &fake_, QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllProperties));
    }

    void cleanupTestCase() {
        QDBusConnection::disconnectFromBus(kFake);
        QDBusConnection::disconnectFromBus(QStringLiteral("client"));
        bus_.kill();
        bus_.waitForFinished();
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
        QTRY_COMPARE_WITH_TIMEOUT(fake_.sessionObject.closeCalls, closes + 1, kTimeoutMs);  // nothing left open
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
