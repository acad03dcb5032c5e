// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScreenSaverInhibitor.h"

#include "UiLogging.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>

namespace confab::ui {

namespace {
const QString kService = QStringLiteral("org.freedesktop.ScreenSaver");
const QString kPath = QStringLiteral("/org/freedesktop/ScreenSaver");
const QString kInterface = QStringLiteral("org.freedesktop.ScreenSaver");
}  // namespace

ScreenSaverInhibitor::ScreenSaverInhibitor(QObject *parent) : QObject(parent) {}

ScreenSaverInhibitor::~ScreenSaverInhibitor() {
    // A quit during a call: give the cookie back now (the service would also drop it with our bus name).
    release();
}

void ScreenSaverInhibitor::inhibit(bool on, const QString &reason) {
    if (on == wanted_) {
        return;
    }
    wanted_ = on;
    if (!on) {
        release();
        return;
    }
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        qCInfo(lcUi) << "screensaver not inhibited: no session bus";
        return;
    }
    if (pending_) {
        return;  // the answer to the earlier Inhibit will be kept, since wanted_ is true again
    }
    QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Inhibit"));
    call << QCoreApplication::applicationName() << (reason.isEmpty() ? tr("In a call") : reason);
    pending_ = true;
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        pending_ = false;
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            qCInfo(lcUi).noquote() << "screensaver not inhibited:" << reply.error().message();
            return;
        }
        cookie_ = reply.value();
        Q_EMIT cookieChanged(cookie_);
        if (!wanted_) {
            release();  // the call ended while Inhibit was on its way
        }
    });
}

void ScreenSaverInhibitor::release() {
    if (cookie_ == 0) {
        return;
    }
    QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("UnInhibit"));
    call << cookie_;
    cookie_ = 0;
    // send(), not asyncCall(): also goes out from the destructor, when no reply can be waited for.
    QDBusConnection::sessionBus().send(call);
    Q_EMIT cookieChanged(0);
}

}  // namespace confab::ui
