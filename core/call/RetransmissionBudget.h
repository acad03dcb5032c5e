// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/TokenBucket.h"

#include <gst/gst.h>

#include <QtGlobal>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace confab {

// How much of the send rate retransmissions may take. webrtcbin 1.22's rtprtxsend answers every
// NACK it can: when a queue overflows, the receiver asks for each lost packet, and the answers
// come on top of the rate that overflowed it, so the loss feeds itself (a 600 kbit/s path saw a
// second of 150 kb/s of retransmissions on 450 kb/s of video). libwebrtc limits them to its
// estimate; this is a token bucket of a share of the current target, with a burst of 100 ms but
// never less than kMinBurstBytes: at a low target 100 ms of the share is less than one packet
// (940 bytes at 300 kbit/s), so after one retransmission the next waited over 100 ms, and the
// second lost packet of a keyframe went unrepaired; the receiver then asked for a new keyframe,
// and the picture froze for half a second (5 % loss, at the start of a call). Retransmissions over
// it are dropped (a receiver that still misses the packet asks for a keyframe). The bucket is
// filled from the main thread and drawn on webrtcbin's send thread.
class RetransmissionBudget {
public:
    static constexpr double kShare = 0.25;
    static constexpr qint64 kBurstUs = 100'000;
    static constexpr double kMinBurstBytes = 4 * 1200;  // four full-size video packets

    // The session's send target, in kbit/s.
    void setTargetKbps(int kbps);
    // Whether a retransmission of `bytes` sent at `nowUs` fits; takes it from the bucket if so.
    bool take(qint64 bytes, qint64 nowUs);
    quint64 dropped() const { return dropped_.load(); }
    // Media always passes; a retransmission passes if it fits (take()).
    bool passes(GstBuffer *buffer, qint64 nowUs);

    // A probe for the pad retransmissions pass on their way to the session: drops those over the
    // budget (buffers flagged GST_RTP_BUFFER_FLAG_RETRANSMISSION, as rtprtxsend marks them).
    // Its user data is a std::shared_ptr<RetransmissionBudget> *.
    static GstPadProbeReturn probe(GstPad *, GstPadProbeInfo *info, gpointer budget);

private:
    static constexpr int kInitialKbps = 300;  // until the first target
    static constexpr double bytesPerUs(int kbps) { return std::max(0, kbps) * kShare * 1000 / 8 / 1e6; }
    static constexpr double burstBytes(int kbps) {
        return std::max(kMinBurstBytes, bytesPerUs(kbps) * double(kBurstUs));
    }

    std::mutex lock_;
    // In bytes, refilled each microsecond; holds burstBytes() of the share.
    TokenBucket tokens_{bytesPerUs(kInitialKbps), burstBytes(kInitialKbps)};
    std::atomic<quint64> dropped_{0};
};

}  // namespace confab
