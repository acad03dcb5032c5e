// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallSession.h"

#include "call/AskWebrtcbin.h"
#include "call/BusErrorTriage.h"
#include "call/CallStatsSampler.h"
#include "call/ChatChannel.h"
#include "call/IceTcpHold.h"
#include "call/NetworkInterfaceWatch.h"
#include "call/OfferReader.h"
#include "call/PeerMediaWatch.h"
#include "call/SdpText.h"
#include "call/TransportFeedback.h"
#include "call/WebRtcBinSetup.h"
#include "media/EchoLoop.h"
#include "media/SharedWindowWatch.h"
#include "media/TransportCcExtension.h"
#include "util/Logging.h"
#include "util/MainThread.h"

#include <cmath>
#include <memory>

namespace confab {

using protocol::IceCandidate;
using protocol::SessionDescription;

namespace {

// Time without a single incoming RTP packet, once media has flowed, before the peer counts as
// vanished: the call ends 3.0–3.25 s after the last packet (PeerMediaWatch looks every 250 ms).
constexpr int kVanishedAfterMs = 3000;
constexpr int kLoopbackAfterMs = 2000;  // no interface for this long: gather on loopback

}  // namespace

CallSession::CallSession(Config config, QObject *parent)
    : MediaSession(parent),
      config_(std::move(config)),
      chat_(std::make_unique<ChatChannel>()),
      sampler_(std::make_unique<CallStatsSampler>()),
      peerMedia_(std::make_unique<PeerMediaWatch>(kVanishedAfterMs)),
      feedback_(std::make_unique<TransportFeedback>()),
      tcpHold_(std::make_unique<IceTcpHold>()),
      rate_(config_.media, retransmissions_),
      jitterLatency_(config_.jitterBufferMs) {
    sinceStart_.start();
    connect(feedback_.get(), &TransportFeedback::reportArrived, this,
            [this](const std::vector<BandwidthEstimator::Packet> &packets) {
                rate_.onTransportFeedback(packets, sinceStart_.elapsed());
            });
    connect(tcpHold_.get(), &IceTcpHold::release, this, &CallSession::addToWebrtcbin);
    connect(chat_.get(), &ChatChannel::opened, this, &CallSession::chatOpened);
    connect(chat_.get(), &ChatChannel::received, this, &CallSession::chatReceived);
    connect(sampler_.get(), &CallStatsSampler::sampled, this, &CallSession::statsSampled);
    // A peer that vanished (killed, network cut) says no goodbye; 1.22 has no ICE consent freshness.
    // Silence is an interruption, not the end: CallController decides (CallReconnector).
    connect(peerMedia_.get(), &PeerMediaWatch::silent, this, [this](qint64 ms) {
        if (connected_ && !failed_) {
            Q_EMIT mediaInterrupted(tr("No media from the other side for %1 seconds.").arg(ms / 1000.0, 0, 'f', 1));
        }
    });
    connect(peerMedia_.get(), &PeerMediaWatch::resumed, this, [this] {
        if (connected_ && !failed_) {
            Q_EMIT mediaResumed();
        }
    });
    connectTimer_.setSingleShot(true);
    connect(&connectTimer_, &QTimer::timeout, this, [this] {
        fail(connectionFailure(), tr("No connection after %1 seconds.").arg(config_.connectTimeoutMs / 1000));
    });
    // A computer with no network at all can still call a peer on itself (the app's echo contact):
    // after a short wait for an interface (a fresh link is marked running up to a second late)
    // ICE gathers on loopback instead.
    loopbackTimer_.setSingleShot(true);
    connect(&loopbackTimer_, &QTimer::timeout, this, [this] {
        if (negotiated_ || failed_ || !webrtc_ || !network_ || !network_->addresses().isEmpty()) {
            return;
        }
        if (WebRtcBinSetup::gatherOnLoopback(webrtc_.get())) {
            qCInfo(lcCall) << "no network interface is up: ICE gathers on loopback (127.0.0.1) only";
            loopbackOnly_ = true;
            negotiate();
        }
    });
    networkWaitTimer_.setSingleShot(true);
    connect(&networkWaitTimer_, &QTimer::timeout, this, [this] {
        fail(CallEndReason::ConnectionFailed,
             tr("This computer has no network connection for the call: no network interface is up."));
    });
}

CallSession::~CallSession() {
    teardown();
}

bool CallSession::startAsCaller(QString *error) {
    SendFormat format;
    format.videoCodec = config_.media.codec;
    format.videoPayloadType = config_.media.codec == VideoCodec::H264 ? 102 : 96;
    format.audioTransportCcId = TransportCcExtension::kOfferedId;
    format.videoTransportCcId = TransportCcExtension::kOfferedId;
    return buildPipeline(format, error);
}

bool CallSession::startAsCallee(const QString &offerSdp, QString *error) {
    remoteOffer_ = SdpText::parse(offerSdp, GST_WEBRTC_SDP_TYPE_OFFER);
    if (!remoteOffer_) {
        *error = tr("The call offer could not be read.");
        return false;
    }
    std::optional<SendFormat> format = OfferReader::sendFormat(remoteOffer_->sdp, config_.media.codec);
    if (!format) {
        // Nothing we can send (e.g. a data-only offer): still answer, receive-only.
        format = SendFormat{};
        format->sendAudio = false;
        format->sendVideo = false;
    }
    if (!buildPipeline(*format, error)) {
        return false;
    }
    startConnectTimer();  // the callee starts when it has answered
    return true;
}

bool CallSession::buildPipeline(const SendFormat &format, QString *error) {
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("call"))));
    webrtc_ = WebRtcBinSetup::make(config_.jitterBufferMs, config_.iceServers, repairRequests_, error);
    if (!webrtc_) {
        return false;
    }
    // webrtc_ is already sunk, so the bin takes a reference of its own here.
    gst_bin_add(GST_BIN(pipeline_.get()), webrtc_.get());
    feedback_->attach(webrtc_.get(), retransmissions_);  // before webrtcbin makes its RTP sessions

    g_signal_connect(webrtc_.get(), "on-ice-candidate", G_CALLBACK(onIceCandidate), this);
    g_signal_connect(webrtc_.get(), "notify::connection-state", G_CALLBACK(onConnectionState), this);
    g_signal_connect(webrtc_.get(), "pad-added", G_CALLBACK(onPadAdded), this);
    if (config_.role == Role::Callee) {
        chat_->acceptFrom(webrtc_.get());
    }

    local_ = std::make_unique<LocalMedia>(config_.media, format);
    local_->setPreviewSink(config_.localPreviewSink);
    if (!local_->build(GST_BIN(pipeline_.get()), webrtc_.get(), error)) {
        return false;
    }
    rate_.begin(*local_, sinceStart_.elapsed());
    const RemoteMedia::SinkFactory sinks =
        config_.media.echoChannel.isEmpty() ? config_.sinks : EchoLoop::sinks(config_.media);
    remote_ = std::make_unique<RemoteMedia>(sinks, [this](MediaKind kind) {
        postTo(this, [kind](CallSession *session) { Q_EMIT session->firstRemoteMedia(kind); });
    });
    remote_->setEchoProbe(local_->echoProbe());

    GstPtr<GstBus> bus(gst_pipeline_get_bus(GST_PIPELINE(pipeline_.get())));
    busWatch_ = gst_bus_add_watch(bus.get(), &CallSession::onBusMessage, this);

    // Data channels need webrtcbin at READY; the caller opens "chat", the callee is handed it.
    if (gst_element_set_state(pipeline_.get(), GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
        *error = tr("The call's media pipeline could not start.");
        return false;
    }
    if (config_.role == Role::Caller) {
        chat_->create(webrtc_.get());  // without it the call goes on without chat (logged)
    }
    watchSendCaps();
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        *error = tr("The call's media pipeline could not start.");
        return false;
    }
    sampler_->start(webrtc_.get(), remote_.get());
    peerMedia_->start();
    if (local_->sendPads().empty()) {
        negotiate();
    }
    return true;
}

