// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallState.h"
#include "call/CallStats.h"
#include "media/LocalMedia.h"
#include "media/MediaOptions.h"
#include "media/RemoteMedia.h"
#include "media/ScreenSource.h"
#include "protocol/Message.h"
#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace confab {

class X11WindowList;

// One call's media: one pipeline with one webrtcbin, built when the call starts and destroyed
// whole when it ends. It knows nothing of signaling: it produces a local description and
// candidates, takes the remote ones, and reports what happens as Qt signals on the main thread.
//
// Threads: webrtcbin runs its callbacks on a private thread and pad-added on streaming threads.
// Every such callback copies what it needs and posts it here (util/MainThread.h); the pipeline's
// state is only ever changed from the main thread, in start*() and the destructor.
class CallSession : public QObject {
    Q_OBJECT
public:
    enum class Role { Caller = 1, Callee };

    struct Config {
        Role role = Role::Caller;
        MediaOptions media;
        QList<protocol::IceServer> iceServers;
        // webrtcbin's jitter buffer; kept above loopback/LAN RTT so NACK retransmissions still help.
        int jitterBufferMs = 60;
        // ICE in 1.22 can stay "checking" for ever when no candidate pair works; past this the
        // call fails with a reason instead of hanging.
        int connectTimeoutMs = 20000;
        RemoteMedia::SinkFactory sinks;
        LocalMedia::PreviewSinkFactory localPreviewSink;  // the host's self-view; none in confab-call
    };

    explicit CallSession(Config config, QObject *parent = nullptr);
    ~CallSession() override;

    // Caller: builds the pipeline and, once the encoders run, offers (localDescriptionReady).
    bool startAsCaller(QString *error);
    // Callee: builds the pipeline to match `offerSdp` and answers (localDescriptionReady).
    bool startAsCallee(const QString &offerSdp, QString *error);
    bool setRemoteAnswer(const QString &answerSdp, QString *error);
    void addRemoteCandidate(const protocol::IceCandidate &candidate);

    bool sendChat(const QString &text);
    void setMicrophoneMuted(bool muted);
    void setCameraEnabled(bool enabled);

    // A screen instead of the camera in the outgoing video, without renegotiation (LocalMedia);
    // false with *error when it cannot start (the camera still goes out). The share also ends by
    // itself — screenShareEnded with the reason — when its window closes or its capture fails.
    bool startScreenShare(const ScreenSource &source, QString *error);
    void stopScreenShare();
    bool isSharingScreen() const { return local_ && local_->isSharingScreen(); }

    QStringList notes() const;
    bool isConnected() const { return connected_; }
    const CallStats &lastStats() const { return stats_; }

Q_SIGNALS:
    void localDescriptionReady(const confab::protocol::SessionDescription &description);
    void localCandidateReady(const confab::protocol::IceCandidate &candidate);
    void connected();
    void failed(confab::CallEndReason reason, const QString &detail);
    void firstRemoteMedia(confab::MediaKind kind);
    void chatOpened();
    void chatReceived(const QString &text);
    void statsUpdated(const confab::CallStats &stats);
    // A share ended without stopScreenShare(): window closed, capture failed; the call goes on.
    void screenShareEnded(const QString &sentence);

private:
    bool buildPipeline(const SendFormat &format, QString *error);
    void watchSendCaps();
    void sendPadHasCaps();
    void negotiate();
    bool networkReady();
    void createOffer();
    void createAnswer();
    void localDescriptionCreated(const QString &type, GstSessionDescriptionPtr description);
    void connectionStateChanged(GstWebRTCPeerConnectionState state);
    CallEndReason connectionFailure() const;
    void attachDataChannel(GstWebRTCDataChannel *channel);
    void requestStats();
    void statsArrived(const RawStats &raw);
    void checkSilence();
    void adaptBitrate(const RawStats &raw);
    void fail(CallEndReason reason, const QString &detail);
    void teardown();
    void endScreenShare(const QString &sentence);
    void checkSharedWindow();

    static void onIceCandidate(GstElement *, guint mline, gchar *candidate, gpointer self);
    static void onConnectionState(GstElement *webrtc, GParamSpec *, gpointer self);
    static void onPadAdded(GstElement *webrtc, GstPad *pad, gpointer self);
    static void onDataChannel(GstElement *, GstWebRTCDataChannel *channel, gpointer self);
    static void onChannelOpen(GstWebRTCDataChannel *, gpointer self);
    static void onChannelMessage(GstWebRTCDataChannel *, gchar *text, gpointer self);
    static GstPadProbeReturn onSendCaps(GstPad *, GstPadProbeInfo *info, gpointer self);
    static gboolean onBusMessage(GstBus *, GstMessage *message, gpointer self);

    Config config_;
    GstPtr<GstElement> pipeline_;
    GstPtr<GstElement> webrtc_;
    GObjectPtr<GstWebRTCDataChannel> channel_;
    std::unique_ptr<LocalMedia> local_;
    std::unique_ptr<RemoteMedia> remote_;
    GstSessionDescriptionPtr remoteOffer_;  // callee: applied once our send pads have caps
    guint busWatch_ = 0;
    int sendPadsWithCaps_ = 0;
    bool negotiated_ = false;
    QElapsedTimer networkWait_;  // since negotiate() first found no network interface up
    bool connected_ = false;
    bool failed_ = false;
    bool chatOpen_ = false;
    QStringList mids_;
    // Our gathered candidates by "address port", for the path type (1.22.0 stats misreport it).
    QHash<QString, QString> localCandidateTypes_;
    QHash<QString, QString> remoteCandidateTypes_;  // the peer's, as it sent them
    QTimer statsTimer_;
    QTimer connectTimer_;
    RawStats previousRaw_;
    bool havePreviousStats_ = false;
    quint64 previousVideoFrames_ = 0;
    // checkSilence(): RTP packets from the peer (counted on streaming threads) and since when none came.
    std::atomic<quint64> packetsArrived_{0};
    quint64 packetsSeen_ = 0;
    QElapsedTimer sinceLastPacket_;
    QTimer silenceTimer_;
    CallStats stats_;
    // A shared X11 window is polled: ximagesrc only sees X errors (ignored) once it is closed.
    QTimer shareWatchTimer_;
    std::unique_ptr<X11WindowList> shareWindows_;
    quint64 sharedWindow_ = 0;
};

}  // namespace confab
