// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallSession.h"

#include "call/OfferReader.h"
#include "media/ScreenShareBranch.h"
#include "media/X11WindowList.h"
#include "util/Logging.h"
#include "util/MainThread.h"

#include <QCoreApplication>
#include <QUrl>

#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>

#include <algorithm>
#include <iterator>
#include <memory>

namespace confab {

using protocol::IceCandidate;
using protocol::SessionDescription;

namespace {

// Time without a single incoming RTP packet, once media has flowed, before the peer counts as
// vanished, and how often that is checked: the call ends 3.0–3.25 s after the last packet. (Judged
// on the once-a-second stats instead, it ended up to a whole interval later, past 4 s.)
constexpr int kVanishedAfterMs = 3000;
constexpr int kSilenceCheckMs = 250;

QString sdpText(const GstWebRTCSessionDescription *description) {
    GCharPtr text(gst_sdp_message_as_text(description->sdp));
    return QString::fromUtf8(text.get());
}

GstSessionDescriptionPtr parseDescription(const QString &sdp, GstWebRTCSDPType type) {
    GstSDPMessage *message = nullptr;
    gst_sdp_message_new(&message);
    GstSdpMessagePtr owner(message);
    const QByteArray bytes = sdp.toUtf8();
    if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8 *>(bytes.constData()), guint(bytes.size()),
                                     message) != GST_SDP_OK ||
        gst_sdp_message_medias_len(message) == 0) {
        return nullptr;
    }
    return GstSessionDescriptionPtr(gst_webrtc_session_description_new(type, owner.release()));
}

// "candidate:1 1 UDP 2015363327 192.168.1.2 45123 typ host": remembers the type by "address port".
void rememberCandidateType(const QString &candidate, QHash<QString, QString> *types) {
    const QStringList fields = candidate.split(QLatin1Char(' '));
    if (fields.size() >= 8 && fields[6] == QLatin1StringView("typ")) {
        types->insert(fields[4] + QLatin1Char(' ') + fields[5], fields[7]);
    }
}

// "stun:host:port" (RTCIceServer) → "stun://host:port" (webrtcbin); TURN credentials go in the URL.
QString webrtcbinUrl(const QString &url, const protocol::IceServer &server) {
    const qsizetype colon = url.indexOf(QLatin1Char(':'));
    const QString scheme = url.left(colon);
    QString rest = url.mid(colon + 1);
    if (rest.startsWith(QLatin1StringView("//"))) {
        rest = rest.mid(2);
    }
    if (scheme.startsWith(QLatin1StringView("turn")) && !server.username.isEmpty()) {
        rest = QString::fromUtf8(QUrl::toPercentEncoding(server.username)) + QLatin1Char(':') +
               QString::fromUtf8(QUrl::toPercentEncoding(server.credential)) + QLatin1Char('@') + rest;
    }
    return scheme + QStringLiteral("://") + rest;
}

// The echo service's sinks feed its own sources (LocalMedia's Echo kinds) through inter elements,
// converted to exactly what those sources send.
RemoteMedia::SinkFactory echoSinks(const MediaOptions &media) {
    return [media](MediaKind kind) -> GstElement * {
        const QString description =
            kind == MediaKind::Video
                ? QStringLiteral("videoconvert ! videoscale ! video/x-raw,format=I420,width=%1,height=%2 "
                                 "! intervideosink channel=%3-video")
                      .arg(media.width)
                      .arg(media.height)
                      .arg(media.echoChannel)
                : QStringLiteral("audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 "
                                 "! interaudiosink channel=%1-audio")
                      .arg(media.echoChannel);
        GErrorPtr error;
        GstElement *bin = gst_parse_bin_from_description(description.toUtf8().constData(), TRUE, out(error));
        if (!bin) {
            qCWarning(lcMedia).noquote() << "echo sink:" << error->message;
        }
        return bin;
    };
}

}  // namespace

CallSession::CallSession(Config config, QObject *parent) : QObject(parent), config_(std::move(config)) {
    statsTimer_.setInterval(1000);
    connect(&statsTimer_, &QTimer::timeout, this, &CallSession::requestStats);
    silenceTimer_.setInterval(kSilenceCheckMs);
    connect(&silenceTimer_, &QTimer::timeout, this, &CallSession::checkSilence);
    connectTimer_.setSingleShot(true);
    shareWatchTimer_.setInterval(500);
    connect(&shareWatchTimer_, &QTimer::timeout, this, &CallSession::checkSharedWindow);
    connect(&connectTimer_, &QTimer::timeout, this, [this] {
        fail(connectionFailure(), tr("No connection after %1 seconds.").arg(config_.connectTimeoutMs / 1000));
    });
}

