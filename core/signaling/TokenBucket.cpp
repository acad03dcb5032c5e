// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/TokenBucket.h"

#include <algorithm>

namespace confab {

TokenBucket::TokenBucket(double perSecond, int burst)
    : perMs_(perSecond / 1000.0), capacity_(std::max(1, burst)), tokens_(capacity_) {}

bool TokenBucket::take(qint64 nowMs) {
    if (perMs_ <= 0) {
        return true;
    }
    if (lastMs_ >= 0 && nowMs > lastMs_) {
        tokens_ = std::min(capacity_, tokens_ + double(nowMs - lastMs_) * perMs_);
    }
    lastMs_ = std::max(lastMs_, nowMs);
    if (tokens_ < 1.0) {
        return false;
    }
    tokens_ -= 1.0;
    return true;
}

}  // namespace confab
