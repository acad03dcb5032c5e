// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/ScreenCastPortal.h"

#include "util/Logging.h"

#include <QDBusArgument>
#include <QDBusError>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusUnixFileDescriptor>
#include <QRandomGenerator>

namespace confab {

namespace {

const QString kService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kScreenCast = QStringLiteral("org.freedesktop.portal.ScreenCast");
const QString kRequest = QStringLiteral("org.freedesktop.portal.Request");
const QString kSession = QStringLiteral("org.freedesktop.portal.Session");

// The portal's cursor modes (AvailableCursorModes) and persist modes.
constexpr uint kCursorHidden = 1;
constexpr uint kCursorEmbedded = 2;
constexpr uint kPersistUntilRevoked = 2;

// Response codes of org.freedesktop.portal.Request.
constexpr uint kResponseSuccess = 0;
constexpr uint kResponseCancelled = 1;

bool isMissingService(const QDBusError &error) {
    return error.type() == QDBusError::ServiceUnknown || error.type() == QDBusError::UnknownInterface ||
           error.type() == QDBusError::UnknownMethod || error.type() == QDBusError::UnknownObject;
}

// Start's "streams": a(ua{sv}), one (node id, properties) per chosen source; we ask for one.
quint32 firstStreamNode(const QVariant &streams) {
    const QDBusArgument argument = streams.value<QDBusArgument>();
    quint32 node = 0;
    bool found = false;
    argument.beginArray();
    while (!argument.atEnd()) {
        quint32 id = 0;
        QVariantMap properties;
        argument.beginStructure();
        argument >> id >> properties;
        argument.endStructure();
        if (!found) {
            node = id;
            found = true;
        }
    }
    argument.endArray();
    return found ? node : 0;
}

}  // namespace

ScreenCastPortal::ScreenCastPortal(const QDBusConnection &bus, QObject *parent)
    : QObject(parent), bus_(bus) {}

ScreenCastPortal::~ScreenCastPortal() {
    close();
}

bool ScreenCastPortal::isWaylandSession() {
    const QByteArray type = qgetenv("XDG_SESSION_TYPE");
    if (!type.isEmpty()) {
        return type == "wayland";
    }
    return !qgetenv("WAYLAND_DISPLAY").isEmpty();
}

QString ScreenCastPortal::describe(Failure failure) {
    switch (failure) {
        case Failure::Unavailable:
            return tr(
                "This desktop offers no screen sharing to apps (the xdg-desktop-portal ScreenCast "
                "service is missing).");
        case Failure::Cancelled:
            return tr("Screen sharing was cancelled.");
        case Failure::Refused:
            return tr("The desktop refused to share the screen.");
        case Failure::Failed:
            return tr("Screen sharing could not start.");
    }
    return {};
}

void ScreenCastPortal::start(const Options &options) {
    close();
    options_ = options;
    restoreToken_.clear();
    node_ = 0;
    if (!bus_.isConnected()) {
        fail(Failure::Unavailable, QStringLiteral("no session bus"));
        return;
    }
    // What this desktop's portal supports decides what we may ask for.
    step_ = Step::Properties;
    QDBusMessage message = QDBusMessage::createMethodCall(
        kService, kPath, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("GetAll"));
    message << kScreenCast;
    auto *watcher = new QDBusPendingCallWatcher(bus_.asyncCall(message), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *call) {
        call->deleteLater();
        const QDBusPendingReply<QVariantMap> reply = *call;
        if (step_ != Step::Properties) {
            return;  // closed meanwhile
        }
        if (reply.isError()) {
            fail(isMissingService(reply.error()) ? Failure::Unavailable : Failure::Failed,
                 reply.error().message());
            return;
        }
        propertiesArrived(reply.value());
    });
}