CallSession::~CallSession() {
    teardown();
}

bool CallSession::startAsCaller(QString *error) {
    SendFormat format;
    format.videoCodec = config_.media.codec;
    format.videoPayloadType = config_.media.codec == VideoCodec::H264 ? 102 : 96;
    return buildPipeline(format, error);
}

bool CallSession::startAsCallee(const QString &offerSdp, QString *error) {
    remoteOffer_ = parseDescription(offerSdp, GST_WEBRTC_SDP_TYPE_OFFER);
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
    return buildPipeline(*format, error);
}

namespace {

// libnice's defaults cost call set-up time for nothing a call needs: UPnP discovery holds candidate
// gathering back by up to 200 ms (and no browser does it), and connectivity checks go out every
// 20 ms where RFC 8445 allows 5 ms for media. Both are plain agent properties, settable until ICE runs.
void tuneIceAgent(GstElement *webrtc) {
    GstWebRTCICE *ice = nullptr;
    g_object_get(webrtc, "ice-agent", &ice, nullptr);
    GstPtr<GstWebRTCICE> iceOwner(ice);
    if (!ice || !g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent")) {
        return;  // not the libnice backend
    }
    GObject *agent = nullptr;
    g_object_get(ice, "agent", &agent, nullptr);
    GObjectPtr<GObject> agentOwner(agent);
    if (agent) {
        g_object_set(agent, "upnp", FALSE, "stun-pacing-timer", 5u, nullptr);
    }
}

// The addresses libnice 0.1.21 gathers host candidates on, found the way it finds them
// (nice_interfaces_get_local_ips): getifaddrs(), interfaces up *and running*, not loopback, not
// named with a prefix Debian's build ignores. With none, nice_agent_gather_candidates() fails
// outright (no candidate, no socket) and webrtcbin 1.22 ignores the failure and stays "gathering"
// for good. There are none for a while after an interface comes up: the kernel sets IFF_RUNNING
// (operstate up, in its linkwatch work, deferred up to a second and behind the rtnl lock) after
// the link already carries traffic. tst_peerloss's fresh namespaces met it in about one call in
// six: the caller signed in over its link, then libnice saw only `lo`.
QStringList iceHostAddresses() {
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) {
        return {};  // libnice reads the same list and would find nothing either
    }
    const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, &freeifaddrs);
    static constexpr const char *kIgnoredPrefixes[] = {"docker", "veth", "virbr", "vnet"};
    QStringList found;
    for (const ifaddrs *entry = list; entry; entry = entry->ifa_next) {
        const unsigned flags = entry->ifa_flags;
        if (!(flags & IFF_UP) || !(flags & IFF_RUNNING) || (flags & IFF_LOOPBACK) || !entry->ifa_addr) {
            continue;
        }
        const int family = entry->ifa_addr->sa_family;
        const char *name = entry->ifa_name;
        if ((family != AF_INET && family != AF_INET6) ||
            std::any_of(std::begin(kIgnoredPrefixes), std::end(kIgnoredPrefixes),
                        [name](const char *prefix) { return g_str_has_prefix(name, prefix); })) {
            continue;
        }
        char host[NI_MAXHOST];
        const socklen_t size = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
        if (getnameinfo(entry->ifa_addr, size, host, sizeof host, nullptr, 0, NI_NUMERICHOST) == 0) {
            found << QStringLiteral("%1 (%2)").arg(QString::fromLatin1(host), QString::fromLocal8Bit(name));
        }
    }
    return found;
}

// rtpjitterbuffer holds the first packet of each stream for its whole latency (the jitter-buffer
// setting) before it lets anything through, which added --jitter-ms (60 ms) to every call's first
// frame. With faststart it starts as soon as a few packets in sequence have arrived; later loss
// and reordering are handled by the latency as before. (bench/call-setup, docs/performance.md)
void startJitterBuffersEarly(GstElement *webrtc) {
    GstPtr<GstElement> rtpbin(gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin"));
    if (!rtpbin) {
        return;
    }
    g_signal_connect(rtpbin.get(), "new-jitterbuffer",
                     G_CALLBACK(+[](GstElement *, GstElement *jitterBuffer, guint, guint, gpointer) {
                         if (g_object_class_find_property(G_OBJECT_GET_CLASS(jitterBuffer), "faststart-min-packets")) {
                             g_object_set(jitterBuffer, "faststart-min-packets", 2u, nullptr);
                         }
                     }),
                     nullptr);
}

}  // namespace