void CallSession::watchSendCaps() {
    for (const GstPtr<GstPad> &pad : local_->sendPads()) {
        gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, &CallSession::onSendCaps, this, nullptr);
    }
}

GstPadProbeReturn CallSession::onSendCaps(GstPad *, GstPadProbeInfo *info, gpointer self) {
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_CAPS) {
        return GST_PAD_PROBE_OK;
    }
    postTo(static_cast<CallSession *>(self), [](CallSession *session) { session->sendPadHasCaps(); });
    return GST_PAD_PROBE_REMOVE;
}

void CallSession::sendPadHasCaps() {
    if (std::size_t(++sendPadsWithCaps_) == local_->sendPads().size()) {
        negotiate();
    }
}

// An offer or answer made before every send pad has caps lacks those tracks, so both wait for them.
void CallSession::negotiate() {
    if (negotiated_ || failed_ || !networkReady()) {
        return;
    }
    negotiated_ = true;
    if (config_.role == Role::Caller) {
        createDescription("create-offer", "offer");
        return;
    }
    askWebrtcbin(webrtc_.get(), "set-remote-description", remoteOffer_.get(), [this](const GstStructure *) {
        postTo(this, [](CallSession *session) { session->createDescription("create-answer", "answer"); });
    });
}

// Setting the local description starts ICE gathering, once (1.22 has no ICE restart): not before
// libnice can see an interface (NetworkInterfaceWatch). Until then negotiation waits for the
// interfaces to change; after half the connect timeout the call fails saying why, rather than as
// a silent "no connection".
bool CallSession::networkReady() {
    if (!network_) {
        network_ = std::make_unique<NetworkInterfaceWatch>();
        // An address gone during the call: the path ICE chose may have used it (1.22 cannot move
        // the call to another; CallController re-establishes it, CallReconnector).
        connect(network_.get(), &NetworkInterfaceWatch::addressesChanged, this,
                [this, known = network_->addresses()](const QStringList &now) mutable {
                    QStringList gone;
                    for (const QString &address : std::as_const(known)) {
                        if (!now.contains(address)) {
                            gone.append(address);
                        }
                    }
                    known = now;
                    if (!gone.isEmpty() && connected_ && !failed_) {
                        Q_EMIT localAddressLost(tr("This computer's address %1 went away.")
                                                    .arg(gone.join(QStringLiteral(", "))));
                    }
                });
    }
    const QStringList addresses = network_->addresses();
    if (loopbackOnly_) {
        networkWaitTimer_.stop();
        return true;
    }
    if (!addresses.isEmpty()) {
        loopbackTimer_.stop();
        if (networkWait_.isValid()) {
            networkWaitTimer_.stop();
            qCInfo(lcCall).noquote() << "a network interface is up after" << networkWait_.elapsed()
                                     << "ms:" << addresses.join(QStringLiteral(", "));
        }
        return true;
    }
    if (!networkWait_.isValid()) {
        networkWait_.start();
        qCInfo(lcCall) << "no network interface is up and running yet: ICE gathering waits for one";
        connect(network_.get(), &NetworkInterfaceWatch::addressesChanged, this, &CallSession::negotiate);
        networkWaitTimer_.start(config_.connectTimeoutMs / 2);
        loopbackTimer_.start(kLoopbackAfterMs);
    }
    return false;
}

