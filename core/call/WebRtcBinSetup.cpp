// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/WebRtcBinSetup.h"

#include "util/GLibPtr.h"
#include "util/Logging.h"
#include "util/SharedSignal.h"

#include <QCoreApplication>
#include <QUrl>

#include <dlfcn.h>

namespace confab {

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

void configureEachJitterBuffer(GstElement *webrtc, std::shared_ptr<RetransmissionRequests> requests) {
    GstPtr<GstElement> rtpbin(gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin"));
    if (!rtpbin) {
        return;
    }
    using Owned = std::shared_ptr<RetransmissionRequests>;
    connectShared(rtpbin.get(), "new-jitterbuffer",
                  G_CALLBACK(+[](GstElement *, GstElement *jitterBuffer, guint, guint, gpointer owned) {
                      WebRtcBinSetup::configureJitterBuffer(jitterBuffer);
                      if (const Owned &timing = *static_cast<Owned *>(owned)) {
                          timing->watch(jitterBuffer);
                      }
                  }),
                  std::move(requests));
}

}  // namespace

// libnice's nice_agent_add_local_address() (public API since 0.0.5: once an address is added, the
// agent gathers on the added ones only) has no GObject property or signal, and Confab does not build
// against libnice: the functions are looked up in the libnice the nice plugin already loaded. The
// one place that does so; every step checks what it assumes and gives up with a log line.
bool WebRtcBinSetup::gatherOnLoopback(GstElement *webrtc) {
    GstWebRTCICE *ice = nullptr;
    g_object_get(webrtc, "ice-agent", &ice, nullptr);
    GstPtr<GstWebRTCICE> iceOwner(ice);
    if (!ice || !g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent")) {
        qCWarning(lcCall) << "no loopback candidate: webrtcbin's ICE is not libnice";
        return false;
    }
    GObject *agent = nullptr;
    g_object_get(ice, "agent", &agent, nullptr);
    GObjectPtr<GObject> agentOwner(agent);
    void *library = dlopen("libnice.so.10", RTLD_NOW | RTLD_NOLOAD);
    if (!agent || !library) {
        qCWarning(lcCall) << "no loopback candidate: libnice.so.10 is not loaded";
        return false;
    }
    using NewAddress = void *(*)();
    using SetFromString = gboolean (*)(void *, const gchar *);
    using AddLocalAddress = gboolean (*)(GObject *, const void *);
    using FreeAddress = void (*)(void *);
    const auto newAddress = reinterpret_cast<NewAddress>(dlsym(library, "nice_address_new"));
    const auto setFromString = reinterpret_cast<SetFromString>(dlsym(library, "nice_address_set_from_string"));
    const auto addLocalAddress = reinterpret_cast<AddLocalAddress>(dlsym(library, "nice_agent_add_local_address"));
    const auto freeAddress = reinterpret_cast<FreeAddress>(dlsym(library, "nice_address_free"));
    bool added = false;
    if (newAddress && setFromString && addLocalAddress && freeAddress) {
        void *address = newAddress();
        added = address && setFromString(address, "127.0.0.1") && addLocalAddress(agent, address);
        if (address) {
            freeAddress(address);
        }
    }
    dlclose(library);  // RTLD_NOLOAD took a reference; the plugin keeps its own
    if (!added) {
        qCWarning(lcCall) << "no loopback candidate: libnice refused 127.0.0.1";
    }
    return added;
}

GstPtr<GstElement> WebRtcBinSetup::make(int jitterBufferMs, const QList<protocol::IceServer> &iceServers,
                                        std::shared_ptr<RetransmissionRequests> requests, QString *error) {
    GstElement *element = gst_element_factory_make("webrtcbin", "webrtc");
    if (!element) {
        *error = QCoreApplication::translate(
            "confab::WebRtcBinSetup",
            "WebRTC support is missing: install gstreamer1.0-plugins-bad and gstreamer1.0-nice.");
        return nullptr;
    }
    GstPtr<GstElement> webrtc(GST_ELEMENT(gst_object_ref_sink(element)));
    g_object_set(webrtc.get(), "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", guint(jitterBufferMs),
                 nullptr);
    tuneIceAgent(webrtc.get());
    configureEachJitterBuffer(webrtc.get(), std::move(requests));
    for (const protocol::IceServer &server : iceServers) {
        for (const QString &url : server.urls) {
            const QString converted = webrtcbinUrl(url, server);
            if (url.startsWith(QLatin1StringView("stun:"))) {
                g_object_set(webrtc.get(), "stun-server", converted.toUtf8().constData(), nullptr);
            } else if (url.startsWith(QLatin1StringView("turn"))) {
                gboolean added = FALSE;
                g_signal_emit_by_name(webrtc.get(), "add-turn-server", converted.toUtf8().constData(), &added);
                if (!added) {
                    qCWarning(lcCall).noquote() << "webrtcbin refused the TURN server" << url;
                }
            }
        }
    }
    return webrtc;
}

QString WebRtcBinSetup::webrtcbinUrl(const QString &url, const protocol::IceServer &server) {
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

bool WebRtcBinSetup::hasRelay(const QList<protocol::IceServer> &iceServers) {
    for (const protocol::IceServer &server : iceServers) {
        for (const QString &url : server.urls) {
            if (url.startsWith(QLatin1StringView("turn"))) {
                return true;
            }
        }
    }
    return false;
}

// - rtpjitterbuffer holds the first packet of each stream for its whole latency (the jitter-buffer
//   setting) before it lets anything through, which added --jitter-ms (60 ms) to every call's first
//   frame. With faststart it starts as soon as a few packets in sequence have arrived; later loss
//   and reordering are handled by the latency as before. (bench/call-setup, docs/performance.md)
// - With rtx-next-seqnum (on by default) it guesses when the packet after each one should arrive
//   and asks for it again when it has not: video comes a frame at a time, so it asked for the
//   packet after each frame's last one before the next frame was even coded. Under 600 kbit/s with
//   3 % loss that was 493 requests in 20 s for 94 packets the jitter buffer gave up on; they filled
//   rtpsession's one early RTCP packet per interval, and the NACKs for packets really lost waited
//   behind them and expired. Off, a NACK goes out when a later packet shows the gap, as in
//   libwebrtc; packets that arrived unrepaired fell from 32-58 to 7-20 per 20 s
//   (docs/performance.md, "Loss repair").
void WebRtcBinSetup::configureJitterBuffer(GstElement *jitterBuffer) {
    GObjectClass *type = G_OBJECT_GET_CLASS(jitterBuffer);
    if (g_object_class_find_property(type, "faststart-min-packets")) {
        g_object_set(jitterBuffer, "faststart-min-packets", 2u, nullptr);
    }
    if (g_object_class_find_property(type, "rtx-next-seqnum")) {
        g_object_set(jitterBuffer, "rtx-next-seqnum", FALSE, nullptr);
    }
}

int WebRtcBinSetup::reportEverySecond(GstElement *webrtc, const std::shared_ptr<RtcpReportWatch> &watch) {
    GstPtr<GstElement> rtpbin(gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin"));
    if (!rtpbin) {
        return 0;
    }
    // With AVPF (webrtcbin's profile) rtpsession draws each interval from 0.5 to 1.5 times this
    // minimum. One session when bundled, one per media line otherwise.
    constexpr guint64 kMinIntervalNs = GST_SECOND;
    // Between regular reports rtpsession sends an early packet (a NACK, a keyframe request, the
    // transport-wide feedback) when one is asked for, but never sooner after the previous RTCP packet
    // than the interval its RTCP bandwidth allows: the average packet size times the number of
    // sources over the bandwidth. That wait decides two things:
    // - How soon a NACK goes out. At RFC 3550's 5 % of the media rate it was 15-55 ms on a 2.5 Mb/s
    //   call: under 5 % loss (a 1 ms round trip) a repair took 14-22 ms at the median and NACKs
    //   expired unsent 12-38 times a side in 30 s; with a quarter of the rate and
    //   RetransmissionRequests' timing together, 1.4-4.6 ms and 0-5 expired.
    // - Whether the regular reports go out at all. An early packet waiting for that interval when a
    //   regular report falls due goes out in its place, without report blocks, and rtpsession then
    //   waits a whole reporting interval again (rtpsession.c, is_rtcp_time() and
    //   rtp_session_next_timeout()). The transport-wide feedback asks for an early packet at every
    //   video frame, so when the wait is longer than a frame an early packet is nearly always
    //   waiting: at a quarter of the rate, a 160x120 call between two confab-call processes sent one
    //   side no report blocks at all in 15 s (993 early packets), and under the sanitizers the round
    //   trip went unmeasured for 38-59 s. A small call's rate is too low for any share to help.
    // So RTCP gets a bandwidth of its own (a value above 1 is bits per second, not a share), large
    // enough that the wait stays a few milliseconds at any media rate (100-byte packets, six
    // sources: 5 ms). It bounds how often early packets may go, not how many: those follow what asks
    // for them (one per frame for the transport-wide feedback, one per lost packet and retry). With
    // it the same call's regular reports came every 0.5-1.9 s on both sides, at 30 and at 5 fps.
    // RtcpReportWatch checks that this holds.
    constexpr double kRtcpBitsPerSecond = 1e6;
    int set = 0;
    for (guint id = 0; id < 8; ++id) {
        GstElement *session = nullptr;
        g_signal_emit_by_name(rtpbin.get(), "get-session", id, &session);
        GstPtr<GstElement> owner(session);
        if (!session) {
            continue;
        }
        g_object_set(session, "rtcp-min-interval", kMinIntervalNs, "rtcp-fraction", kRtcpBitsPerSecond,
                     nullptr);
        GObject *internal = nullptr;
        g_object_get(session, "internal-session", &internal, nullptr);
        GObjectPtr<GObject> internalOwner(internal);
        if (internal && watch) {
            RtcpReportWatch::watch(internal, watch);
        }
        ++set;
    }
    return set;
}

}  // namespace confab