bool CallSession::buildPipeline(const SendFormat &format, QString *error) {
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("call"))));
    webrtc_.reset(GST_ELEMENT(gst_object_ref_sink(gst_element_factory_make("webrtcbin", "webrtc"))));
    if (!webrtc_) {
        *error = tr("WebRTC support is missing: install gstreamer1.0-plugins-bad and gstreamer1.0-nice.");
        return false;
    }
    g_object_set(webrtc_.get(), "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
                 guint(config_.jitterBufferMs), nullptr);
    tuneIceAgent(webrtc_.get());
    startJitterBuffersEarly(webrtc_.get());
    for (const protocol::IceServer &server : std::as_const(config_.iceServers)) {
        for (const QString &url : server.urls) {
            const QString converted = webrtcbinUrl(url, server);
            if (url.startsWith(QLatin1StringView("stun:"))) {
                g_object_set(webrtc_.get(), "stun-server", converted.toUtf8().constData(), nullptr);
            } else if (url.startsWith(QLatin1StringView("turn"))) {
                gboolean added = FALSE;
                g_signal_emit_by_name(webrtc_.get(), "add-turn-server", converted.toUtf8().constData(), &added);
            }
        }
    }
    // webrtc_ is already sunk, so the bin takes a reference of its own here.
    gst_bin_add(GST_BIN(pipeline_.get()), webrtc_.get());

    g_signal_connect(webrtc_.get(), "on-ice-candidate", G_CALLBACK(onIceCandidate), this);
    g_signal_connect(webrtc_.get(), "notify::connection-state", G_CALLBACK(onConnectionState), this);
    g_signal_connect(webrtc_.get(), "pad-added", G_CALLBACK(onPadAdded), this);
    g_signal_connect(webrtc_.get(), "on-data-channel", G_CALLBACK(onDataChannel), this);

    local_ = std::make_unique<LocalMedia>(config_.media, format);
    local_->setPreviewSink(config_.localPreviewSink);
    if (!local_->build(GST_BIN(pipeline_.get()), webrtc_.get(), error)) {
        return false;
    }
    RemoteMedia::SinkFactory sinks = config_.sinks;
    if (!config_.media.echoChannel.isEmpty()) {
        sinks = echoSinks(config_.media);
    }
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
        GstStructurePtr options(gst_structure_new("application/data-channel", "ordered", G_TYPE_BOOLEAN, TRUE, nullptr));
        GstWebRTCDataChannel *channel = nullptr;
        g_signal_emit_by_name(webrtc_.get(), "create-data-channel", "chat", options.get(), &channel);
        if (channel) {
            attachDataChannel(channel);
            g_object_unref(channel);  // attachDataChannel took its own reference
        } else {
            qCWarning(lcCall) << "could not create the chat data channel";
        }
    }
    watchSendCaps();
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        *error = tr("The call's media pipeline could not start.");
        return false;
    }
    statsTimer_.start();
    silenceTimer_.start();
    connectTimer_.start(config_.connectTimeoutMs);
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
        createOffer();
        return;
    }
    GstPromise *promise = gst_promise_new_with_change_func(
        [](GstPromise *p, gpointer self) {
            GstPromisePtr owner(p);
            postTo(static_cast<CallSession *>(self), [](CallSession *session) { session->createAnswer(); });
        },
        this, nullptr);
    g_signal_emit_by_name(webrtc_.get(), "set-remote-description", remoteOffer_.get(), promise);
}

// Setting the local description starts ICE gathering, once (1.22 has no ICE restart): not before
// libnice can see an interface (iceHostAddresses()). Until then negotiate() is tried again every
// 50 ms; after half the connect timeout the call fails saying why, rather than as a silent
// "no connection".
bool CallSession::networkReady() {
    const QStringList addresses = iceHostAddresses();
    if (!addresses.isEmpty()) {
        if (networkWait_.isValid()) {
            qCInfo(lcCall).noquote() << "a network interface is up after" << networkWait_.elapsed()
                                     << "ms:" << addresses.join(QStringLiteral(", "));
        }
        return true;
    }
    if (!networkWait_.isValid()) {
        networkWait_.start();
        qCInfo(lcCall) << "no network interface is up and running yet: ICE gathering waits for one";
    }
    if (networkWait_.elapsed() >= config_.connectTimeoutMs / 2) {
        fail(CallEndReason::ConnectionFailed,
             tr("This computer has no network connection for the call: no network interface is up."));
        return false;
    }
    QTimer::singleShot(50, this, &CallSession::negotiate);
    return false;
}

