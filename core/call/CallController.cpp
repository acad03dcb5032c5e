// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallController.h"

#include "call/SafetyCode.h"
#include "call/CallSession.h"
#include "signaling/CallSignaling.h"
#include "util/Logging.h"

#include <QRandomGenerator>

namespace confab {

using namespace protocol;

CallController::CallController(CallSignaling *signaling, Settings settings, QObject *parent)
    : QObject(parent), signaling_(signaling), settings_(std::move(settings)) {
    noAnswerTimer_.setSingleShot(true);
    connect(&noAnswerTimer_, &QTimer::timeout, this, [this] {
        // Caller: nobody picked up. Callee: the call was missed.
        finish(CallEndReason::NoAnswer,
               role_ == MediaSession::Role::Caller ? QString::fromLatin1(leave_reason::kNoAnswer) : QString());
    });
    connect(&reconnector_, &CallReconnector::reconnecting, this, [this] { setState(CallState::Reconnecting); });
    connect(&reconnector_, &CallReconnector::restored, this, [this] { setState(CallState::Connected); });
    connect(&reconnector_, &CallReconnector::reofferDue, this, &CallController::reofferDue);
    connect(&reconnector_, &CallReconnector::windowExpired, this, [this] {
        finish(CallEndReason::ReconnectTimedOut, QString::fromLatin1(leave_reason::kReconnectTimeout));
    });
    connect(signaling_, &CallSignaling::offerReceived, this, &CallController::offerReceived);
    connect(signaling_, &CallSignaling::answerReceived, this, &CallController::answerReceived);
    connect(signaling_, &CallSignaling::candidateReceived, this, &CallController::candidateReceived);
    connect(signaling_, &CallSignaling::leaveReceived, this, &CallController::leaveReceived);
    connect(signaling_, &CallSignaling::ringingReceived, this, &CallController::ringingReceived);
    connect(signaling_, &CallSignaling::serverError, this, &CallController::serverError);
    connect(signaling_, &CallSignaling::signedInChanged, this, &CallController::signalingStateChanged);
}

CallController::~CallController() {
    delete session_.data();
}

bool CallController::call(const QString &peer, QString *error) {
    if (state_ != CallState::Idle) {
        *error = tr("You are already in a call with %1.").arg(peer_);
        return false;
    }
    if (!signaling_->isSignedIn()) {
        *error = tr("You are not signed in to a server.");
        return false;
    }
    if (peer == signaling_->name()) {
        *error = tr("You cannot call yourself.");
        return false;
    }
    peer_ = peer;
    role_ = MediaSession::Role::Caller;
    // 64 random bits: unique among the calls two people ever make to each other.
    callId_ = QStringLiteral("%1").arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
    sinceStart_.start();
    if (!startSession(MediaSession::Role::Caller, error)) {
        peer_.clear();
        callId_.clear();
        return false;
    }
    setState(CallState::Calling);
    noAnswerTimer_.start(settings_.noAnswerTimeoutMs);
    return true;
}

bool CallController::accept(QString *error) {
    if (state_ != CallState::Ringing || role_ != MediaSession::Role::Callee) {
        *error = tr("There is no incoming call to answer.");
        return false;
    }
    noAnswerTimer_.stop();
    sinceStart_.start();
    if (!startSession(MediaSession::Role::Callee, error)) {
        signaling_->sendLeave(peer_, QString::fromLatin1(leave_reason::kHangUp), callId_);
        finish(CallEndReason::MediaError);
        return false;
    }
    for (const IceCandidate &candidate : std::as_const(earlyCandidates_)) {
        session_->addRemoteCandidate(candidate);
    }
    earlyCandidates_.clear();
    setState(CallState::Connecting);
    return true;
}

void CallController::decline() {
    if (state_ == CallState::Ringing && role_ == MediaSession::Role::Callee) {
        finish(CallEndReason::DeclinedByUs, QString::fromLatin1(leave_reason::kDeclined));
    }
}

void CallController::hangUp() {
    switch (state_) {
        case CallState::Idle:
        case CallState::Ended:
            return;
        case CallState::Calling:
        case CallState::Ringing:
            if (role_ == MediaSession::Role::Callee) {
                decline();
            } else {
                finish(CallEndReason::HungUp, QString::fromLatin1(leave_reason::kCancelled));
            }
            return;
        case CallState::Connecting:
        case CallState::Connected:
        case CallState::Reconnecting:
            finish(CallEndReason::HungUp, QString::fromLatin1(leave_reason::kHangUp));
            return;
    }
}

bool CallController::startSession(MediaSession::Role role, QString *error) {
    MediaSession::Config config;
    config.role = role;
    config.media = settings_.media;
    if (config.media.video == VideoSourceKind::Echo || config.media.audio == AudioSourceKind::Echo) {
        config.media.echoChannel = QStringLiteral("confab-echo-%1-%2").arg(quintptr(this)).arg(++callCount_);
    }
    config.iceServers = settings_.iceServers + signaling_->iceServers();
    config.jitterBufferMs = settings_.jitterBufferMs;
    config.sinks = settings_.sinks;
    config.localPreviewSink = settings_.localPreviewSink;
    MediaSession *session = settings_.sessionFactory ? settings_.sessionFactory(config, this)
                                                     : new CallSession(config, this);
    session_ = session;
    const int generation = generation_;  // what the session's messages carry as `reconnect`

    connect(session, &MediaSession::localDescriptionReady, this,
            [this, generation](const SessionDescription &description) {
                localSdp_ = description.sdp;
                updateSafetyCode();
                if (description.type == QLatin1StringView("offer")) {
                    signaling_->sendOffer(peer_, description, generation, callId_);
                } else {
                    signaling_->sendAnswer(peer_, description, generation, callId_);
                }
            });
    connect(session, &MediaSession::localCandidateReady, this,
            [this, generation](const IceCandidate &candidate) {
                signaling_->sendCandidate(peer_, candidate, generation, callId_);
            });
    connect(session, &MediaSession::connected, this, [this] {
        reconnector_.connected();
        setState(CallState::Connected);
    });
    connect(session, &MediaSession::mediaInterrupted, this, &CallController::mediaInterrupted);
    connect(session, &MediaSession::mediaResumed, this, [this] { reconnector_.connected(); });
    connect(session, &MediaSession::localAddressLost, this, [this](const QString &detail) {
        if (state_ == CallState::Connected || state_ == CallState::Reconnecting) {
            signaling_->networkChanged();
            prepareReconnector();
            reconnector_.addressLost(detail);
        }
    });
    connect(session, &MediaSession::failed, this, [this](CallEndReason reason, const QString &detail) {
        qCWarning(lcCall).noquote() << "call with" << peer_ << "failed:" << detail;
        const bool pathFailed = reason == CallEndReason::PeerVanished || reason == CallEndReason::ConnectionFailed ||
                                reason == CallEndReason::NoRelay;
        if (pathFailed && state_ == CallState::Reconnecting) {
            return;  // a re-establishment that did not connect: tried again until the window is over
        }
        // Signaling may well be up while the media path is dead (a one-way cut, a firewall): our
        // leave then reaches the peer before its own silence check does, and must not read "hung up".
        const bool pathDied = reason == CallEndReason::PeerVanished ||
                              reason == CallEndReason::ConnectionFailed || reason == CallEndReason::NoRelay;
        finish(reason, QString::fromLatin1(pathDied ? leave_reason::kConnectionLost : leave_reason::kHangUp));
    });
    connect(session, &MediaSession::firstRemoteMedia, this,
            [this](MediaKind kind) { Q_EMIT firstRemoteMedia(kind, sinceStart_.elapsed()); });
    connect(session, &MediaSession::chatOpened, this, [this] {
        if (!chatOpenedThisCall_) {  // once a call: a re-established session's chat is the same chat
            chatOpenedThisCall_ = true;
            Q_EMIT chatOpened();
        }
    });
    connect(session, &MediaSession::chatReceived, this, &CallController::chatReceived);
    connect(session, &MediaSession::statsUpdated, this, &CallController::statsUpdated);
    connect(session, &MediaSession::screenShareEnded, this, [this](const QString &sentence) {
        sharedScreen_.reset();
        Q_EMIT screenShareChanged(false, sentence);
    });

    const bool started = role == MediaSession::Role::Caller ? session->startAsCaller(error)
                                                            : session->startAsCallee(pendingOffer_, error);
    if (!started) {
        qCWarning(lcCall).noquote() << "could not start the call:" << *error;
        delete session;
        return false;
    }
    for (const QString &note : session->notes()) {
        Q_EMIT notice(note);
    }
    if (settings_.screenShare && generation_ == 0) {
        QString shareError;
        if (!startScreenShare(*settings_.screenShare, &shareError)) {
            Q_EMIT notice(shareError);  // the call goes on with the camera (or test source)
        }
    }
    return true;
}

void CallController::offerReceived(const OfferMessage &offer) {
    if (offer.reconnect > 0) {
        if (!reconnectOfferReceived(offer)) {
            // Not a call we have (any more): say so, without ringing.
            qCInfo(lcCall).noquote() << "a re-offer from" << offer.name << "for a call that is over here";
            signaling_->sendLeave(offer.name, QString::fromLatin1(leave_reason::kHangUp), offer.call);
        }
        return;
    }
    if (state_ != CallState::Idle) {
        if (offer.name != peer_) {
            qCInfo(lcCall).noquote() << "busy: declining a call from" << offer.name;
            signaling_->sendLeave(offer.name, QString::fromLatin1(leave_reason::kBusy), offer.call);
        } else {
            qCWarning(lcCall).noquote() << "ignoring a second offer from" << offer.name << "(renegotiation)";
        }
        return;
    }
    peer_ = offer.name;
    callId_ = offer.call;
    role_ = MediaSession::Role::Callee;
    peerReconnects_ = offer.reconnect >= 0;
    pendingOffer_ = offer.offer.sdp;
    remoteSdp_ = offer.offer.sdp;
    earlyCandidates_.clear();
    setState(CallState::Ringing);
    signaling_->sendRinging(peer_, callId_);
    noAnswerTimer_.start(settings_.noAnswerTimeoutMs);
    Q_EMIT incomingCall(peer_);
}

void CallController::answerReceived(const AnswerMessage &answer) {
    if (answer.reconnect > 0) {
        if (answer.name != peer_ || belongsToAnotherCall(answer.call) || !offering_ ||
            answer.reconnect != generation_ || !session_) {
            qCInfo(lcCall).noquote() << "ignoring a stale answer" << answer.reconnect << "from" << answer.name;
            return;
        }
        offering_ = false;
        QString error;
        if (!session_->setRemoteAnswer(answer.answer.sdp, &error)) {
            qCWarning(lcCall).noquote() << "the answer to re-offer" << generation_ << "failed:" << error;
            return;  // offered again after the retry delay
        }
        remoteSdp_ = answer.answer.sdp;
        updateSafetyCode();
        return;
    }
    if (answer.name != peer_ || belongsToAnotherCall(answer.call) || role_ != MediaSession::Role::Caller ||
        !session_ || (state_ != CallState::Calling && state_ != CallState::Ringing)) {
        qCInfo(lcCall).noquote() << "ignoring an answer from" << answer.name;
        return;
    }
    noAnswerTimer_.stop();
    peerReconnects_ = answer.reconnect >= 0;
    QString error;
    if (!session_->setRemoteAnswer(answer.answer.sdp, &error)) {
        Q_EMIT notice(error);
        finish(CallEndReason::ConnectionFailed, QString::fromLatin1(leave_reason::kHangUp));
        return;
    }
    remoteSdp_ = answer.answer.sdp;
    updateSafetyCode();
    setState(CallState::Connecting);
}

void CallController::updateSafetyCode() {
    if (!safetyCode_.isEmpty() || localSdp_.isEmpty() || remoteSdp_.isEmpty()) {
        return;
    }
    safetyCode_ = SafetyCode::compute(localSdp_, remoteSdp_);
    if (safetyCode_.isEmpty()) {
        // Say whose description it is: only the peer's can be a sign of tampering or a broken peer.
        // (The same certificate on both sides, as two peers in one process have, still gives a code.)
        const bool ours = !SafetyCode::fingerprint(localSdp_);
        qCWarning(lcCall).noquote() << "no safety code for the call with" << peer_ << ":"
                                    << (ours ? "our" : "the peer's")
                                    << "description has no single well-formed a=fingerprint:sha-256 line";
        return;
    }
    qCInfo(lcCall).noquote() << "safety code for the call with" << peer_ << ":" << safetyCode_;
    if (!previousSafetyCode_.isEmpty() && previousSafetyCode_ != safetyCode_) {
        // Each media session has its own DTLS certificates: compared again, it means the same.
        Q_EMIT notice(tr("The call was re-established with a new safety code: %1. Compare it again with %2.")
                          .arg(safetyCode_, peer_));
    }
    previousSafetyCode_.clear();
    Q_EMIT safetyCodeReady(safetyCode_);
}

void CallController::candidateReceived(const CandidateMessage &candidate) {
    if (candidate.name != peer_ || state_ == CallState::Idle || belongsToAnotherCall(candidate.call) ||
        std::max(candidate.reconnect, 0) != generation_) {
        return;  // not this call, or a media session of it that is gone
    }
    if (session_) {
        session_->addRemoteCandidate(candidate.candidate);
    } else {
        earlyCandidates_.append(candidate.candidate);  // ringing: kept until the call is accepted
    }
}

void CallController::leaveReceived(const LeaveMessage &leave) {
    if (leave.name != peer_ || state_ == CallState::Idle) {
        return;
    }
    if (belongsToAnotherCall(leave.call)) {
        // An earlier call's, late: both hung up and one called again before the other's leave came.
        qCInfo(lcCall).noquote() << "ignoring a leave from" << leave.name << "for an earlier call";
        return;
    }
    const QString &reason = leave.reason;
    CallEndReason endReason = CallEndReason::RemoteHungUp;
    if (reason == QLatin1StringView(leave_reason::kBusy)) {
        endReason = CallEndReason::Busy;
    } else if (reason == QLatin1StringView(leave_reason::kDeclined)) {
        endReason = CallEndReason::Declined;
    } else if (reason == QLatin1StringView(leave_reason::kDisconnected) && state_ == CallState::Reconnecting) {
        // Its signaling dropped while our media from it had already stopped: most likely the same
        // broken network, not a peer that quit (whose server connection closes while media still
        // flows, and ends the call below at once). It has the reconnect window to come back.
        qCInfo(lcCall).noquote() << peer_ << "lost its server connection during the outage; waiting";
        return;
    } else if (reason == QLatin1StringView(leave_reason::kDisconnected)) {
        endReason = CallEndReason::PeerVanished;
    } else if (reason == QLatin1StringView(leave_reason::kReconnectTimeout)) {
        endReason = CallEndReason::ReconnectTimedOut;
    } else if (reason == QLatin1StringView(leave_reason::kConnectionLost)) {
        endReason = CallEndReason::ConnectionLost;
    } else if (reason == QLatin1StringView(leave_reason::kNoAnswer)) {
        endReason = CallEndReason::NoAnswer;  // the caller gave up waiting: a missed call here
    } else if (role_ == MediaSession::Role::Callee && state_ == CallState::Ringing) {
        endReason = CallEndReason::Cancelled;
    } else if (role_ == MediaSession::Role::Caller && (state_ == CallState::Calling || state_ == CallState::Ringing)) {
        endReason = CallEndReason::Declined;  // a plain peer's leave before answering is a decline
    }
    finish(endReason);
}

void CallController::ringingReceived(const RingingMessage &ringing) {
    if (ringing.name == peer_ && !belongsToAnotherCall(ringing.call) && role_ == MediaSession::Role::Caller &&
        state_ == CallState::Calling) {
        setState(CallState::Ringing);
    }
}

void CallController::serverError(const ErrorMessage &error) {
    if (error.code == ErrorCode::UserOffline && error.name == peer_ && role_ == MediaSession::Role::Caller &&
        (state_ == CallState::Calling || state_ == CallState::Ringing)) {
        finish(CallEndReason::UserOffline);
    }
}

void CallController::signalingStateChanged() {
    // Media is peer to peer: a connected call survives the server. One still being set up cannot.
    const bool settingUp = state_ == CallState::Calling || state_ == CallState::Ringing ||
                           (state_ == CallState::Connecting && !(session_ && session_->isConnected()));
    if (settingUp && !signaling_->isSignedIn()) {
        finish(CallEndReason::SignalingLost);
    } else if (signaling_->isSignedIn() && reofferWaitsForSignaling_ && state_ == CallState::Reconnecting) {
        qCInfo(lcCall).noquote() << "signed in again: re-offering to" << peer_;
        reofferDue();
    }
}

void CallController::prepareReconnector() {
    CallReconnector::Timing timing = settings_.reconnectTiming;
    timing.windowMs = settings_.reconnectWindowMs;  // the app's setting may have changed
    reconnector_.setTiming(timing);
    reconnector_.setCaller(role_ == MediaSession::Role::Caller);
}

void CallController::mediaInterrupted(const QString &detail) {
    if (state_ == CallState::Connected || state_ == CallState::Reconnecting) {
        prepareReconnector();
        reconnector_.interrupted(detail);
    }
}

void CallController::reofferDue() {
    if (state_ != CallState::Reconnecting) {
        return;
    }
    if (!peerReconnects_) {
        // A seed-protocol peer would apply a new offer to its old connection and fail: the old
        // path may still come back by itself within the window (docs/protocol.md, "Reconnection").
        qCInfo(lcCall).noquote() << peer_ << "cannot re-establish a call; waiting for the old path";
        return;
    }
    if (!signaling_->isSignedIn()) {
        qCInfo(lcCall).noquote() << "a re-offer to" << peer_ << "waits until we are signed in again";
        reofferWaitsForSignaling_ = true;
        return;
    }
    reofferWaitsForSignaling_ = false;
    ++generation_;
    offering_ = true;
    qCInfo(lcCall).noquote() << "re-establishing the call with" << peer_ << ": offer" << generation_;
    QString error;
    if (!replaceSession(MediaSession::Role::Caller, &error)) {
        finish(CallEndReason::MediaError, QString::fromLatin1(leave_reason::kHangUp));
        return;
    }
    reconnector_.reestablishing(true);
}

bool CallController::reconnectOfferReceived(const OfferMessage &offer) {
    const bool inCall = state_ == CallState::Connected || state_ == CallState::Reconnecting ||
                        state_ == CallState::Connecting;
    if (offer.name != peer_ || !inCall || belongsToAnotherCall(offer.call)) {
        return false;
    }
    if (offer.reconnect < generation_ || (offer.reconnect == generation_ && !offering_)) {
        qCInfo(lcCall).noquote() << "ignoring a stale re-offer" << offer.reconnect << "from" << offer.name;
        return true;
    }
    if (offer.reconnect == generation_ && role_ == MediaSession::Role::Caller) {
        qCInfo(lcCall).noquote() << "both re-offered" << generation_ << ": the caller's offer stands";
        return true;
    }
    generation_ = offer.reconnect;
    offering_ = false;
    reofferWaitsForSignaling_ = false;
    prepareReconnector();
    reconnector_.interrupted(tr("%1 re-establishes the call.").arg(peer_));
    if (state_ != CallState::Reconnecting) {
        setState(CallState::Reconnecting);  // from Connecting: nothing had connected yet
    }
    qCInfo(lcCall).noquote() << "answering re-offer" << generation_ << "from" << peer_;
    pendingOffer_ = offer.offer.sdp;
    QString error;
    if (!replaceSession(MediaSession::Role::Callee, &error)) {
        finish(CallEndReason::MediaError, QString::fromLatin1(leave_reason::kHangUp));
        return true;
    }
    reconnector_.reestablishing(false);
    return true;
}

bool CallController::replaceSession(MediaSession::Role role, QString *error) {
    if (session_) {
        session_->disconnect(this);
        session_->deleteLater();  // see finish()
        session_ = nullptr;
    }
    if (!safetyCode_.isEmpty()) {
        previousSafetyCode_ = safetyCode_;
    }
    safetyCode_.clear();
    localSdp_.clear();
    remoteSdp_ = role == MediaSession::Role::Callee ? pendingOffer_ : QString();
    if (!startSession(role, error)) {
        return false;
    }
    applyCarriedState();
    return true;
}

void CallController::applyCarriedState() {
    if (microphoneMuted_) {
        session_->setMicrophoneMuted(true);
    }
    if (!cameraEnabled_) {
        session_->setCameraEnabled(false);
    }
    if (sharedScreen_) {
        QString error;
        if (!session_->startScreenShare(*sharedScreen_, &error)) {
            sharedScreen_.reset();
            Q_EMIT screenShareChanged(false, error);
        }
    }
}

bool CallController::sendChat(const QString &text) {
    return session_ && session_->sendChat(text);
}

void CallController::setMicrophoneMuted(bool muted) {
    microphoneMuted_ = muted;
    if (session_) {
        session_->setMicrophoneMuted(muted);
    }
}

void CallController::setCameraEnabled(bool enabled) {
    cameraEnabled_ = enabled;
    if (session_) {
        session_->setCameraEnabled(enabled);
    }
}

bool CallController::startScreenShare(const ScreenSource &source, QString *error) {
    if (!session_) {
        *error = tr("Screen sharing needs a call.");
        return false;
    }
    if (!session_->startScreenShare(source, error)) {
        qCWarning(lcCall).noquote() << "screen share did not start:" << *error;
        return false;
    }
    sharedScreen_ = source;
    Q_EMIT screenShareChanged(true, tr("Sharing %1.").arg(source.describe()));
    return true;
}

void CallController::stopScreenShare() {
    sharedScreen_.reset();
    if (session_ && session_->isSharingScreen()) {
        session_->stopScreenShare();
        Q_EMIT screenShareChanged(false, tr("Screen sharing stopped."));
    }
}

// Messages without `call` (seed-protocol peers, older Confab) belong to whatever call we have.
bool CallController::belongsToAnotherCall(const QString &call) const {
    return !call.isEmpty() && !callId_.isEmpty() && call != callId_;
}

void CallController::setState(CallState state) {
    if (state == state_) {
        return;
    }
    state_ = state;
    qCInfo(lcCall).noquote() << describe(state) << peer_;
    Q_EMIT stateChanged(state, peer_);
}

void CallController::finish(CallEndReason reason, const QString &leaveReason) {
    if (state_ == CallState::Idle || state_ == CallState::Ended) {
        return;
    }
    noAnswerTimer_.stop();
    reconnector_.reset();
    generation_ = 0;
    offering_ = false;
    peerReconnects_ = false;
    reofferWaitsForSignaling_ = false;
    microphoneMuted_ = false;
    cameraEnabled_ = true;
    sharedScreen_.reset();
    chatOpenedThisCall_ = false;
    previousSafetyCode_.clear();
    localSdp_.clear();
    remoteSdp_.clear();
    safetyCode_.clear();
    if (!leaveReason.isEmpty()) {
        signaling_->sendLeave(peer_, leaveReason, callId_);
    }
    if (session_) {
        // We may be inside one of the session's own signals: detach now, destroy from the event
        // loop (on this, the main thread, where its pipeline may be stopped).
        session_->disconnect(this);
        session_->deleteLater();
        session_ = nullptr;
    }
    const QString peer = peer_;
    setState(CallState::Ended);
    Q_EMIT ended(reason, describe(reason, peer));
    peer_.clear();
    callId_.clear();
    pendingOffer_.clear();
    earlyCandidates_.clear();
    state_ = CallState::Idle;
    Q_EMIT stateChanged(CallState::Idle, QString());
}

}  // namespace confab
