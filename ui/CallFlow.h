// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AccountSettings.h"
#include "RecentCalls.h"
#include "call/CallController.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace confab {
class SignalingClient;
namespace protocol {
struct OfferMessage;
}
}  // namespace confab

namespace confab::ui {

class DesktopNotifier;
class RingTone;
class ScreenSaverInhibitor;

// The desktop's side of calling, without a window: what an incoming call does (it rings, pops a
// desktop notification when the user is elsewhere and asks; under do-not-disturb it rings silently
// or is declined), answering with or without video, placing calls, a call that arrives during
// another (the controller answers it busy; here it becomes a missed call), the screensaver held
// off during a call, and the history entry every call leaves. The window shows what it announces
// and turns clicks into calls here. Owned by the main window; `signaling` and `controller` must
// outlive it.
class CallFlow : public QObject {
    Q_OBJECT
public:
    struct Options {
        // Where the ring tone plays (tests: a fakesink).
        QString ringSink = QStringLiteral("autoaudiosink");
        // Called before each call is placed or answered, to fill in what Settings stored.
        std::function<void(CallController::Settings &)> prepareCall;
    };

    CallFlow(SignalingClient *signaling, CallController *controller, Options options,
             QObject *parent = nullptr);
    ~CallFlow() override;

    // Where calls are recorded (one history per account); null: nowhere. Not owned.
    void setHistory(RecentCalls *history);
    RecentCalls *history() const { return history_; }

    void setDoNotDisturb(bool on, AccountSettings::DoNotDisturbAction action);
    bool doNotDisturb() const { return doNotDisturb_; }
    AccountSettings::DoNotDisturbAction doNotDisturbAction() const { return doNotDisturbAction_; }

    // Whether the user is looking at the app: when not, an incoming or missed call also shows as a
    // desktop notification.
    void setUserPresent(bool present) { userPresent_ = present; }

    // Places a call; false with a sentence in *error when it cannot (yourself, already in a call…).
    bool place(const QString &peer, QString *error);
    // Answers the ringing incoming call; audio only sends no video in this call.
    void accept(bool withVideo);
    void decline();
    void hangUp();

    // Calling, ringing (either way), connecting or connected.
    bool isInCall() const;
    QString peer() const;
    // This side placed the call under way (false for an incoming one, and between calls).
    bool isOutgoing() const;
    // The incoming call that asks to be answered now; empty when none.
    QString incomingCaller() const { return incomingCaller_; }
    bool isRinging() const;
    // False when ringing without a sound output (or silenced).
    bool isRingAudible() const;
    bool inhibitsScreenSaver() const;

    // A sentence for how a call ended, as the status line says it.
    static QString endSentence(CallEndReason reason, const QString &peer, bool declinedByDoNotDisturb);

Q_SIGNALS:
    // Ask the user: accept with video, audio only, or decline. `silenced`: do not disturb is on.
    void incomingCall(const QString &peer, bool silenced);
    // Do not disturb was switched on while it rings.
    void incomingCallSilenced();
    // No longer asking: answered (here or in the notification), declined, or the caller gave up.
    void incomingCallGone();
    // The user answered from the desktop notification: the window should come forward.
    void answeredElsewhere();
    // A call ended; `sentence` says how, for the status line.
    void callFinished(const QString &sentence);
    // Something the user should read (a call that could not be answered).
    void message(const QString &sentence);
    // An incoming call was missed (not answered, declined under do-not-disturb, or during another call).
    void missedCall(const QString &peer);

private:
    void stateChanged(CallState state);
    void incoming(const QString &peer);
    void offerDuringCall(const protocol::OfferMessage &offer);
    void ended(CallEndReason reason);
    void stopAlerting();
    void recordMissed(const QString &peer, const QDateTime &when);

    SignalingClient *signaling_;
    CallController *controller_;
    Options options_;
    QPointer<RecentCalls> history_;
    RingTone *ringTone_;
    DesktopNotifier *notifier_;
    ScreenSaverInhibitor *screenSaver_;
    bool doNotDisturb_ = false;
    AccountSettings::DoNotDisturbAction doNotDisturbAction_ = AccountSettings::DoNotDisturbAction::Silence;
    bool userPresent_ = true;
    QString incomingCaller_;

    // The call under way, for the history.
    struct CurrentCall {
        QString peer;
        RecentCall::Direction direction = RecentCall::Direction::Outgoing;
        QDateTime startedAt;
        QDateTime connectedAt;
        bool accepted = false;
        bool declinedByDoNotDisturb = false;
    };
    std::optional<CurrentCall> current_;
    std::optional<VideoSourceKind> videoBeforeAudioOnly_;
};

}  // namespace confab::ui