void CallSession::createOffer() {
    GstPromise *promise = gst_promise_new_with_change_func(
        [](GstPromise *p, gpointer self) {
            GstPromisePtr owner(p);
            const GstStructure *reply = gst_promise_get_reply(p);
            GstWebRTCSessionDescription *offer = nullptr;
            if (reply) {
                gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, nullptr);
            }
            auto *session = static_cast<CallSession *>(self);
            postTo(session, [description = std::make_shared<GstSessionDescriptionPtr>(offer)](CallSession *s) {
                s->localDescriptionCreated(QStringLiteral("offer"), std::move(*description));
            });
        },
        this, nullptr);
    g_signal_emit_by_name(webrtc_.get(), "create-offer", nullptr, promise);
}

void CallSession::createAnswer() {
    GstPromise *promise = gst_promise_new_with_change_func(
        [](GstPromise *p, gpointer self) {
            GstPromisePtr owner(p);
            const GstStructure *reply = gst_promise_get_reply(p);
            GstWebRTCSessionDescription *answer = nullptr;
            if (reply) {
                gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, nullptr);
            }
            postTo(static_cast<CallSession *>(self),
                   [description = std::make_shared<GstSessionDescriptionPtr>(answer)](CallSession *s) {
                       s->localDescriptionCreated(QStringLiteral("answer"), std::move(*description));
                   });
        },
        this, nullptr);
    g_signal_emit_by_name(webrtc_.get(), "create-answer", nullptr, promise);
}

void CallSession::localDescriptionCreated(const QString &type, GstSessionDescriptionPtr description) {
    if (!description) {
        fail(CallEndReason::MediaError, tr("WebRTC could not create the %1.").arg(type));
        return;
    }
    g_signal_emit_by_name(webrtc_.get(), "set-local-description", description.get(), nullptr);
    mids_ = OfferReader::mids(description->sdp);
    const QString sdp = sdpText(description.get());
    qCDebug(lcCall).noquote() << "local" << type << sdp;
    Q_EMIT localDescriptionReady(SessionDescription{type, sdp});
}

bool CallSession::setRemoteAnswer(const QString &answerSdp, QString *error) {
    GstSessionDescriptionPtr answer = parseDescription(answerSdp, GST_WEBRTC_SDP_TYPE_ANSWER);
    if (!answer || !webrtc_) {
        *error = tr("The call answer could not be read.");
        return false;
    }
    g_signal_emit_by_name(webrtc_.get(), "set-remote-description", answer.get(), nullptr);
    return true;
}

void CallSession::addRemoteCandidate(const IceCandidate &candidate) {
    if (!webrtc_ || candidate.candidate.isEmpty()) {
        return;  // an empty candidate marks the end of the peer's candidates
    }
    rememberCandidateType(candidate.candidate, &remoteCandidateTypes_);
    // webrtcbin queues candidates that arrive before the remote description.
    g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", guint(candidate.sdpMLineIndex),
                          candidate.candidate.toUtf8().constData());
}

void CallSession::onIceCandidate(GstElement *, guint mline, gchar *candidate, gpointer self) {
    postTo(static_cast<CallSession *>(self), [mline, text = QString::fromUtf8(candidate)](CallSession *session) {
        rememberCandidateType(text, &session->localCandidateTypes_);
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
        connectTimer_.stop();
        // Frames encoded before DTLS finished were dropped, keyframe included: without a fresh one the
        // other side shows nothing until its keyframe request gets through RTCP's pacing.
        if (local_) {
            local_->requestKeyFrame();
        }
        Q_EMIT connected();
    } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
        fail(connectionFailure(), tr("ICE or DTLS failed."));
    }
}

