// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/TokenBucket.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace confab {

TokenBucket::TokenBucket(double rate, double capacity) : rate_(rate), capacity_(capacity) {}

void TokenBucket::setRate(double rate) {
    rate_ = rate;
}

void TokenBucket::setCapacity(double capacity) {
    capacity_ = capacity;
}

void TokenBucket::refill(qint64 now) {
    if (last_ < 0) {
        level_ = capacity_;
    } else if (now > last_) {
        level_ = std::min(capacity_, level_ + rate_ * double(now - last_));
    }
    last_ = std::max(last_, now);
}

bool TokenBucket::take(double amount, qint64 now) {
    refill(now);
    if (level_ >= amount || (capacity_ > 0 && level_ >= capacity_)) {
        level_ -= amount;
        return true;
    }
    return false;
}

qint64 TokenBucket::charge(double amount, qint64 now) {
    refill(now);
    level_ -= amount;
    if (level_ >= 0) {
        return 0;
    }
    constexpr auto kNever = std::numeric_limits<qint64>::max();
    if (rate_ <= 0) {
        return kNever;
    }
    // Compared in double: a debt at a tiny rate can be more ticks than a qint64 holds.
    const double ticks = std::ceil(-level_ / rate_);
    return ticks < double(kNever) ? qint64(ticks) : kNever;
}

}  // namespace confab
