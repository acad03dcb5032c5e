// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A stand-in for xdg-desktop-portal's ScreenCast interface on a test's private bus: answers each
// Request with a Response signal as the real portal does, records what it was asked, and can
// cancel or refuse. Registered by the test on its bus connection named kFake.
#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusUnixFileDescriptor>
#include <QObject>
#include <QTimer>
#include <QVariantMap>

#include <sys/socket.h>
#include <unistd.h>

inline const QString kFake = QStringLiteral("fake-portal");
inline const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
inline const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
constexpr quint32 kNode = 42;

// One entry of Start's "streams": (node id, properties), D-Bus type (ua{sv}).
struct PortalStream {
    quint32 node = 0;
    QVariantMap properties;
};

inline QDBusArgument &operator<<(QDBusArgument &argument, const PortalStream &stream) {
    argument.beginStructure();
    argument << stream.node << stream.properties;
    argument.endStructure();
    return argument;
}

inline const QDBusArgument &operator>>(const QDBusArgument &argument, PortalStream &stream) {
    argument.beginStructure();
    argument >> stream.node >> stream.properties;
    argument.endStructure();
    return argument;
}

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
        QDBusConnection(kFake).registerObject(lastSessionPath, &sessionObject,
                                              QDBusConnection::ExportAllSlots);
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
        // A socket whose other end is gone: a PipeWire client sees the connection fail at once.
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
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
