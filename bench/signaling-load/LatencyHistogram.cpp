// SPDX-License-Identifier: GPL-3.0-or-later
#include "LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace confab::bench {

LatencyHistogram::LatencyHistogram() : fine_(size_t(kFineLimitUs)), coarse_(size_t(kCoarseLimitMs + 1)) {}

void LatencyHistogram::add(gint64 microseconds) {
    const gint64 us = std::max<gint64>(0, microseconds);
    if (us < kFineLimitUs) {
        ++fine_[size_t(us)];
    } else {
        ++coarse_[size_t(std::min(us / 1000, kCoarseLimitMs))];
    }
    ++count_;
    sumUs_ += us;
    maxUs_ = std::max(maxUs_, us);
}

void LatencyHistogram::merge(const LatencyHistogram &other) {
    for (size_t i = 0; i < fine_.size(); ++i) {
        fine_[i] += other.fine_[i];
    }
    for (size_t i = 0; i < coarse_.size(); ++i) {
        coarse_[i] += other.coarse_[i];
    }
    count_ += other.count_;
    sumUs_ += other.sumUs_;
    maxUs_ = std::max(maxUs_, other.maxUs_);
}

double LatencyHistogram::percentileMs(double p) const {
    if (count_ == 0) {
        return -1;
    }
    // The smallest bucket with at least ceil(p * count) samples at or below it.
    const long rank = std::max(1L, long(std::ceil(p * double(count_))));
    long seen = 0;
    for (size_t i = 0; i < fine_.size(); ++i) {
        seen += fine_[i];
        if (seen >= rank) {
            return double(i) / 1000.0;
        }
    }
    for (size_t i = 0; i < coarse_.size(); ++i) {
        seen += coarse_[i];
        if (seen >= rank) {
            return double(i);
        }
    }
    return maxMs();
}

}  // namespace confab::bench