// create-offer or create-answer; the reply's `field` holds the description.
void CallSession::createDescription(const char *signalName, const char *field) {
    askWebrtcbin(webrtc_.get(), signalName, nullptr, [this, field](const GstStructure *reply) {
        GstWebRTCSessionDescription *description = nullptr;
        if (reply) {
            gst_structure_get(reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, nullptr);
        }
        postTo(this, [type = QString::fromLatin1(field),
                      owned = std::make_shared<GstSessionDescriptionPtr>(description)](CallSession *s) {
            s->localDescriptionCreated(type, std::move(*owned));
        });
    });
}

void CallSession::localDescriptionCreated(const QString &type, GstSessionDescriptionPtr description) {
    if (!description) {
        fail(CallEndReason::MediaError, tr("WebRTC could not create the %1.").arg(type));
        return;
    }
    g_signal_emit_by_name(webrtc_.get(), "set-local-description", description.get(), nullptr);
    mids_ = OfferReader::mids(description->sdp);
    const QString sdp = SdpText::toText(description.get());
    qCDebug(lcCall).noquote() << "local" << type << sdp;
    Q_EMIT localDescriptionReady(SessionDescription{type, sdp});
}

bool CallSession::setRemoteAnswer(const QString &answerSdp, QString *error) {
    GstSessionDescriptionPtr answer = SdpText::parse(answerSdp, GST_WEBRTC_SDP_TYPE_ANSWER);
    if (!answer || !webrtc_) {
        *error = tr("The call answer could not be read.");
        return false;
    }
    g_signal_emit_by_name(webrtc_.get(), "set-remote-description", answer.get(), nullptr);
    startConnectTimer();  // the caller starts when it has the answer
    return true;
}

