// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace confab {

// How long the jitter buffer holds the peer's packets: long enough for a lost packet's
// retransmission to come back (one round trip after the receiver noticed the gap, and noticing
// takes a little) and for the path's jitter, no longer than that: every millisecond held is a
// millisecond of delay. Follows the round trip the RTCP reports measure: up at once when it grows,
// down only after it has stayed lower for five seconds, between the call's configured minimum
// and 400 ms.
class JitterLatency {
public:
    explicit JitterLatency(int minimumMs) : minimumMs_(minimumMs), latencyMs_(minimumMs) {}

    // A round trip and the path's jitter, at `nowMs`; returns the latency to set, or -1 when it
    // stays as it is.
    int update(double roundTripMs, double jitterMs, qint64 nowMs);
    int latencyMs() const { return latencyMs_; }

    static constexpr int kMaximumMs = 400;

private:
    int minimumMs_;
    int latencyMs_;
    qint64 lowerSinceMs_ = -1;
    int lowestWanted_ = 0;
};

}  // namespace confab
