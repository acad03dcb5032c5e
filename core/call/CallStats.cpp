// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallStats.h"

#include "util/Logging.h"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include <QElapsedTimer>
#include <QStringList>

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
    QString selectedRemoteCandidateId;
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
            stats.packetsRepaired += number<quint64>(s, "packets-repaired");
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
            if (const char *id = gst_structure_get_string(s, "remote-candidate-id")) {
                walk->selectedRemoteCandidateId = QString::fromUtf8(id);
            }
            break;
        default:
            break;
    }
    return TRUE;
}

void candidateAddress(const GstStructure *reply, const QString &id, QString *address, int *port,
                      QString *protocol = nullptr) {
    const GValue *value = id.isEmpty() ? nullptr : gst_structure_get_value(reply, id.toUtf8().constData());
    if (value && GST_VALUE_HOLDS_STRUCTURE(value)) {
        const GstStructure *candidate = gst_value_get_structure(value);
        *address = QString::fromUtf8(gst_structure_get_string(candidate, "address"));
        *port = number<int>(candidate, "port");
        if (protocol) {
            *protocol = QString::fromUtf8(gst_structure_get_string(candidate, "protocol")).toLower();
        }
    }
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
    // Not "candidate-type": 1.22.0 reports it wrongly; the caller matches address and port against
    // the candidates it gathered or was sent instead.
    candidateAddress(reply, walk.selectedLocalCandidateId, &walk.stats.localCandidateAddress,
                     &walk.stats.localCandidatePort, &walk.stats.localCandidateProtocol);
    candidateAddress(reply, walk.selectedRemoteCandidateId, &walk.stats.remoteCandidateAddress,
                     &walk.stats.remoteCandidatePort);
    return walk.stats;
}

void RawStats::takeReportBlock(const GstStructure *remoteSource) {
    // rtpsession 1.22 keeps only the last report block each of the peer's sources sent, whichever
    // of our streams it was about, and webrtcbin makes a remote-inbound-rtp of it only when that
    // stream is a transceiver's main SSRC. When the peer's reports end with a block about our
    // retransmission stream, get-stats has no round trip at all; every block measures the same path.
    gboolean haveBlock = FALSE;
    gst_structure_get_boolean(remoteSource, "have-rb", &haveBlock);
    guint lsr = 0;
    guint fixed = 0;
    if (!haveBlock || !gst_structure_get_uint(remoteSource, "rb-lsr", &lsr) || lsr == 0 ||
        !gst_structure_get_uint(remoteSource, "rb-round-trip", &fixed)) {
        return;  // no block yet, or one sent before the peer had any of our sender reports
    }
    roundTripSeconds = std::max(roundTripSeconds, (fixed >> 16) + (fixed & 0xffff) / 65536.0);  // 16.16
    guint fraction = 0;
    if (gst_structure_get_uint(remoteSource, "rb-fractionlost", &fraction)) {
        remoteFractionLost = std::max(remoteFractionLost, fraction / 256.0);
    }
}

void RawStats::addSessionCounts(GstElement *webrtc) {
    GstElement *rtpbin = gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin");
    if (!rtpbin) {
        return;
    }
    GstElement *session = nullptr;
    g_signal_emit_by_name(rtpbin, "get-session", 0u, &session);
    gst_object_unref(rtpbin);
    if (!session) {
        return;
    }
    GstStructure *stats = nullptr;
    g_object_get(session, "stats", &stats, nullptr);
    gst_object_unref(session);
    if (!stats) {
        return;
    }
    const GValue *sources = gst_structure_get_value(stats, "source-stats");
    qint64 received = 0;
    qint64 lost = 0;
    QStringList sent;
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS  // rtpsession 1.22 lists its sources in a GValueArray
    if (sources && G_VALUE_HOLDS(sources, g_value_array_get_type())) {
        const auto *array = static_cast<const GValueArray *>(g_value_get_boxed(sources));
        for (guint i = 0; array && i < array->n_values; ++i) {
            const GValue *value = g_value_array_get_nth(const_cast<GValueArray *>(array), i);
            if (!GST_VALUE_HOLDS_STRUCTURE(value)) {
                continue;
            }
            const GstStructure *source = gst_value_get_structure(value);
            gboolean internal = FALSE;
            gst_structure_get_boolean(source, "internal", &internal);
            if (internal) {
                sent << QStringLiteral("%1:%2kB pli %3 nack %4")
                            .arg(number<quint64>(source, "ssrc"))
                            .arg(number<quint64>(source, "octets-sent") / 1000)
                            .arg(number<quint64>(source, "recv-pli-count"))
                            .arg(number<quint64>(source, "recv-nack-count"));
                continue;
            }
            sent << QStringLiteral("[in %1: pli %2 nack %3, last report on %4]")
                        .arg(number<quint64>(source, "ssrc"))
                        .arg(number<quint64>(source, "sent-pli-count"))
                        .arg(number<quint64>(source, "sent-nack-count"))
                        .arg(number<quint64>(source, "rb-ssrc"));
            takeReportBlock(source);
            received += number<qint64>(source, "packets-received");
            lost += std::max<qint64>(0, number<qint64>(source, "packets-lost"));
        }
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    gst_structure_free(stats);
    networkPacketsReceived = received;
    networkPacketsLost = lost;
    qCDebug(lcCall).noquote() << "sent by ssrc:" << sent.join(u' ') << "| received" << received << "lost" << lost
                              << "| jitter buffers gave up on" << packetsLost << "repaired" << packetsRepaired;
}

}  // namespace confab
