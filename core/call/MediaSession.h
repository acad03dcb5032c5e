// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallState.h"
#include "call/CallStats.h"
#include "media/LocalMedia.h"
#include "media/MediaOptions.h"
#include "media/RemoteMedia.h"
#include "media/ScreenSource.h"
#include "protocol/Message.h"

#include <QObject>
#include <QStringList>

namespace confab {

// The media of one call as CallController drives it: make or take an offer, take an answer and
// candidates, then chat, mute, camera and screen while it runs; what happens comes back as signals
// on the main thread. CallSession is the real one (one pipeline, one webrtcbin); tests of the call
// flow put an in-memory one in its place (CallController::Settings::sessionFactory).
class MediaSession : public QObject {
    Q_OBJECT
public:
    enum class Role { Caller = 1, Callee };

    struct Config {
        Role role = Role::Caller;
        MediaOptions media;
        QList<protocol::IceServer> iceServers;
        // webrtcbin's jitter buffer; kept above loopback/LAN RTT so NACK retransmissions still help.
        int jitterBufferMs = 60;
        // ICE in 1.22 can stay "checking" for ever when no candidate pair works; past this (counted
        // from the moment both descriptions are known: the call was answered) the call fails with
        // a reason instead of hanging.
        int connectTimeoutMs = 20000;
        RemoteMedia::SinkFactory sinks;
        LocalMedia::PreviewSinkFactory localPreviewSink;  // the host's self-view; none in confab-call
    };

    using QObject::QObject;

    // Caller: builds the media and, once it runs, offers (localDescriptionReady).
    virtual bool startAsCaller(QString *error) = 0;
    // Callee: builds the media to match `offerSdp` and answers (localDescriptionReady).
    virtual bool startAsCallee(const QString &offerSdp, QString *error) = 0;
    virtual bool setRemoteAnswer(const QString &answerSdp, QString *error) = 0;
    virtual void addRemoteCandidate(const protocol::IceCandidate &candidate) = 0;

    virtual bool sendChat(const QString &text) = 0;
    virtual void setMicrophoneMuted(bool muted) = 0;
    virtual void setCameraEnabled(bool enabled) = 0;
    // A screen instead of the camera in the outgoing video, without renegotiation; false with
    // *error when it cannot start (the camera still goes out). The share also ends by itself —
    // screenShareEnded with the reason — when its window closes or its capture fails.
    virtual bool startScreenShare(const ScreenSource &source, QString *error) = 0;
    virtual void stopScreenShare() = 0;
    virtual bool isSharingScreen() const = 0;

    // Things the user should know, e.g. "No camera was found; sending a test pattern."
    virtual QStringList notes() const = 0;
    virtual bool isConnected() const = 0;
    virtual CallStats lastStats() const = 0;

Q_SIGNALS:
    void localDescriptionReady(const confab::protocol::SessionDescription &description);
    void localCandidateReady(const confab::protocol::IceCandidate &candidate);
    void connected();
    void failed(confab::CallEndReason reason, const QString &detail);
    // Once connected: the peer's media stopped arriving, or ICE failed (`detail` says which). The
    // call is not over: CallController puts it in Reconnecting (CallReconnector).
    void mediaInterrupted(const QString &detail);
    // Media arrives again on this same session after mediaInterrupted().
    void mediaResumed();
    // Once connected: an address of this computer that ICE gathered on is gone (a network
    // change), so the path in use is probably dead; `detail` names it.
    void localAddressLost(const QString &detail);
    void firstRemoteMedia(confab::MediaKind kind);
    void chatOpened();
    void chatReceived(const QString &text);
    void statsUpdated(const confab::CallStats &stats);
    // A share ended without stopScreenShare(): window closed, capture failed; the call goes on.
    void screenShareEnded(const QString &sentence);
};

}  // namespace confab
