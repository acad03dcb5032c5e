// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace confab {

// How long the jitter buffer holds the peer's packets: long enough for a lost packet's
// retransmission to come back (one round trip after the receiver noticed the gap, and noticing
// takes a little) and for the path's jitter, no longer than that: every millisecond held is a
// millisecond of delay. While the peer's packets are being lost it holds them long enough for
// three requests (RetransmissionRequests' timing) and the last one's answer: one repair that
// fails is a frozen picture until the next keyframe. Follows the round trip and the loss the RTCP
// reports measure: up at once, down only after it has stayed lower for five seconds, between the
// call's configured minimum and 400 ms.
class JitterLatency {
public:
    explicit JitterLatency(int minimumMs) : minimumMs_(minimumMs), latencyMs_(minimumMs) {}

    // A round trip, the path's jitter and the share of the peer's packets lost (percent), at
    // `nowMs`; returns the latency to set, or -1 when it stays as it is.
    int update(double roundTripMs, double jitterMs, double lossPercent, qint64 nowMs);
    // What repairing a loss needs at `roundTripMs` (-1: not measured yet): three requests and the
    // last one's answer.
    static int repairMs(double roundTripMs);
    int latencyMs() const { return latencyMs_; }

    static constexpr int kMaximumMs = 400;
    // Below this loss (percent) the repairs are left to the round-trip rule alone.
    static constexpr double kLossyPercent = 0.5;

private:
    int minimumMs_;
    int latencyMs_;
    qint64 lowerSinceMs_ = -1;
    int lowestWanted_ = 0;
};

}  // namespace confab
