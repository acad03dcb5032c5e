// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/Pacer.h"

#include <algorithm>
#include <memory>

namespace confab {

void Pacer::setTargetKbps(int kbps) {
    std::lock_guard guard(lock_);
    credit_.setRate(bytesPerUs(kbps));
    credit_.setCapacity(bytesPerUs(kbps) * double(kBurstUs));
}

qint64 Pacer::charge(qint64 bytes, qint64 nowUs) {
    std::lock_guard guard(lock_);
    return std::min(kMaxSleepUs, credit_.charge(double(bytes), nowUs));
}

GstPadProbeReturn Pacer::probe(GstPad *, GstPadProbeInfo *info, gpointer data) {
    Pacer *pacer = static_cast<std::shared_ptr<Pacer> *>(data)->get();
    qint64 bytes = 0;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        bytes = qint64(gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info)));
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        bytes = qint64(gst_buffer_list_calculate_size(GST_PAD_PROBE_INFO_BUFFER_LIST(info)));
    }
    if (const qint64 wait = pacer->charge(bytes, g_get_monotonic_time()); wait > 0) {
        g_usleep(gulong(wait));
    }
    return GST_PAD_PROBE_OK;
}

}  // namespace confab
