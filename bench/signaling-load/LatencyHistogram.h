// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

#include <cstdint>
#include <vector>

namespace confab::bench {

// Relay latencies in fixed memory however many messages a run relays: 1 µs buckets up to 100 ms,
// 1 ms buckets up to 60 s, and everything slower in the last bucket. Each thread keeps its own;
// the report merges them.
class LatencyHistogram {
public:
    LatencyHistogram();

    void add(gint64 microseconds);
    void merge(const LatencyHistogram &other);

    long count() const { return count_; }
    // The latency below which a fraction `p` of the samples lie, in milliseconds; -1 when empty.
    double percentileMs(double p) const;
    double maxMs() const { return count_ ? double(maxUs_) / 1000.0 : -1; }
    double meanMs() const { return count_ ? double(sumUs_) / double(count_) / 1000.0 : -1; }

private:
    static constexpr gint64 kFineLimitUs = 100'000;
    static constexpr gint64 kCoarseLimitMs = 60'000;

    std::vector<uint32_t> fine_;    // [0, 100 ms) by µs
    std::vector<uint32_t> coarse_;  // [100 ms, 60 s] by ms
    long count_ = 0;
    gint64 maxUs_ = 0;
    gint64 sumUs_ = 0;
};

}  // namespace confab::bench
