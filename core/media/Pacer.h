// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/TokenBucket.h"

#include <gst/gst.h>

#include <QtGlobal>

#include <algorithm>
#include <mutex>

namespace confab {

// Spreads the video's RTP packets out in time, as libwebrtc's pacer does. Without it a frame's
// packets leave in one burst as the payloader makes them: a keyframe of 30 packets arrives at a
// rate-capped link (a DSL line, a token-bucket shaper) all at once and its tail is dropped, which
// costs a retransmission storm or another keyframe, and the transport-wide feedback sees whole
// frames as single bursts, which blurs the delay signal the bandwidth estimator works from.
// Packets leave at kFactor times the send target, with a burst of kBurstUs, so a large frame
// takes a few frame times instead of an instant, and normal frames go out unhindered.
//
// It is a leaky bucket in debt form (TokenBucket::charge): each packet is charged its size at
// once; when the charge exceeds what has accrued since, the sender sleeps for the difference
// (capped at kMaxSleepUs, which bounds how long a stopping pipeline can wait on it; the rest
// carries to the next packet). The sleep happens on the thread of a queue of its own after the
// payloader (probe()), so the encoder never waits. Packets are charged before rtpbin, so the
// feedback's send times are the paced ones. The target is set from the main thread.
class Pacer {
public:
    static constexpr double kFactor = 2.5;
    static constexpr qint64 kBurstUs = 10'000;
    static constexpr qint64 kMaxSleepUs = 50'000;

    // The video's send target, in kbit/s.
    void setTargetKbps(int kbps);
    // Charges a packet of `bytes` handed on at `nowUs`; returns how long to wait before sending it
    // (0: now). The caller is expected to sleep that long (at most kMaxSleepUs).
    qint64 charge(qint64 bytes, qint64 nowUs);

    // A probe for the pad the payloader's packets leave a queue by: charges each buffer (or a
    // list's total) and sleeps the streaming thread for what charge() returns. Its user data is
    // a std::shared_ptr<Pacer> *.
    static GstPadProbeReturn probe(GstPad *, GstPadProbeInfo *info, gpointer pacer);

private:
    static constexpr int kInitialKbps = 300;  // until the first target
    static constexpr double bytesPerUs(int kbps) { return std::max(1, kbps) * kFactor * 1000 / 8 / 1e6; }

    std::mutex lock_;
    // In bytes, refilled each microsecond; holds kBurstUs of the pace.
    TokenBucket credit_{bytesPerUs(kInitialKbps), bytesPerUs(kInitialKbps) * double(kBurstUs)};
};

}  // namespace confab
