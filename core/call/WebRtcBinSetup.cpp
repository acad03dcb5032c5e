// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/WebRtcBinSetup.h"

#include "util/GLibPtr.h"
#include "util/Logging.h"

#include <QCoreApplication>
#include <QUrl>

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

GstPtr<GstElement> WebRtcBinSetup::make(int jitterBufferMs, const QList<protocol::IceServer> &iceServers,
                                        QString *error) {
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
    startJitterBuffersEarly(webrtc.get());
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

}  // namespace confab
