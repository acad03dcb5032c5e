// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace confab {

// When the jitter buffers ask for a lost packet again, and how long rtpsession may hold the
// request. rtpjitterbuffer's automatic timing reads video's own spread as jitter (the pacer sends
// a frame over several milliseconds, frames come 33-66 ms apart): it waited 40-90 ms before the
// first request and 125-165 ms between requests, so a 150 ms buffer asked once, and 12-22 % of the
// gaps under 5 % loss were never repaired. Each request also tells rtpsession how long the NACK
// may wait: the buffer's latency less the time already waited less `avg-rtt`, its own measure of
// a repair, which the same misreading and every failed repair inflate (200-330 ms seen): the NACK
// got a deadline already past and rtpsession dropped it unsent. (docs/performance.md, "Loss
// repair")
// - The first request goes kFirstRequestMs after a gap shows (a little reordering is let through).
// - Then one every round trip plus kRetryMarginMs (retryTimeoutMs()).
// - Each request's `avg-rtt` is at most the network round trip the RTCP reports measure.
// - Requests for audio are dropped: no retransmission is negotiated for audio (Opus carries its
//   own redundancy), yet webrtcbin 1.22 lets the bundled audio jitter buffers ask, and each such
//   request takes rtpsession's next early RTCP packet.
// The one place that reads and rewrites rtpjitterbuffer's GstRTPRetransmissionRequest event; it
// changes only fields the event has, and leaves any other event alone.
class RetransmissionRequests : public std::enable_shared_from_this<RetransmissionRequests> {
public:
    static constexpr int kFirstRequestMs = 15;
    static constexpr int kRetryMarginMs = 30;
    // Until the RTCP reports have measured one (a few seconds into the call): most calls' paths
    // are shorter, and a request repeated too soon costs one duplicate packet.
    static constexpr int kUnknownRoundTripMs = 40;
    // Longer round trips are taken as this (the jitter buffer holds packets 400 ms at most).
    static constexpr int kLongestRoundTripMs = 370;

    // Takes over a jitter buffer webrtcbin made (rtpbin's new-jitterbuffer, any thread).
    void watch(GstElement *jitterBuffer);
    // The network round trip from the RTCP reports (main thread); -1: not measured yet.
    void setRoundTripMs(int roundTripMs);
    int roundTripMs() const { return roundTripMs_.load(); }

    // The wait between two requests for the same packet at `roundTripMs`.
    static int retryTimeoutMs(int roundTripMs);
    // What a request event becomes: false to drop it (audio), otherwise `*event` is the event to
    // pass on (rewritten when its avg-rtt is over `roundTripMs`; -1 leaves it). Exposed for tests.
    static bool rewrite(GstEvent **event, bool audio, int roundTripMs);

private:
    // A jitter buffer held weakly: its probe holds this object, so a strong reference would be a
    // cycle.
    struct Watched {
        explicit Watched(GstElement *element) { g_weak_ref_init(&ref, element); }
        ~Watched() { g_weak_ref_clear(&ref); }
        Watched(const Watched &) = delete;
        Watched &operator=(const Watched &) = delete;
        GWeakRef ref;
    };

    static GstPadProbeReturn probe(GstPad *pad, GstPadProbeInfo *info, gpointer self);
    static void applyRetryTimeout(GstElement *jitterBuffer, int roundTripMs);

    std::atomic<int> roundTripMs_{-1};
    std::mutex lock_;
    std::vector<std::unique_ptr<Watched>> jitterBuffers_;
    int appliedRoundTripMs_ = -1;
};

}  // namespace confab