// Counted from the answer: a call that is still ringing has no network path to find yet.
void CallSession::startConnectTimer() {
    if (!connected_ && !failed_) {
        connectTimer_.start(config_.connectTimeoutMs);
    }
}

void CallSession::addRemoteCandidate(const IceCandidate &candidate) {
    if (!webrtc_ || candidate.candidate.isEmpty()) {
        return;  // an empty candidate marks the end of the peer's candidates
    }
    if (tcpHold_->hold(candidate)) {
        return;  // given to webrtcbin later, or not at all (IceTcpHold)
    }
    addToWebrtcbin(candidate);
}

void CallSession::addToWebrtcbin(const IceCandidate &candidate) {
    if (!webrtc_) {
        return;
    }
    sampler_->remoteCandidates().remember(candidate.candidate);
    // webrtcbin queues candidates that arrive before the remote description.
    g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", guint(candidate.sdpMLineIndex),
                          candidate.candidate.toUtf8().constData());
}

void CallSession::onIceCandidate(GstElement *, guint mline, gchar *candidate, gpointer self) {
    postTo(static_cast<CallSession *>(self), [mline, text = QString::fromUtf8(candidate)](CallSession *session) {
        session->sampler_->localCandidates().remember(text);
        const QString mid = int(mline) < session->mids_.size() ? session->mids_[int(mline)] : QString::number(mline);
        Q_EMIT session->localCandidateReady(IceCandidate{text, mid, int(mline)});
    });
}

void CallSession::onConnectionState(GstElement *webrtc, GParamSpec *, gpointer self) {
    GstWebRTCPeerConnectionState state;
    g_object_get(webrtc, "connection-state", &state, nullptr);
    postTo(static_cast<CallSession *>(self), [state](CallSession *session) { session->connectionStateChanged(state); });
}

void CallSession::connectionStateChanged(GstWebRTCPeerConnectionState state) {
    qCDebug(lcCall) << "connection state" << int(state);
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !connected_) {
        connected_ = true;
        tcpHold_->connected();
        connectTimer_.stop();
        if (webrtc_) {
            // Not inside the log statement: qCDebug evaluates its operands only when debug output is on.
            const int sessions = WebRtcBinSetup::reportEverySecond(webrtc_.get(), rtcpReports_);
            qCDebug(lcCall) << "RTCP about once a second in" << sessions << "session(s)";
        }
        // Frames encoded before the call connected were not sent (LocalMedia held them back), keyframe
        // included: without a fresh one the other side shows nothing until its keyframe request gets
        // through RTCP's pacing.
        if (local_) {
            local_->startSending();
            local_->requestKeyFrame();
        }
        Q_EMIT connected();
    } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED && connected_) {
        // This session cannot recover (1.22 has no ICE restart); the call may, with a new one.
        Q_EMIT mediaInterrupted(tr("ICE or DTLS failed during the call."));
    } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
        fail(connectionFailure(), tr("ICE or DTLS failed."));
    }
}

