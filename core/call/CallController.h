// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallReconnector.h"
#include "call/CallState.h"
#include "call/MediaSession.h"
#include "media/MediaOptions.h"
#include "media/RemoteMedia.h"
#include "protocol/Message.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

namespace confab {

class CallSignaling;

// Drives at most one call at a time over a CallSignaling (SignalingClient, or LoopbackSignaling in
// tests): the call-control state machine (calling, ringing, connecting, connected, ended with a
// reason) and its MediaSession (a CallSession, or an in-memory one in tests). The caller offers
// and the callee answers; an offer during a call is answered `busy`. Used alike by the desktop
// app and confab-call.
class CallController : public QObject {
    Q_OBJECT
public:
    struct Settings {
        MediaOptions media;
        QList<protocol::IceServer> iceServers;  // from the user; the server's are added per call
        int jitterBufferMs = 60;
        int noAnswerTimeoutMs = 45000;
        // How long a connected call whose media stopped may stay Reconnecting before it ends.
        int reconnectWindowMs = 30000;
        // When each side offers a fresh media session (reconnectWindowMs is the window).
        CallReconnector::Timing reconnectTiming;
        RemoteMedia::SinkFactory sinks;
        // The host's self-view of the video it sends (before camera-off blacking); empty: none.
        LocalMedia::PreviewSinkFactory localPreviewSink;
        // Shared instead of the camera from the start of every call (confab-call --video screen).
        std::optional<ScreenSource> screenShare;
        // Makes each call's media; empty: a CallSession.
        std::function<MediaSession *(const MediaSession::Config &config, QObject *parent)> sessionFactory;
    };

    CallController(CallSignaling *signaling, Settings settings, QObject *parent = nullptr);
    ~CallController() override;

    CallState state() const { return state_; }
    QString peer() const { return peer_; }
    // The call's safety code (SafetyCode) once both descriptions are known; empty before.
    QString safetyCode() const { return safetyCode_; }
    MediaSession *session() const { return session_; }
    Settings &settings() { return settings_; }

    // Starts a call to `peer`; false with *error when it cannot start (already in a call, …).
    bool call(const QString &peer, QString *error);
    // Answers the ringing incoming call.
    bool accept(QString *error);
    void decline();
    // Ends the call in whatever state it is: cancels, declines or hangs up as fits.
    void hangUp();

    bool sendChat(const QString &text);
    void setMicrophoneMuted(bool muted);
    void setCameraEnabled(bool enabled);
    // Screen sharing in the current call (MediaSession); screenShareChanged tells how it went.
    bool startScreenShare(const ScreenSource &source, QString *error);
    void stopScreenShare();
    bool isSharingScreen() const { return session_ && session_->isSharingScreen(); }
    // Since the call went Reconnecting; -1 when it is not.
    qint64 reconnectingForMs() const { return reconnector_.reconnectingForMs(); }

Q_SIGNALS:
    void stateChanged(confab::CallState state, const QString &peer);
    void incomingCall(const QString &peer);
    void ended(confab::CallEndReason reason, const QString &sentence);
    void notice(const QString &sentence);
    void chatOpened();
    void chatReceived(const QString &text);
    // The first decoded frame (video) or buffer (audio), in ms since the call began here.
    void firstRemoteMedia(confab::MediaKind kind, qint64 ms);
    void statsUpdated(const confab::CallStats &stats);
    // Both descriptions are known: the code both people should see the same (SafetyCode).
    void safetyCodeReady(const QString &code);
    // Sharing started or stopped; `sentence` says what happened (why, when it ended by itself).
    void screenShareChanged(bool sharing, const QString &sentence);

private:
    void offerReceived(const protocol::OfferMessage &offer);
    void answerReceived(const protocol::AnswerMessage &answer);
    void candidateReceived(const protocol::CandidateMessage &candidate);
    void leaveReceived(const protocol::LeaveMessage &leave);
    void ringingReceived(const protocol::RingingMessage &ringing);
    void serverError(const protocol::ErrorMessage &error);
    void signalingStateChanged();

    bool startSession(MediaSession::Role role, QString *error);
    void setState(CallState state);
    void finish(CallEndReason reason, const QString &leaveReason = {});
    void updateSafetyCode();
    void mediaInterrupted(const QString &detail);
    void reofferDue();
    void prepareReconnector();
    bool reconnectOfferReceived(const protocol::OfferMessage &offer);
    bool belongsToAnotherCall(const QString &call) const;
    bool replaceSession(MediaSession::Role role, QString *error);
    void applyCarriedState();

    CallSignaling *signaling_;
    Settings settings_;
    CallState state_ = CallState::Idle;
    MediaSession::Role role_ = MediaSession::Role::Caller;
    QString peer_;
    // The call's identity (docs/protocol.md, "Call identity"): made by us as the caller, the
    // offer's as the callee; empty when the calling peer sends none.
    QString callId_;
    QString pendingOffer_;                         // callee: the offer, until accepted
    QList<protocol::IceCandidate> earlyCandidates_;  // callee: candidates that came while ringing
    QString localSdp_;   // this call's descriptions, for the safety code
    QString remoteSdp_;
    QString safetyCode_;
    QString previousSafetyCode_;  // the code before the call's media was re-established
    // Reconnection (docs/protocol.md): the running media session's number in this call, whether
    // we offered it and wait for the answer, and whether a re-offer waits for signaling.
    int generation_ = 0;
    bool offering_ = false;
    bool peerReconnects_ = false;  // its first offer or answer carried `reconnect`: it can re-establish
    bool reofferWaitsForSignaling_ = false;
    // What the user set, carried over to a re-established session.
    bool microphoneMuted_ = false;
    bool cameraEnabled_ = true;
    std::optional<ScreenSource> sharedScreen_;
    bool chatOpenedThisCall_ = false;
    QPointer<MediaSession> session_;
    QTimer noAnswerTimer_;
    CallReconnector reconnector_;
    QElapsedTimer sinceStart_;
    int callCount_ = 0;
};

}  // namespace confab