// Without a TURN server only host and server-reflexive candidates exist; when those fail, the
// fix a user can act on is a relay.
CallEndReason CallSession::connectionFailure() const {
    if (connected_) {
        return CallEndReason::ConnectionFailed;
    }
    for (const protocol::IceServer &server : std::as_const(config_.iceServers)) {
        for (const QString &url : server.urls) {
            if (url.startsWith(QLatin1StringView("turn"))) {
                return CallEndReason::ConnectionFailed;
            }
        }
    }
    return CallEndReason::NoRelay;
}

void CallSession::onPadAdded(GstElement *, GstPad *pad, gpointer self) {
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) {
        return;
    }
    auto *session = static_cast<CallSession *>(self);
    // Every RTP packet the peer gets through to us (decrypted, out of the jitter buffer) counts as
    // a sign of life for checkSilence(); a counter, so the streaming thread never waits on us.
    gst_pad_add_probe(
        pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        [](GstPad *, GstPadProbeInfo *, gpointer data) {
            static_cast<CallSession *>(data)->packetsArrived_.fetch_add(1, std::memory_order_relaxed);
            return GST_PAD_PROBE_OK;
        },
        session, nullptr);
    QString error;
    // Linking here, on the streaming thread, is the one pipeline change done off the main thread:
    // it only adds and links elements, and data waiting on the pad would otherwise hit not-linked.
    if (!session->remote_->link(GST_BIN(session->pipeline_.get()), pad, &error)) {
        postTo(session, [error](CallSession *s) { s->fail(CallEndReason::MediaError, error); });
    }
}

void CallSession::onDataChannel(GstElement *, GstWebRTCDataChannel *channel, gpointer self) {
    auto *session = static_cast<CallSession *>(self);
    GObjectPtr<GstWebRTCDataChannel> owner(retained(channel));
    gchar *label = nullptr;
    g_object_get(channel, "label", &label, nullptr);
    GCharPtr labelOwner(label);
    if (g_strcmp0(label, "chat") != 0) {
        return;
    }
    // Connect before posting so no message is missed; the channel may already be open.
    g_signal_connect(channel, "on-open", G_CALLBACK(onChannelOpen), session);
    g_signal_connect(channel, "on-message-string", G_CALLBACK(onChannelMessage), session);
    postTo(session, [owner = std::make_shared<GObjectPtr<GstWebRTCDataChannel>>(std::move(owner))](CallSession *s) {
        s->channel_ = std::move(*owner);
        GstWebRTCDataChannelState state;
        g_object_get(s->channel_.get(), "ready-state", &state, nullptr);
        if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN && !s->chatOpen_) {
            s->chatOpen_ = true;
            Q_EMIT s->chatOpened();
        }
    });
}

void CallSession::attachDataChannel(GstWebRTCDataChannel *channel) {
    channel_ = retained(channel);
    g_signal_connect(channel, "on-open", G_CALLBACK(onChannelOpen), this);
    g_signal_connect(channel, "on-message-string", G_CALLBACK(onChannelMessage), this);
}

void CallSession::onChannelOpen(GstWebRTCDataChannel *, gpointer self) {
    postTo(static_cast<CallSession *>(self), [](CallSession *session) {
        if (!session->chatOpen_) {
            session->chatOpen_ = true;
            Q_EMIT session->chatOpened();
        }
    });
}

void CallSession::onChannelMessage(GstWebRTCDataChannel *, gchar *text, gpointer self) {
    postTo(static_cast<CallSession *>(self),
           [text = QString::fromUtf8(text)](CallSession *session) { Q_EMIT session->chatReceived(text); });
}

bool CallSession::sendChat(const QString &text) {
    if (!channel_ || !chatOpen_) {
        return false;
    }
    gst_webrtc_data_channel_send_string(channel_.get(), text.toUtf8().constData());
    return true;
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
    if (source.kind() != ScreenSource::Kind::PipeWire) {
        X11WindowList::installErrorHandler();  // before ximagesrc's first X request
        auto windows = std::make_unique<X11WindowList>(source.displayName());
        if (!windows->isOpen()) {
            *error = tr("There is no X11 display to share.");
            return false;
        }
        // ximagesrc would quietly capture the whole screen for a window id it cannot find.
        if (source.kind() == ScreenSource::Kind::X11Window && !windows->windowExists(source.windowId())) {
            *error = tr("The window to share (0x%1) does not exist.").arg(source.windowId(), 0, 16);
            return false;
        }
        if (source.kind() == ScreenSource::Kind::X11Window) {
            shareWindows_ = std::move(windows);
            sharedWindow_ = source.windowId();
        }
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
        shareWindows_.reset();
        sharedWindow_ = 0;
        return false;
    }
    if (sharedWindow_) {
        shareWatchTimer_.start();
    }
    qCInfo(lcCall).noquote() << "sharing" << source.describe();
    return true;
}

