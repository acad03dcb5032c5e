// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <random>

namespace netlab {

// The one-way delay a DelayForwarder gives a packet sent at a given time: `meanMs`, varying within
// ±`jitterMs` along straight lines between random points `stepMs` apart (a queue that fills and
// drains, rather than independent per-packet noise). The slope stays under 1 ms per ms whenever
// 2 × jitterMs < stepMs, so a later packet never leaves before an earlier one: no reordering.
// Deterministic for a seed. Not thread-safe: one per direction.
class DelaySchedule {
public:
    DelaySchedule(double meanMs, double jitterMs, double stepMs = 250, std::uint32_t seed = 1);

    // Delay for a packet arriving at `nowMs` (any monotonic clock; calls in non-decreasing order).
    double delayMs(double nowMs);

private:
    double pick();

    double meanMs_;
    double jitterMs_;
    double stepMs_;
    std::mt19937 random_;
    double startMs_ = -1;  // the current line: from (startMs_, from_) to (startMs_ + stepMs_, to_)
    double from_ = 0;
    double to_ = 0;
};

}  // namespace netlab