// Without a TURN server only host and server-reflexive candidates exist; when those fail, the
// fix a user can act on is a relay.
CallEndReason CallSession::connectionFailure() const {
    if (connected_ || WebRtcBinSetup::hasRelay(config_.iceServers)) {
        return CallEndReason::ConnectionFailed;
    }
    return CallEndReason::NoRelay;
}

void CallSession::onPadAdded(GstElement *, GstPad *pad, gpointer self) {
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) {
        return;
    }
    auto *session = static_cast<CallSession *>(self);
    session->peerMedia_->watch(pad);
    QString error;
    // Linking here, on the streaming thread, is the one pipeline change done off the main thread:
    // it only adds and links elements, and data waiting on the pad would otherwise hit not-linked.
    if (!session->remote_->link(GST_BIN(session->pipeline_.get()), pad, &error)) {
        postTo(session, [error](CallSession *s) { s->fail(CallEndReason::MediaError, error); });
    }
}

bool CallSession::sendChat(const QString &text) {
    return chat_->send(text);
}

void CallSession::setMicrophoneMuted(bool muted) {
    if (local_) {
        local_->setMicrophoneMuted(muted);
    }
}

void CallSession::setCameraEnabled(bool enabled) {
    if (local_) {
        local_->setCameraEnabled(enabled);
    }
}

bool CallSession::startScreenShare(const ScreenSource &source, QString *error) {
    if (!local_ || failed_) {
        *error = tr("There is no call to share the screen in.");
        return false;
    }
    stopScreenShare();
    std::unique_ptr<SharedWindowWatch> watch = SharedWindowWatch::prepare(source, error);
    if (!watch) {
        return false;
    }
    const bool started = local_->startScreenShare(
        source,
        [this] {
            postTo(this, [](CallSession *session) {
                if (session->isSharingScreen()) {
                    session->endScreenShare(tr("The shared screen stopped sending; sharing has stopped."));
                }
            });
        },
        error);
    if (!started) {
        return false;
    }
    rate_.setSharingScreen(true, sinceStart_.elapsed());
    sharedWindow_ = std::move(watch);
    connect(sharedWindow_.get(), &SharedWindowWatch::windowClosed, this, [this] {
        endScreenShare(tr("The shared window was closed; sharing has stopped and the call goes on."));
    });
    sharedWindow_->start();
    qCInfo(lcCall).noquote() << "sharing" << source.describe();
    return true;
}

void CallSession::stopScreenShare() {
    sharedWindow_.reset();
    if (local_ && local_->isSharingScreen()) {
        local_->stopScreenShare();
        rate_.setSharingScreen(false, sinceStart_.elapsed());
        qCInfo(lcCall) << "screen share stopped";
    }
}

void CallSession::endScreenShare(const QString &sentence) {
    qCWarning(lcCall).noquote() << "screen share ended:" << sentence;
    stopScreenShare();
    Q_EMIT screenShareEnded(sentence);
}

qint64 CallSession::msSinceRtcpReport() const {
    return rtcpReports_->msSinceReport(g_get_monotonic_time());
}

QStringList CallSession::notes() const {
    return local_ ? local_->notes() : QStringList();
}

