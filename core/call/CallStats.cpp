#include "call/CallStats.h"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include <QElapsedTimer>

namespace confab {

namespace {

template <typename T>
T number(const GstStructure *s, const char *field) {
    const GValue *value = gst_structure_get_value(s, field);
    if (!value) {
        return T{};
    }
    switch (G_VALUE_TYPE(value)) {
        case G_TYPE_UINT64:
            return T(g_value_get_uint64(value));
        case G_TYPE_INT64:
            return T(g_value_get_int64(value));
        case G_TYPE_UINT:
            return T(g_value_get_uint(value));
        case G_TYPE_INT:
            return T(g_value_get_int(value));
        case G_TYPE_DOUBLE:
            return T(g_value_get_double(value));
        default:
            return T{};
    }
}

struct Walk {
    RawStats stats;
    QString selectedLocalCandidateId;
    const GstStructure *reply = nullptr;
};

gboolean visit(GQuark, const GValue *value, gpointer data) {
    auto *walk = static_cast<Walk *>(data);
    if (!GST_VALUE_HOLDS_STRUCTURE(value)) {
        return TRUE;
    }
    const GstStructure *s = gst_value_get_structure(value);
    GstWebRTCStatsType type;
    if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr)) {
        return TRUE;
    }
    RawStats &stats = walk->stats;
    switch (type) {
        case GST_WEBRTC_STATS_OUTBOUND_RTP:
            stats.bytesSent += number<quint64>(s, "bytes-sent");
            break;
        case GST_WEBRTC_STATS_INBOUND_RTP:
            stats.bytesReceived += number<quint64>(s, "bytes-received");
            stats.packetsReceived += number<quint64>(s, "packets-received");
            stats.packetsLost += number<qint64>(s, "packets-lost");
            stats.jitterSeconds = std::max(stats.jitterSeconds, number<double>(s, "jitter"));
            break;
        case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
            if (gst_structure_has_field(s, "round-trip-time")) {
                stats.roundTripSeconds = std::max(stats.roundTripSeconds, number<double>(s, "round-trip-time"));
            }
            if (gst_structure_has_field(s, "fraction-lost")) {
                stats.remoteFractionLost = std::max(stats.remoteFractionLost, number<double>(s, "fraction-lost"));
            }
            break;
        case GST_WEBRTC_STATS_CANDIDATE_PAIR:
            if (const char *id = gst_structure_get_string(s, "local-candidate-id")) {
                walk->selectedLocalCandidateId = QString::fromUtf8(id);
            }
            break;
        default:
            break;
    }
    return TRUE;
}

}  // namespace

RawStats RawStats::fromReply(const GstStructure *reply) {
    static QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    Walk walk;
    walk.reply = reply;
    gst_structure_foreach(reply, visit, &walk);
    walk.stats.monotonicMs = clock.elapsed();
    if (!walk.selectedLocalCandidateId.isEmpty()) {
        const GstStructure *candidate = nullptr;
        const GValue *value = gst_structure_get_value(reply, walk.selectedLocalCandidateId.toUtf8().constData());
        if (value && GST_VALUE_HOLDS_STRUCTURE(value)) {
            candidate = gst_value_get_structure(value);
        }
        if (candidate) {
            // Not "candidate-type": 1.22.0 reports it wrongly; the caller matches address and port
            // against the candidates we gathered instead.
            walk.stats.localCandidateAddress = QString::fromUtf8(gst_structure_get_string(candidate, "address"));
            walk.stats.localCandidatePort = number<int>(candidate, "port");
        }
    }
    return walk.stats;
}

}  // namespace confab
