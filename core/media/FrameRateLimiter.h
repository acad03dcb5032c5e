// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <atomic>

namespace confab {

// Lowers the frame rate of the video going to the VP8 encoder without changing its caps.
// GStreamer 1.22's vp8enc destroys and re-creates its libvpx encoder at every caps change: a
// videorate whose max-rate changes the caps' frame rate made every frame-rate step of
// VideoAdaptation a new encoder (a keyframe, and for libvpx at 720p about 40 MB freed and
// allocated again, which glibc does not always reuse: docs/performance.md). Here frames are
// dropped by a pad probe instead, the caps keep the source's rate, and only a change of size
// re-creates the encoder.
//
// Kept frames are restamped onto a regular grid at the chosen rate (as videorate drop-only did,
// and as libwebrtc's VP8 wrapper feeds libvpx a regular clock): libvpx takes the frame rate its
// rate control plans for from the spacing of the timestamps, and 20 fps out of 30 kept as they
// come would alternate 33 and 67 ms. At the source's rate or above, frames pass untouched.
// (openh264enc takes its maximum frame rate from the caps: an H.264 call keeps a videorate.)
class FrameRateLimiter {
public:
    explicit FrameRateLimiter(int sourceFps) : sourceFps_(sourceFps), maxFps_(sourceFps) {}

    // At most `fps` frames a second from the next frame on. Any thread.
    void setMaxFps(int fps) { maxFps_.store(fps, std::memory_order_relaxed); }
    int maxFps() const { return maxFps_.load(std::memory_order_relaxed); }

    struct Decision {
        bool keep = true;
        GstClockTime pts = GST_CLOCK_TIME_NONE;       // the kept frame's time
        GstClockTime duration = GST_CLOCK_TIME_NONE;  // and duration (NONE: leave as they are)
    };
    // What becomes of a frame stamped `pts`. One streaming thread at a time.
    Decision admit(GstClockTime pts);

    // A buffer probe applying admit() to each frame through a pad; `limiter` is a
    // std::shared_ptr<FrameRateLimiter> *, owned by the probe (see LocalMedia).
    static GstPadProbeReturn probe(GstPad *, GstPadProbeInfo *info, gpointer limiter);

private:
    const int sourceFps_;
    std::atomic<int> maxFps_;
    int activeFps_ = 0;                        // the rate `next_` is a grid of
    GstClockTime next_ = GST_CLOCK_TIME_NONE;  // the next slot of the grid
};

}  // namespace confab