void ScreenCastPortal::propertiesArrived(const QVariantMap &properties) {
    version_ = properties.value(QStringLiteral("version")).toUInt();
    availableTypes_ = properties.value(QStringLiteral("AvailableSourceTypes"), uint(Monitor)).toUInt();
    cursorModes_ = properties.value(QStringLiteral("AvailableCursorModes")).toUInt();
    qCDebug(lcMedia) << "screen cast portal version" << version_ << "types" << availableTypes_
                     << "cursor modes" << cursorModes_;
    if ((availableTypes_ & options_.types) == 0) {
        fail(Failure::Unavailable, QStringLiteral("none of the requested source types is available"));
        return;
    }
    step_ = Step::CreatingSession;
    QVariantMap createOptions;
    createOptions.insert(QStringLiteral("session_handle_token"),
                         QStringLiteral("confab_session_%1").arg(QRandomGenerator::global()->generate()));
    request(QStringLiteral("CreateSession"), {}, createOptions);
}

void ScreenCastPortal::request(const QString &method, QVariantList arguments, QVariantMap options) {
    // The Request's path is known before the call (sender and token), so the Response cannot be
    // missed; older portals that answer with another path are handled when the reply comes.
    const QString token =
        QStringLiteral("confab_%1_%2").arg(++tokenCount_).arg(QRandomGenerator::global()->generate());
    options.insert(QStringLiteral("handle_token"), token);
    QString sender = bus_.baseService().mid(1);
    sender.replace(QLatin1Char('.'), QLatin1Char('_'));
    subscribe(QStringLiteral("%1/request/%2/%3").arg(kPath, sender, token));

    QDBusMessage message = QDBusMessage::createMethodCall(kService, kPath, kScreenCast, method);
    arguments.append(options);
    message.setArguments(arguments);
    auto *watcher = new QDBusPendingCallWatcher(bus_.asyncCall(message), this);
    const Step step = step_;
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, step, method](QDBusPendingCallWatcher *call) {
                call->deleteLater();
                const QDBusPendingReply<QDBusObjectPath> reply = *call;
                if (step_ != step) {
                    return;
                }
                if (reply.isError()) {
                    qCWarning(lcMedia).noquote()
                        << "screen cast portal:" << method << reply.error().message();
                    fail(isMissingService(reply.error()) ? Failure::Unavailable : Failure::Failed,
                         reply.error().message());
                    return;
                }
                if (reply.value().path() != requestPath_) {
                    subscribe(reply.value().path());
                }
            });
}

void ScreenCastPortal::subscribe(const QString &requestPath) {
    unsubscribe();
    requestPath_ = requestPath;
    bus_.connect(kService, requestPath_, kRequest, QStringLiteral("Response"), this,
                 SLOT(onResponse(uint, QVariantMap)));
}

void ScreenCastPortal::unsubscribe() {
    if (!requestPath_.isEmpty()) {
        bus_.disconnect(kService, requestPath_, kRequest, QStringLiteral("Response"), this,
                        SLOT(onResponse(uint, QVariantMap)));
        requestPath_.clear();
    }
}

void ScreenCastPortal::onResponse(uint response, const QVariantMap &results) {
    unsubscribe();
    qCDebug(lcMedia) << "screen cast portal response" << response << "at step" << int(step_);
    if (response == kResponseCancelled) {
        fail(Failure::Cancelled);
        return;
    }
    if (response != kResponseSuccess) {
        fail(Failure::Refused, QStringLiteral("response %1").arg(response));
        return;
    }
    switch (step_) {
        case Step::CreatingSession:
            // A string holding an object path (the spec's type is "s").
            session_ = QDBusObjectPath(results.value(QStringLiteral("session_handle")).toString());
            if (session_.path().isEmpty()) {
                fail(Failure::Failed, QStringLiteral("no session handle"));
                return;
            }
            bus_.connect(kService, session_.path(), kSession, QStringLiteral("Closed"), this,
                         SLOT(onSessionClosed()));
            selectSources();
            break;
        case Step::SelectingSources:
            startSession();
            break;
        case Step::Starting:
            node_ = firstStreamNode(results.value(QStringLiteral("streams")));
            if (node_ == 0) {
                fail(Failure::Failed, QStringLiteral("no stream"));
                return;
            }
            restoreToken_ = results.value(QStringLiteral("restore_token")).toString();
            openPipeWireRemote();
            break;
        default:
            break;  // a response that comes too late
    }
}