void CallSession::statsSampled(const RawStats &raw, CallStats stats) {
    if (!local_) {
        return;
    }
    if (stats.videoCodec.isEmpty()) {
        stats.videoCodec = local_->videoCodecName();
    }
    rate_.onReceiverReport(raw.remoteFractionLost, raw.roundTripSeconds, sinceStart_.elapsed());
    // NACK only helps while a retransmission can still arrive before its frame is due.
    repairRequests_->setRoundTripMs(stats.roundTripMs < 0 ? -1 : int(std::lround(stats.roundTripMs)));
    if (const int latency = jitterLatency_.update(stats.roundTripMs, stats.jitterMs, stats.lossPercent,
                                                  sinceStart_.elapsed());
        latency > 0 && webrtc_) {
        qCInfo(lcCall) << "jitter buffer" << latency << "ms for a round trip of" << qRound(stats.roundTripMs) << "ms";
        g_object_set(webrtc_.get(), "latency", guint(latency), nullptr);
    }
    // The round trip, the peer's loss figure and the jitter buffer's latency depend on the regular
    // RTCP reports that WebRtcBinSetup::reportEverySecond keeps going beside the early feedback.
    rtcpReports_->check(g_get_monotonic_time());
    stats.sendBitrateKbps = local_->videoBitrateKbps();
    stats.estimateKbps = rate_.estimator().targetKbps();
    stats_ = stats;
    if (connected_) {
        Q_EMIT statsUpdated(stats);
    }
}

gboolean CallSession::onBusMessage(GstBus *, GstMessage *message, gpointer self) {
    // Bus watches run on the default main context: this is the main thread.
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
        static_cast<CallSession *>(self)->busError(message);
    }
    return G_SOURCE_CONTINUE;
}

void CallSession::busError(GstMessage *message) {
    const BusErrorTriage::Error error = BusErrorTriage::classify(message);
    switch (error.kind) {
        case BusErrorTriage::Kind::ScreenShare:
            qCWarning(lcCall).noquote() << "screen share error from" << error.source << error.message << error.debug;
            if (isSharingScreen()) {
                endScreenShare(tr("Screen sharing stopped: %1").arg(error.message));
            }
            return;
        case BusErrorTriage::Kind::ChatTransport:
            qCInfo(lcCall).noquote() << "chat transport closed:" << error.message;
            return;
        case BusErrorTriage::Kind::Fatal:
            qCWarning(lcCall).noquote() << "pipeline error from" << error.source << error.message << error.debug;
            // Written only when GST_DEBUG_DUMP_DOT_DIR is set: the pipeline graph at the failure.
            GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(pipeline_.get()), GST_DEBUG_GRAPH_SHOW_ALL, "confab-error");
            fail(CallEndReason::MediaError, error.message);
            return;
    }
}

void CallSession::fail(CallEndReason reason, const QString &detail) {
    if (failed_) {
        return;
    }
    failed_ = true;
    sampler_->stop();
    peerMedia_->stop();
    connectTimer_.stop();
    networkWaitTimer_.stop();
    loopbackTimer_.stop();
    qCWarning(lcCall).noquote() << "call failed:" << wireName(reason) << detail;
    Q_EMIT failed(reason, detail);
}

void CallSession::teardown() {
    sharedWindow_.reset();
    sampler_->stop();
    peerMedia_->stop();
    connectTimer_.stop();
    networkWaitTimer_.stop();
    loopbackTimer_.stop();
    if (busWatch_) {
        g_source_remove(busWatch_);
        busWatch_ = 0;
    }
    if (pipeline_) {
        // Main thread only: READY→NULL joins webrtcbin's thread, so doing this from any of its
        // callbacks would deadlock. Signal handlers stay connected until the threads are gone.
        gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    }
    chat_->detach();
    feedback_->detach();
    if (webrtc_) {
        g_signal_handlers_disconnect_by_data(webrtc_.get(), this);
    }
    local_.reset();
    webrtc_.reset();
    pipeline_.reset();
    remote_.reset();
}

}  // namespace confab