void CallSession::stopScreenShare() {
    shareWatchTimer_.stop();
    shareWindows_.reset();
    sharedWindow_ = 0;
    if (local_ && local_->isSharingScreen()) {
        local_->stopScreenShare();
        qCInfo(lcCall) << "screen share stopped";
    }
}

void CallSession::endScreenShare(const QString &sentence) {
    qCWarning(lcCall).noquote() << "screen share ended:" << sentence;
    stopScreenShare();
    Q_EMIT screenShareEnded(sentence);
}

void CallSession::checkSharedWindow() {
    if (shareWindows_ && !shareWindows_->windowExists(sharedWindow_)) {
        endScreenShare(tr("The shared window was closed; sharing has stopped and the call goes on."));
    }
}

QStringList CallSession::notes() const {
    return local_ ? local_->notes() : QStringList();
}

void CallSession::requestStats() {
    if (!webrtc_) {
        return;
    }
    GstPromise *promise = gst_promise_new_with_change_func(
        [](GstPromise *p, gpointer self) {
            GstPromisePtr owner(p);
            const GstStructure *reply = gst_promise_get_reply(p);
            if (!reply) {
                return;
            }
            postTo(static_cast<CallSession *>(self),
                   [raw = RawStats::fromReply(reply)](CallSession *session) { session->statsArrived(raw); });
        },
        this, nullptr);
    g_signal_emit_by_name(webrtc_.get(), "get-stats", nullptr, promise);
}

void CallSession::statsArrived(const RawStats &raw) {
    const double seconds = std::max<qint64>(1, raw.monotonicMs - previousRaw_.monotonicMs) / 1000.0;
    const bool first = !havePreviousStats_;
    havePreviousStats_ = true;
    CallStats stats;
    if (!first) {
        stats.sendKbps = double(raw.bytesSent - std::min(raw.bytesSent, previousRaw_.bytesSent)) * 8 / 1000 / seconds;
        stats.receiveKbps =
            double(raw.bytesReceived - std::min(raw.bytesReceived, previousRaw_.bytesReceived)) * 8 / 1000 / seconds;
        stats.receivedFps = double(remote_->videoFrames() - previousVideoFrames_) / seconds;
    }
    const double expected = double(raw.packetsReceived) + double(std::max<qint64>(0, raw.packetsLost));
    stats.lossPercent = expected > 0 ? 100.0 * double(std::max<qint64>(0, raw.packetsLost)) / expected : 0;
    stats.roundTripMs = raw.roundTripSeconds >= 0 ? raw.roundTripSeconds * 1000 : -1;
    stats.jitterMs = raw.jitterSeconds * 1000;
    stats.receivedResolution = remote_->videoSize();
    stats.videoCodec = remote_->videoCodec().isEmpty() ? local_->videoCodecName() : remote_->videoCodec();
    stats.audioCodec = QStringLiteral("OPUS");
    stats.path = localCandidateTypes_.value(raw.localCandidateAddress + QLatin1Char(' ') +
                                           QString::number(raw.localCandidatePort));
    stats.remotePath = remoteCandidateTypes_.value(raw.remoteCandidateAddress + QLatin1Char(' ') +
                                                   QString::number(raw.remoteCandidatePort));
    stats.videoFramesReceived = remote_->videoFrames();
    stats.audioBuffersReceived = remote_->audioBuffers();

    adaptBitrate(raw);
    stats.sendBitrateKbps = local_->videoBitrateKbps();
    previousRaw_ = raw;
    previousVideoFrames_ = remote_->videoFrames();
    stats_ = stats;
    if (connected_) {
        Q_EMIT statsUpdated(stats);
    }
}

// A peer that vanished (killed, network cut) says no goodbye, and 1.22 has no ICE consent
// freshness: notice that nothing at all has arrived for a few seconds after media flowed.
void CallSession::checkSilence() {
    const quint64 arrived = packetsArrived_.load(std::memory_order_relaxed);
    if (arrived != packetsSeen_ || !sinceLastPacket_.isValid()) {
        packetsSeen_ = arrived;
        sinceLastPacket_.start();
        return;
    }
    if (connected_ && arrived > 0 && sinceLastPacket_.elapsed() >= kVanishedAfterMs) {
        fail(CallEndReason::PeerVanished, tr("No media from the other side for %1 seconds.")
                                              .arg(sinceLastPacket_.elapsed() / 1000.0, 0, 'f', 1));
    }
}

