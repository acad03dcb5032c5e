// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/FrameRateLimiter.h"

#include <memory>

namespace confab {

namespace {

// Timestamps that are a few rounding errors early still take their slot.
constexpr GstClockTime kSlack = GST_MSECOND;

}  // namespace

FrameRateLimiter::Decision FrameRateLimiter::admit(GstClockTime pts) {
    const int fps = maxFps_.load(std::memory_order_relaxed);
    if (fps != activeFps_) {
        activeFps_ = fps;
        next_ = GST_CLOCK_TIME_NONE;  // a new grid from the next frame
    }
    if (fps <= 0 || fps >= sourceFps_ || !GST_CLOCK_TIME_IS_VALID(pts)) {
        return {};
    }
    const GstClockTime period = gst_util_uint64_scale_int(GST_SECOND, 1, fps);
    // The first frame at this rate, or one after a gap of more than a slot (the source stalled):
    // the grid starts at it, so kept frames are never stamped far from when they were taken.
    if (!GST_CLOCK_TIME_IS_VALID(next_) || pts >= next_ + period) {
        next_ = pts;
    }
    if (pts + kSlack < next_) {
        return {false};
    }
    const Decision kept{true, next_, period};
    next_ += period;
    return kept;
}

GstPadProbeReturn FrameRateLimiter::probe(GstPad *, GstPadProbeInfo *info, gpointer limiter) {
    auto &self = **static_cast<std::shared_ptr<FrameRateLimiter> *>(limiter);
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    const Decision decision = self.admit(GST_BUFFER_PTS(buffer));
    if (!decision.keep) {
        return GST_PAD_PROBE_DROP;
    }
    if (GST_CLOCK_TIME_IS_VALID(decision.pts) &&
        (decision.pts != GST_BUFFER_PTS(buffer) || decision.duration != GST_BUFFER_DURATION(buffer))) {
        // Only the metadata is copied: the frame's memory stays shared.
        buffer = gst_buffer_make_writable(buffer);
        GST_BUFFER_PTS(buffer) = decision.pts;
        GST_BUFFER_DURATION(buffer) = decision.duration;
        GST_PAD_PROBE_INFO_DATA(info) = buffer;
    }
    return GST_PAD_PROBE_OK;
}

}  // namespace confab
