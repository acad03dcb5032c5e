// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/RtcpReportWatch.h"

#include "util/Logging.h"
#include "util/SharedSignal.h"

#include <gst/rtp/gstrtcpbuffer.h>

namespace confab {

void RtcpReportWatch::watch(GObject *rtpSession, const std::shared_ptr<RtcpReportWatch> &watch) {
    if (!g_signal_lookup("on-sending-rtcp", G_OBJECT_TYPE(rtpSession))) {
        qCWarning(lcCall) << "rtpsession without on-sending-rtcp: its regular RTCP reports go unwatched";
        return;
    }
    gint64 unset = -1;
    watch->lastReportUs_.compare_exchange_strong(unset, g_get_monotonic_time());
    using Owned = std::shared_ptr<RtcpReportWatch>;
    using Handler = gboolean (*)(GObject *, GstBuffer *, gboolean, gpointer);
    const Handler sending = +[](GObject *, GstBuffer *buffer, gboolean, gpointer owned) -> gboolean {
        (*static_cast<Owned *>(owned))->noteSent(buffer, g_get_monotonic_time());
        return FALSE;  // no opinion on suppressing it
    };
    connectShared(rtpSession, "on-sending-rtcp", G_CALLBACK(sending), watch);
}

void RtcpReportWatch::noteSent(GstBuffer *buffer, gint64 nowUs) {
    if (carriesReportBlocks(buffer)) {
        lastReportUs_ = nowUs;
        packetsSinceReport_ = 0;
    } else {
        ++packetsSinceReport_;
    }
}

qint64 RtcpReportWatch::msSinceReport(gint64 nowUs) const {
    const gint64 last = lastReportUs_.load();
    return last < 0 ? -1 : (nowUs - last) / 1000;
}

RtcpReportWatch::Change RtcpReportWatch::check(gint64 nowUs) {
    const qint64 silentMs = msSinceReport(nowUs);
    if (silentMs < 0) {
        return Change::None;
    }
    if (!missing_ && silentMs > kMissingAfterMs) {
        missing_ = true;
        qCWarning(lcCall) << "no regular RTCP report sent for" << silentMs << "ms," << packetsSinceReport()
                          << "early packets meanwhile: the round trip and the loss figures are going stale";
        return Change::Stopped;
    }
    if (missing_ && silentMs <= kMissingAfterMs) {
        missing_ = false;
        qCInfo(lcCall) << "regular RTCP reports going out again";
        return Change::Resumed;
    }
    return Change::None;
}

bool RtcpReportWatch::carriesReportBlocks(GstBuffer *buffer) {
    GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
    if (!gst_rtcp_buffer_map(buffer, GST_MAP_READ, &rtcp)) {
        return false;
    }
    bool blocks = false;
    GstRTCPPacket packet;
    for (gboolean more = gst_rtcp_buffer_get_first_packet(&rtcp, &packet); more && !blocks;
         more = gst_rtcp_packet_move_to_next(&packet)) {
        const GstRTCPType type = gst_rtcp_packet_get_type(&packet);
        blocks = (type == GST_RTCP_TYPE_SR || type == GST_RTCP_TYPE_RR) &&
                 gst_rtcp_packet_get_rb_count(&packet) > 0;
    }
    gst_rtcp_buffer_unmap(&rtcp);
    return blocks;
}

}  // namespace confab
