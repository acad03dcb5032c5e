// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/RetransmissionBudget.h"

#include <gst/rtp/rtp.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace confab {

void RetransmissionBudget::setTargetKbps(int kbps) {
    std::lock_guard guard(lock_);
    tokens_.setRate(bytesPerUs(kbps));
    tokens_.setCapacity(burstBytes(kbps));
}

bool RetransmissionBudget::take(qint64 bytes, qint64 nowUs) {
    std::lock_guard guard(lock_);
    // A packet larger than the whole burst (a tiny target) still goes once the bucket is full.
    if (tokens_.take(double(bytes), nowUs)) {
        return true;
    }
    dropped_.fetch_add(1);
    return false;
}

bool RetransmissionBudget::passes(GstBuffer *buffer, qint64 nowUs) {
    return !GST_BUFFER_FLAG_IS_SET(buffer, GST_RTP_BUFFER_FLAG_RETRANSMISSION) ||
           take(qint64(gst_buffer_get_size(buffer)), nowUs);
}

GstPadProbeReturn RetransmissionBudget::probe(GstPad *, GstPadProbeInfo *info, gpointer data) {
    RetransmissionBudget *budget = static_cast<std::shared_ptr<RetransmissionBudget> *>(data)->get();
    const qint64 now = g_get_monotonic_time();
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        return budget->passes(GST_PAD_PROBE_INFO_BUFFER(info), now) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
    }
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
        bool over = false;
        const guint n = gst_buffer_list_length(list);
        for (guint i = 0; i < n && !over; ++i) {
            over = GST_BUFFER_FLAG_IS_SET(gst_buffer_list_get(list, i), GST_RTP_BUFFER_FLAG_RETRANSMISSION);
        }
        if (!over) {
            return GST_PAD_PROBE_OK;  // no retransmission in it: the common case, untouched
        }
        list = gst_buffer_list_make_writable(list);
        std::pair<RetransmissionBudget *, qint64> context{budget, now};
        gst_buffer_list_foreach(
            list,
            +[](GstBuffer **buffer, guint, gpointer user) -> gboolean {
                auto *b = static_cast<std::pair<RetransmissionBudget *, qint64> *>(user);
                if (!b->first->passes(*buffer, b->second)) {
                    gst_buffer_unref(*buffer);
                    *buffer = nullptr;  // removes it from the list
                }
                return TRUE;
            },
            &context);
        GST_PAD_PROBE_INFO_DATA(info) = list;
    }
    return GST_PAD_PROBE_OK;
}

}  // namespace confab
