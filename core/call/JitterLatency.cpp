// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/JitterLatency.h"

#include <algorithm>
#include <cmath>

namespace confab {

namespace {
constexpr qint64 kLowerAfterMs = 5000;
// Changes smaller than this are not worth a change of the buffer.
constexpr int kStepMs = 10;
}  // namespace

int JitterLatency::update(double roundTripMs, double jitterMs, qint64 nowMs) {
    if (roundTripMs < 0) {
        return -1;
    }
    const int wanted = std::clamp(int(std::lround(1.2 * roundTripMs + 2 * std::max(0.0, jitterMs) + 20)), minimumMs_,
                                  kMaximumMs);
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