void ScreenCastPortal::selectSources() {
    step_ = Step::SelectingSources;
    QVariantMap options;
    options.insert(QStringLiteral("types"), uint(options_.types & availableTypes_));
    options.insert(QStringLiteral("multiple"), false);
    if (version_ >= 2 && cursorModes_ != 0) {
        // Drawn into the frames, so every receiver (browsers too) sees it; hidden when not wanted.
        const uint wanted = options_.showCursor ? kCursorEmbedded : kCursorHidden;
        options.insert(QStringLiteral("cursor_mode"), (cursorModes_ & wanted) ? wanted : kCursorHidden);
    }
    if (version_ >= 4) {
        options.insert(QStringLiteral("persist_mode"), kPersistUntilRevoked);
        if (!options_.restoreToken.isEmpty()) {
            options.insert(QStringLiteral("restore_token"), options_.restoreToken);
        }
    }
    request(QStringLiteral("SelectSources"), {QVariant::fromValue(session_)}, options);
}

void ScreenCastPortal::startSession() {
    step_ = Step::Starting;
    request(QStringLiteral("Start"), {QVariant::fromValue(session_), options_.parentWindow}, {});
}

void ScreenCastPortal::openPipeWireRemote() {
    step_ = Step::Opening;
    QDBusMessage message =
        QDBusMessage::createMethodCall(kService, kPath, kScreenCast, QStringLiteral("OpenPipeWireRemote"));
    message << QVariant::fromValue(session_) << QVariantMap();
    auto *watcher = new QDBusPendingCallWatcher(bus_.asyncCall(message), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *call) {
        call->deleteLater();
        const QDBusPendingReply<QDBusUnixFileDescriptor> reply = *call;
        if (step_ != Step::Opening) {
            return;
        }
        if (reply.isError() || !reply.value().isValid()) {
            fail(Failure::Failed,
                 reply.isError() ? reply.error().message() : QStringLiteral("no descriptor"));
            return;
        }
        step_ = Step::Sharing;
        qCInfo(lcMedia) << "screen cast portal: sharing PipeWire node" << node_;
        Q_EMIT started(ScreenSource::pipeWire(reply.value().fileDescriptor(), node_), restoreToken_);
    });
}

void ScreenCastPortal::onSessionClosed() {
    if (step_ == Step::Idle) {
        return;
    }
    qCInfo(lcMedia) << "screen cast portal: the desktop closed the session";
    const bool wasSharing = step_ == Step::Sharing;
    session_ = QDBusObjectPath();  // closed already: nothing to close
    close();
    if (wasSharing) {
        Q_EMIT closed();
    } else {
        fail(Failure::Refused, QStringLiteral("session closed"));
    }
}

void ScreenCastPortal::close() {
    unsubscribe();
    if (!session_.path().isEmpty()) {
        bus_.disconnect(kService, session_.path(), kSession, QStringLiteral("Closed"), this,
                        SLOT(onSessionClosed()));
        bus_.asyncCall(
            QDBusMessage::createMethodCall(kService, session_.path(), kSession, QStringLiteral("Close")));
        session_ = QDBusObjectPath();
    }
    step_ = Step::Idle;
}

void ScreenCastPortal::fail(Failure failure, const QString &detail) {
    qCWarning(lcMedia).noquote() << "screen cast portal failed:" << int(failure) << detail;
    close();
    Q_EMIT failed(failure, describe(failure));
}

}  // namespace confab
