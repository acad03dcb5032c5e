// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/JitterLatency.h"
#include "call/MediaSession.h"
#include "call/RetransmissionBudget.h"
#include "call/RetransmissionRequests.h"
#include "call/RtcpReportWatch.h"
#include "call/SendRateControl.h"
#include "util/GstPtr.h"

#include <QElapsedTimer>
#include <QTimer>

#include <memory>

namespace confab {

class CallStatsSampler;
class ChatChannel;
class IceTcpHold;
class NetworkInterfaceWatch;
class PeerMediaWatch;
class SharedWindowWatch;
class TransportFeedback;

// One call's media: one pipeline with one webrtcbin, built when the call starts and destroyed
// whole when it ends. It knows nothing of signaling: it produces a local description and
// candidates, takes the remote ones, and reports what happens as signals on the main thread.
// This class is the negotiation and the wiring; the parts are its members: LocalMedia (sources,
// encoders), RemoteMedia (decoders, sinks), ChatChannel, CallStatsSampler, SendRateControl,
// PeerMediaWatch (silence), NetworkInterfaceWatch (ICE waits for an interface), SharedWindowWatch,
// BusErrorTriage, TransportFeedback.
//
// Threads: webrtcbin runs its callbacks on a private thread and pad-added on streaming threads.
// Every such callback copies what it needs and posts it here (util/MainThread.h); the pipeline's
// state is only ever changed from the main thread, in start*() and the destructor.
class CallSession : public MediaSession {
    Q_OBJECT
public:
    explicit CallSession(Config config, QObject *parent = nullptr);
    ~CallSession() override;

    bool startAsCaller(QString *error) override;
    bool startAsCallee(const QString &offerSdp, QString *error) override;
    bool setRemoteAnswer(const QString &answerSdp, QString *error) override;
    void addRemoteCandidate(const protocol::IceCandidate &candidate) override;

    bool sendChat(const QString &text) override;
    void setMicrophoneMuted(bool muted) override;
    void setCameraEnabled(bool enabled) override;
    bool startScreenShare(const ScreenSource &source, QString *error) override;
    void stopScreenShare() override;
    bool isSharingScreen() const override { return local_ && local_->isSharingScreen(); }

    QStringList notes() const override;
    bool isConnected() const override { return connected_; }
    CallStats lastStats() const override { return stats_; }
    // How long ago the last regular RTCP report (one with report blocks) went out; -1 before the
    // call is connected. The round trip and the loss figures are only as fresh as these reports.
    qint64 msSinceRtcpReport() const;

private:
    bool buildPipeline(const SendFormat &format, QString *error);
    void watchSendCaps();
    void sendPadHasCaps();
    void negotiate();
    bool networkReady();
    void createDescription(const char *signalName, const char *field);
    void localDescriptionCreated(const QString &type, GstSessionDescriptionPtr description);
    void startConnectTimer();
    void connectionStateChanged(GstWebRTCPeerConnectionState state);
    void addToWebrtcbin(const protocol::IceCandidate &candidate);
    CallEndReason connectionFailure() const;
    void statsSampled(const RawStats &raw, CallStats stats);
    void busError(GstMessage *message);
    void fail(CallEndReason reason, const QString &detail);
    void teardown();
    void endScreenShare(const QString &sentence);

    static void onIceCandidate(GstElement *, guint mline, gchar *candidate, gpointer self);
    static void onConnectionState(GstElement *webrtc, GParamSpec *, gpointer self);
    static void onPadAdded(GstElement *webrtc, GstPad *pad, gpointer self);
    static GstPadProbeReturn onSendCaps(GstPad *, GstPadProbeInfo *info, gpointer self);
    static gboolean onBusMessage(GstBus *, GstMessage *message, gpointer self);

    Config config_;
    GstPtr<GstElement> pipeline_;
    GstPtr<GstElement> webrtc_;
    std::unique_ptr<LocalMedia> local_;
    std::unique_ptr<RemoteMedia> remote_;
    std::unique_ptr<ChatChannel> chat_;
    std::unique_ptr<CallStatsSampler> sampler_;
    std::unique_ptr<PeerMediaWatch> peerMedia_;
    std::unique_ptr<NetworkInterfaceWatch> network_;
    std::unique_ptr<SharedWindowWatch> sharedWindow_;
    std::unique_ptr<TransportFeedback> feedback_;
    std::unique_ptr<IceTcpHold> tcpHold_;
    std::shared_ptr<RetransmissionBudget> retransmissions_ = std::make_shared<RetransmissionBudget>();
    std::shared_ptr<RetransmissionRequests> repairRequests_ = std::make_shared<RetransmissionRequests>();
    std::shared_ptr<RtcpReportWatch> rtcpReports_ = std::make_shared<RtcpReportWatch>();
    SendRateControl rate_;
    JitterLatency jitterLatency_;
    QElapsedTimer sinceStart_;              // the clock the rate control and the jitter latency run on
    GstSessionDescriptionPtr remoteOffer_;  // callee: applied once our send pads have caps
    guint busWatch_ = 0;
    int sendPadsWithCaps_ = 0;
    bool negotiated_ = false;
    QElapsedTimer networkWait_;  // since negotiate() first found no network interface up
    QTimer networkWaitTimer_;    // gives up waiting for one
    QTimer loopbackTimer_;       // or, before that, gathers on loopback (an offline computer)
    bool loopbackOnly_ = false;
    bool connected_ = false;
    bool failed_ = false;
    QStringList mids_;
    QTimer connectTimer_;
    CallStats stats_;
};

}  // namespace confab