// No congestion controller is packaged for 1.22, so adapt from what the receiver reports:
// back off quickly on loss, probe upwards slowly while the path is clean.
void CallSession::adaptBitrate(const RawStats &raw) {
    if (raw.remoteFractionLost < 0) {
        return;
    }
    const int current = local_->videoBitrateKbps();
    if (raw.remoteFractionLost > 0.10) {
        local_->setVideoBitrateKbps(int(current * 0.75));
    } else if (raw.remoteFractionLost > 0.02) {
        local_->setVideoBitrateKbps(int(current * 0.95));
    } else if (raw.roundTripSeconds < 0.3) {
        local_->setVideoBitrateKbps(int(current * 1.05) + 10);
    }
}

gboolean CallSession::onBusMessage(GstBus *, GstMessage *message, gpointer self) {
    // Bus watches run on the default main context: this is the main thread.
    auto *session = static_cast<CallSession *>(self);
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
        GErrorPtr error;
        GCharPtr debug;
        GError *rawError = nullptr;
        gchar *rawDebug = nullptr;
        gst_message_parse_error(message, &rawError, &rawDebug);
        error.reset(rawError);
        debug.reset(rawDebug);
        // A browser's RTCPeerConnection.close() aborts the data channels' SCTP association, which
        // webrtcbin 1.22's sctpenc posts as an error, often before the peer's leave arrives by the
        // server. That is the peer going, not our media failing: only chat is lost. The leave ends
        // the call normally, and a peer that never sends one is caught by the silence check.
        // A screen share's capture failing (display gone, portal stream closed) ends the share:
        // the camera goes out again and the call goes on.
        if (ScreenShareBranch::isShareElement(message->src)) {
            qCWarning(lcCall).noquote() << "screen share error from" << GST_OBJECT_NAME(message->src)
                                        << error->message << (debug ? debug.get() : "");
            if (session->isSharingScreen()) {
                session->endScreenShare(tr("Screen sharing stopped: %1").arg(QString::fromUtf8(error->message)));
            }
            return G_SOURCE_CONTINUE;
        }
        const gchar *type = G_OBJECT_TYPE_NAME(message->src);
        if (g_str_equal(type, "GstSctpEnc") || g_str_equal(type, "GstSctpDec")) {
            qCInfo(lcCall).noquote() << "chat transport closed:" << error->message;
            return G_SOURCE_CONTINUE;
        }
        qCWarning(lcCall).noquote() << "pipeline error from" << GST_OBJECT_NAME(message->src) << error->message
                                    << (debug ? debug.get() : "");
        // Written only when GST_DEBUG_DUMP_DOT_DIR is set: the pipeline graph at the failure.
        GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(session->pipeline_.get()), GST_DEBUG_GRAPH_SHOW_ALL, "confab-error");
        session->fail(CallEndReason::MediaError, QString::fromUtf8(error->message));
    }
    return G_SOURCE_CONTINUE;
}

void CallSession::fail(CallEndReason reason, const QString &detail) {
    if (failed_) {
        return;
    }
    failed_ = true;
    statsTimer_.stop();
    silenceTimer_.stop();
    connectTimer_.stop();
    qCWarning(lcCall).noquote() << "call failed:" << wireName(reason) << detail;
    Q_EMIT failed(reason, detail);
}

void CallSession::teardown() {
    shareWatchTimer_.stop();
    statsTimer_.stop();
    silenceTimer_.stop();
    connectTimer_.stop();
    if (busWatch_) {
        g_source_remove(busWatch_);
        busWatch_ = 0;
    }
    if (pipeline_) {
        // Main thread only: READY→NULL joins webrtcbin's thread, so doing this from any of its
        // callbacks would deadlock. Signal handlers stay connected until the threads are gone.
        gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    }
    if (channel_) {
        g_signal_handlers_disconnect_by_data(channel_.get(), this);
        channel_.reset();
    }
    if (webrtc_) {
        g_signal_handlers_disconnect_by_data(webrtc_.get(), this);
    }
    local_.reset();
    webrtc_.reset();
    pipeline_.reset();
    remote_.reset();
}

}  // namespace confab
