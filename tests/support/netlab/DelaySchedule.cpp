// SPDX-License-Identifier: GPL-3.0-or-later
#include "DelaySchedule.h"

#include <algorithm>

namespace netlab {

DelaySchedule::DelaySchedule(double meanMs, double jitterMs, double stepMs, std::uint32_t seed)
    : meanMs_(meanMs), jitterMs_(std::max(0.0, jitterMs)), stepMs_(std::max(1.0, stepMs)), random_(seed) {}

double DelaySchedule::pick() {
    if (jitterMs_ <= 0) {
        return meanMs_;
    }
    std::uniform_real_distribution<double> within(meanMs_ - jitterMs_, meanMs_ + jitterMs_);
    return std::max(0.0, within(random_));
}

double DelaySchedule::delayMs(double nowMs) {
    if (startMs_ < 0) {
        startMs_ = nowMs;
        from_ = pick();
        to_ = pick();
    }
    while (nowMs >= startMs_ + stepMs_) {
        startMs_ += stepMs_;
        from_ = to_;
        to_ = pick();
    }
    const double along = (nowMs - startMs_) / stepMs_;
    return from_ + (to_ - from_) * along;
}

}  // namespace netlab
