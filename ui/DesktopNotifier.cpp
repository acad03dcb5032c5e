// SPDX-License-Identifier: GPL-3.0-or-later
#include "DesktopNotifier.h"

#include "UiLogging.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

namespace confab::ui {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
}  // namespace

DesktopNotifier::DesktopNotifier(QObject *parent) : QObject(parent) {
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (bus.isConnected()) {
        bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"), this,
                    SLOT(onActionInvoked(uint, QString)));
        bus.connect(kService, kPath, kInterface, QStringLiteral("NotificationClosed"), this,
                    SLOT(onClosed(uint, uint)));
    }
}

bool DesktopNotifier::isAvailable() const {
    const QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface() && bus.interface()->isServiceRegistered(kService);
}

bool DesktopNotifier::checkAvailable() {
    if (isAvailable()) {
        return true;
    }
    if (!warned_) {
        warned_ = true;
        qCInfo(lcUi) << "no desktop notifications: no session bus or no notification server";
    }
    return false;
}

void DesktopNotifier::showMissedCall(const QString &caller) {
    if (!checkAvailable()) {
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    // Markup-escaped as in showIncomingCall(); a new notification per missed call (replaces none).
    call << QStringLiteral("Confab") << uint(0) << QStringLiteral("call-missed") << tr("Missed call")
         << tr("You missed a call from %1.").arg(caller.toHtmlEscaped()) << QStringList{}
         << QVariantMap{{QStringLiteral("category"), QStringLiteral("call.unanswered")},
                        {QStringLiteral("desktop-entry"), QStringLiteral("confab")}}
         << int(-1);  // the server's default time
    QDBusConnection::sessionBus().asyncCall(call);
}

void DesktopNotifier::showIncomingCall(const QString &caller) {
    if (!checkAvailable()) {
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    // The body may be rendered as markup by the notification server: the caller's name is escaped.
    call << QStringLiteral("Confab") << notificationId_ << QStringLiteral("call-start") << tr("Incoming call")
         << tr("%1 is calling you.").arg(caller.toHtmlEscaped())
         << QStringList{QStringLiteral("accept"), tr("Accept"), QStringLiteral("decline"), tr("Decline")}
         << QVariantMap{{QStringLiteral("urgency"), QVariant::fromValue(uchar(2))},
                        {QStringLiteral("category"), QStringLiteral("call.incoming")},
                        {QStringLiteral("desktop-entry"), QStringLiteral("confab")}}
         << int(0);  // 0: until closed
    const quint64 request = ++lastRequest_;
    wanted_ = true;
    auto *watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, request](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            qCWarning(lcUi).noquote() << "desktop notification failed:" << reply.error().message();
            return;
        }
        // The id only arrives with the reply: a call accepted or declined in the window (or replaced
        // by a newer one) before the server answered would otherwise leave this one up for good.
        if (!wanted_ || request != lastRequest_) {
            sendClose(reply.value());
            return;
        }
        notificationId_ = reply.value();
    });
}

void DesktopNotifier::closeIncomingCall() {
    wanted_ = false;
    if (notificationId_ == 0) {
        return;
    }
    sendClose(notificationId_);
    notificationId_ = 0;
}

void DesktopNotifier::sendClose(uint id) {
    if (id == 0 || !QDBusConnection::sessionBus().isConnected()) {
        return;
    }
    QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("CloseNotification"));
    call << id;
    QDBusConnection::sessionBus().asyncCall(call);
}

void DesktopNotifier::onActionInvoked(uint id, const QString &action) {
    if (id == 0 || id != notificationId_) {
        return;
    }
    if (action == QLatin1StringView("accept")) {
        Q_EMIT acceptRequested();
    } else if (action == QLatin1StringView("decline")) {
        Q_EMIT declineRequested();
    }
}

void DesktopNotifier::onClosed(uint id, uint) {
    if (id == notificationId_) {
        notificationId_ = 0;
    }
}

}  // namespace confab::ui
