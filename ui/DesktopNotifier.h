// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

namespace confab::ui {

// Desktop notifications through org.freedesktop.Notifications on the session bus, with
// "Accept" and "Decline" buttons for an incoming call, and a note of each missed call. Without a session bus
// or a notification server it logs once and does nothing: notifications are a courtesy, never a requirement.
class DesktopNotifier : public QObject {
    Q_OBJECT
public:
    explicit DesktopNotifier(QObject *parent = nullptr);

    // Shows "NAME is calling"; replaces a previous incoming-call notification.
    void showIncomingCall(const QString &caller);
    void closeIncomingCall();
    // Shows "Missed call from NAME"; stays in the desktop's notification list until read.
    void showMissedCall(const QString &caller);
    bool isAvailable() const;

Q_SIGNALS:
    void acceptRequested();
    void declineRequested();

private Q_SLOTS:
    // Slots, not lambdas: QtDBus connects signals by slot signature.
    void onActionInvoked(uint id, const QString &action);
    void onClosed(uint id, uint reason);

private:
    bool checkAvailable();
    void sendClose(uint id);

    uint notificationId_ = 0;  // the shown incoming-call notification, once the server replied
    quint64 lastRequest_ = 0;  // counts Notify requests: a reply to an older one is stale
    bool wanted_ = false;      // the latest incoming-call notification should still be up
    bool warned_ = false;
};

}  // namespace confab::ui
