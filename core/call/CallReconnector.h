// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace confab {

// When a connected call is reconnecting, and when it has been so for too long. The media of a
// call can stop without the call being over: a Wi-Fi hiccup, a new address, a laptop's sleep.
// CallController reports what its MediaSession says (interrupted, connected again) and acts on
// what this decides: reconnecting() puts the call in CallState::Reconnecting, restored() back in
// Connected, windowExpired() ends it (CallEndReason::ReconnectTimedOut). No media, no signaling:
// a small state machine on one timer, tested on its own and through tst_callcontroller.
class CallReconnector : public QObject {
    Q_OBJECT
public:
    explicit CallReconnector(QObject *parent = nullptr);

    // How long a call may stay reconnecting before it ends; counted from the interruption.
    void setWindowMs(int ms) { windowMs_ = ms; }
    int windowMs() const { return windowMs_; }

    // The call's media is connected (the first time, or again): a reconnection, if any, is over.
    void connected();
    // The media stopped (silence, ICE failed). Idempotent while reconnecting.
    void interrupted(const QString &detail);
    // The call ended: back to the start, no signal.
    void reset();

    bool isReconnecting() const { return reconnecting_; }
    // Since the interruption; -1 when not reconnecting.
    qint64 reconnectingForMs() const { return reconnecting_ ? since_.elapsed() : -1; }

Q_SIGNALS:
    void reconnecting(const QString &detail);
    void restored(qint64 afterMs);
    void windowExpired();

private:
    int windowMs_ = 30000;
    bool reconnecting_ = false;
    QElapsedTimer since_;
    QTimer window_;
};

}  // namespace confab
