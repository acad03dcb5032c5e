// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace confab {

// When a connected call is reconnecting, when this side re-establishes it, and when it has been
// reconnecting for too long. The media of a call can stop without the call being over: a Wi-Fi
// hiccup, a new address, a laptop's sleep. CallController reports what its MediaSession says
// (interrupted, an address lost, connected again) and acts on what this decides: reconnecting()
// puts the call in CallState::Reconnecting, reofferDue() makes it offer a fresh media session to
// the peer (webrtcbin 1.22 has no ICE restart), restored() puts it back in Connected, and
// windowExpired() ends it (CallEndReason::ReconnectTimedOut).
//
// Who re-offers, so that the two sides rarely race (CallController settles a race in the caller's
// favour): the side that lost an address at once; otherwise the caller soon after the media
// stopped, and the callee only if no re-offer has come from the caller well after that. A
// re-establishment that has not connected is tried again, until the window is over.
// No media, no signaling: a small state machine on timers, tested through tst_callcontroller.
class CallReconnector : public QObject {
    Q_OBJECT
public:
    struct Timing {
        int windowMs = 30000;          // how long a call may stay reconnecting, from the interruption
        // The caller re-offers this long after the media stopped (counted from the interruption,
        // itself 3 s after the last packet). Waiting longer for the old path of a short outage was
        // measured slower: a fresh session starts with a keyframe and a fresh estimate, the old
        // path's picture came back 1.7 s after a 5 s drop (median; 1.1 s re-established).
        int callerFirstOfferMs = 500;
        int calleeFirstOfferMs = 3000;  // the callee, if no re-offer came from the caller by then
        int retryMs = 5000;            // a re-establishment not connected by then is offered again
    };

    explicit CallReconnector(QObject *parent = nullptr);

    void setTiming(const Timing &timing) { timing_ = timing; }
    const Timing &timing() const { return timing_; }
    // The caller of the call re-offers first (see above).
    void setCaller(bool caller) { caller_ = caller; }

    // The call's media is connected (the first time, or again): a reconnection, if any, is over.
    void connected();
    // The media stopped (silence, ICE failed). Idempotent while reconnecting.
    void interrupted(const QString &detail);
    // This computer lost an address the call may have used: reconnecting, and re-offer now.
    void addressLost(const QString &detail);
    // A fresh media session was started (offered by us, or answering the peer's re-offer): this
    // side offers again only if that one has not connected after retryMs.
    void reestablishing(bool weOffered);
    // The call ended: back to the start, no signal.
    void reset();

    bool isReconnecting() const { return reconnecting_; }
    // Since the interruption; -1 when not reconnecting.
    qint64 reconnectingForMs() const { return reconnecting_ ? since_.elapsed() : -1; }

Q_SIGNALS:
    void reconnecting(const QString &detail);
    void reofferDue();
    void restored(qint64 afterMs);
    void windowExpired();

private:
    void begin(const QString &detail);

    Timing timing_;
    bool caller_ = true;
    bool reconnecting_ = false;
    QElapsedTimer since_;
    QTimer window_;
    QTimer reoffer_;
};

}  // namespace confab
