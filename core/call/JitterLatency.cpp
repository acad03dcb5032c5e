// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/JitterLatency.h"

#include "call/RetransmissionRequests.h"

#include <algorithm>
#include <cmath>

namespace confab {

namespace {
constexpr qint64 kLowerAfterMs = 5000;
// Changes smaller than this are not worth a change of the buffer.
constexpr int kStepMs = 10;
// What a repair needs beyond the requests and the round trip: the buffer's deadline counts from a
// frame's first packet, and the pacer spreads a large frame's packets over up to ~50 ms (a 720p
// keyframe at 2.5 times a 2.5 Mb/s target), so a packet lost near its end is noticed that much
// later. At 15 ms (the round trip's own slack only) a 5 % loss still left 8-18 gaps a side
// unrepaired in 30 s.
constexpr int kRepairMarginMs = 50;
}  // namespace

int JitterLatency::repairMs(double roundTripMs) {
    const int roundTrip = roundTripMs < 0 ? RetransmissionRequests::kUnknownRoundTripMs
                                          : int(std::lround(std::min(roundTripMs, double(kMaximumMs))));
    return RetransmissionRequests::kFirstRequestMs + 2 * RetransmissionRequests::retryTimeoutMs(roundTrip) +
           roundTrip + kRepairMarginMs;
}

int JitterLatency::update(double roundTripMs, double jitterMs, double lossPercent, qint64 nowMs) {
    const bool lossy = lossPercent >= kLossyPercent;
    if (roundTripMs < 0 && !lossy) {
        return -1;
    }
    // Loss shows in the first second; the round trip only once both sides have reported.
    double wantedMs = roundTripMs < 0 ? 0 : 1.2 * roundTripMs + 2 * std::max(0.0, jitterMs) + 20;
    if (lossy) {
        wantedMs = std::max(wantedMs, double(repairMs(roundTripMs)));
    }
    const int wanted = int(std::lround(std::clamp(wantedMs, double(minimumMs_), double(kMaximumMs))));
    if (wanted >= latencyMs_ + kStepMs) {
        latencyMs_ = wanted;
        lowerSinceMs_ = -1;
        return latencyMs_;
    }
    if (wanted <= latencyMs_ - kStepMs) {
        if (lowerSinceMs_ < 0) {
            lowerSinceMs_ = nowMs;
            lowestWanted_ = wanted;
        }
        lowestWanted_ = std::max(lowestWanted_, wanted);  // the highest it wanted meanwhile
        if (nowMs - lowerSinceMs_ >= kLowerAfterMs) {
            latencyMs_ = lowestWanted_;
            lowerSinceMs_ = -1;
            return latencyMs_;
        }
        return -1;
    }
    lowerSinceMs_ = -1;
    return -1;
}

}  // namespace confab
