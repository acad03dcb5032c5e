// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallFlow.h"

#include "DesktopNotifier.h"
#include "RingTone.h"
#include "ScreenSaverInhibitor.h"
#include "UiLogging.h"
#include "signaling/SignalingClient.h"

namespace confab::ui {

namespace {

bool isActive(CallState state) {
    return state == CallState::Calling || state == CallState::Ringing || state == CallState::Connecting ||
           state == CallState::Connected || state == CallState::Reconnecting;
}

}  // namespace

CallFlow::CallFlow(SignalingClient *signaling, CallController *controller, Options options, QObject *parent)
    : QObject(parent),
      signaling_(signaling),
      controller_(controller),
      options_(std::move(options)),
      ringTone_(new RingTone(options_.ringSink, this)),
      notifier_(new DesktopNotifier(this)),
      screenSaver_(new ScreenSaverInhibitor(this)) {
    connect(controller_, &CallController::stateChanged, this,
            [this](CallState state) { stateChanged(state); });
    connect(controller_, &CallController::incomingCall, this, &CallFlow::incoming);
    connect(controller_, &CallController::ended, this, [this](CallEndReason reason) { ended(reason); });
    // The controller answers an offer during a call `busy` by itself; the person who called should
    // still not go unnoticed. Connected after the controller's own handler, so a first offer has
    // already made this call the controller's.
    connect(signaling_, &SignalingClient::offerReceived, this, &CallFlow::offerDuringCall);
    connect(notifier_, &DesktopNotifier::acceptRequested, this, [this] {
        accept(true);
        Q_EMIT answeredElsewhere();
    });
    connect(notifier_, &DesktopNotifier::declineRequested, this, &CallFlow::decline);
}

CallFlow::~CallFlow() = default;

void CallFlow::setHistory(RecentCalls *history) {
    history_ = history;
}

bool CallFlow::isInCall() const {
    return isActive(controller_->state());
}

QString CallFlow::peer() const {
    return controller_->peer();
}

bool CallFlow::isOutgoing() const {
    return current_ && current_->direction == RecentCall::Direction::Outgoing;
}

bool CallFlow::isRinging() const {
    return ringTone_->isRinging();
}

bool CallFlow::isRingAudible() const {
    return ringTone_->isAudible();
}

bool CallFlow::inhibitsScreenSaver() const {
    return screenSaver_->isInhibited();
}

void CallFlow::setDoNotDisturb(bool on, AccountSettings::DoNotDisturbAction action) {
    doNotDisturb_ = on;
    doNotDisturbAction_ = action;
    if (on && !incomingCaller_.isEmpty()) {
        stopAlerting();  // switched on while it rings: quiet now
        Q_EMIT incomingCallSilenced();
    }
}

bool CallFlow::place(const QString &peer, QString *error) {
    if (peer == signaling_->name()) {
        *error = tr("You cannot call yourself.");
        return false;
    }
    if (isInCall()) {
        *error = tr("You are already in a call with %1.").arg(controller_->peer());
        return false;
    }
    current_ =
        CurrentCall{peer, RecentCall::Direction::Outgoing, QDateTime::currentDateTime(), {}, true, false};
    if (options_.prepareCall) {
        options_.prepareCall(controller_->settings());
    }
    if (!controller_->call(peer, error)) {
        current_.reset();
        qCWarning(lcUi).noquote() << "could not call" << peer << ":" << *error;
        if (error->isEmpty()) {
            *error = tr("Could not call %1.").arg(peer);
        }
        return false;
    }
    return true;
}

void CallFlow::incoming(const QString &peer) {
    current_ =
        CurrentCall{peer, RecentCall::Direction::Incoming, QDateTime::currentDateTime(), {}, false, false};
    if (doNotDisturb_ && doNotDisturbAction_ == AccountSettings::DoNotDisturbAction::Decline) {
        qCInfo(lcUi).noquote() << "do not disturb: declining the call from" << peer;
        current_->declinedByDoNotDisturb = true;
        controller_->decline();
        return;
    }
    incomingCaller_ = peer;
    if (!doNotDisturb_) {
        ringTone_->start();
        if (!userPresent_) {
            notifier_->showIncomingCall(peer);
        }
    }
    Q_EMIT incomingCall(peer, doNotDisturb_);
}

void CallFlow::accept(bool withVideo) {
    const bool wasAsking = !incomingCaller_.isEmpty();
    stopAlerting();
    incomingCaller_.clear();
    if (wasAsking) {
        Q_EMIT incomingCallGone();
    }
    if (controller_->state() != CallState::Ringing || !current_ ||
        current_->direction != RecentCall::Direction::Incoming) {
        return;  // the caller gave up a moment ago
    }
    if (options_.prepareCall) {
        options_.prepareCall(controller_->settings());
    }
    if (!withVideo) {
        videoBeforeAudioOnly_ = controller_->settings().media.video;
        controller_->settings().media.video = VideoSourceKind::None;
    }
    current_->accepted = true;
    QString error;
    if (!controller_->accept(&error)) {
        qCWarning(lcUi).noquote() << "could not accept the call:" << error;
        Q_EMIT message(tr("Could not answer the call: %1").arg(error));
    }
}

void CallFlow::decline() {
    const bool wasAsking = !incomingCaller_.isEmpty();
    stopAlerting();
    incomingCaller_.clear();
    if (wasAsking) {
        Q_EMIT incomingCallGone();
    }
    if (controller_->state() == CallState::Ringing && current_ &&
        current_->direction == RecentCall::Direction::Incoming) {
        controller_->decline();
    }
}

void CallFlow::hangUp() {
    if (!incomingCaller_.isEmpty()) {
        decline();
        return;
    }
    controller_->hangUp();
}

void CallFlow::stateChanged(CallState state) {
    // Held from the moment a call is answered (either side) until it ends; not while it only rings.
    const bool answered =
        state == CallState::Connecting || state == CallState::Connected || state == CallState::Reconnecting ||
        (isActive(state) && current_ && current_->direction == RecentCall::Direction::Outgoing);
    screenSaver_->inhibit(answered, tr("In a call"));
    if (state == CallState::Connected && current_ && !current_->connectedAt.isValid()) {
        current_->connectedAt = QDateTime::currentDateTime();
    }
    if (state == CallState::Idle) {
        const bool wasAsking = !incomingCaller_.isEmpty();
        stopAlerting();
        incomingCaller_.clear();
        if (wasAsking) {
            Q_EMIT incomingCallGone();
        }
    }
}

void CallFlow::offerDuringCall(const protocol::OfferMessage &offer) {
    if (!isInCall() || offer.name == controller_->peer()) {
        return;  // this call's own offer (or a repeat of it)
    }
    qCInfo(lcUi).noquote() << "missed a call from" << offer.name << "during the call with"
                           << controller_->peer();
    recordMissed(offer.name, QDateTime::currentDateTime());
}

void CallFlow::recordMissed(const QString &peer, const QDateTime &when) {
    if (history_) {
        RecentCall call;
        call.peer = peer;
        call.startedAt = when;
        call.direction = RecentCall::Direction::Incoming;
        call.outcome = RecentCall::Outcome::Missed;
        history_->add(call);
    }
    if (!userPresent_ && !doNotDisturb_) {
        notifier_->showMissedCall(peer);
    }
    Q_EMIT missedCall(peer);
}

QString CallFlow::endSentence(CallEndReason reason, const QString &peer, bool declinedByDoNotDisturb) {
    // The controller declined it for us, but the user did not: say what they missed and why.
    if (declinedByDoNotDisturb) {
        return tr("Missed a call from %1: do not disturb declined it.").arg(peer);
    }
    return describe(reason, peer);
}

void CallFlow::ended(CallEndReason reason) {
    const QString peer = controller_->peer();
    if (videoBeforeAudioOnly_) {
        controller_->settings().media.video = *videoBeforeAudioOnly_;
        videoBeforeAudioOnly_.reset();
    }
    if (!current_) {
        Q_EMIT callFinished(describe(reason, peer));
        return;
    }
    const CurrentCall call = *current_;
    current_.reset();
    qCInfo(lcUi).noquote() << "call ended:" << describe(reason, call.peer);
    const bool incoming = call.direction == RecentCall::Direction::Incoming;
    const bool connected = call.connectedAt.isValid();
    if (incoming && !connected &&
        (call.declinedByDoNotDisturb || (!call.accepted && reason != CallEndReason::DeclinedByUs))) {
        // The caller gave up, it rang out, or do not disturb declined it.
        recordMissed(call.peer, call.startedAt);
    } else if (history_) {
        RecentCall entry;
        entry.peer = call.peer;
        entry.startedAt = call.startedAt;
        entry.direction = call.direction;
        if (connected) {
            entry.outcome = RecentCall::Outcome::Answered;
            entry.durationSeconds = int(call.connectedAt.secsTo(QDateTime::currentDateTime()));
        } else if (reason == CallEndReason::DeclinedByUs || reason == CallEndReason::Declined) {
            entry.outcome = RecentCall::Outcome::Declined;
        } else if (!incoming && reason == CallEndReason::NoAnswer) {
            entry.outcome = RecentCall::Outcome::NoAnswer;
        } else if (!incoming && reason == CallEndReason::Busy) {
            entry.outcome = RecentCall::Outcome::Busy;
        } else if (!incoming && reason == CallEndReason::HungUp) {
            entry.outcome = RecentCall::Outcome::Cancelled;
        } else {
            entry.outcome = RecentCall::Outcome::Failed;
        }
        history_->add(entry);
    }
    Q_EMIT callFinished(endSentence(reason, call.peer, call.declinedByDoNotDisturb));
}

void CallFlow::stopAlerting() {
    ringTone_->stop();
    notifier_->closeIncomingCall();
}

}  // namespace confab::ui
