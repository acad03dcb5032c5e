// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/FreezeCounter.h"

#include <algorithm>
#include <utility>

namespace confab {

void FreezeCounter::frameRendered(double nowMs) {
    const std::lock_guard lock(mutex_);
    ++figures_.frames;
    if (lastMs_ < 0) {
        lastMs_ = nowMs;
        return;
    }
    const double gap = std::max(0.0, nowMs - lastMs_);
    lastMs_ = nowMs;
    figures_.totalFramesMs += gap;
    // Judged against the frames before it, as libwebrtc does: a long gap must not excuse itself.
    if (gapCount_ > 0) {
        const double mean = gapSum_ / gapCount_;
        if (gap >= std::max(3 * mean, mean + 150)) {
            ++figures_.freezes;
            figures_.totalFreezeMs += gap;
            if (recent_.size() < 1000) {
                recent_.push_back(gap);
            }
        }
    }
    if (gapCount_ == kWindow) {
        gapSum_ -= gaps_[std::size_t(nextGap_)];
    } else {
        ++gapCount_;
    }
    gaps_[std::size_t(nextGap_)] = gap;
    gapSum_ += gap;
    nextGap_ = (nextGap_ + 1) % kWindow;
}

std::vector<double> FreezeCounter::takeRecentFreezes() {
    const std::lock_guard lock(mutex_);
    return std::exchange(recent_, {});
}

FreezeCounter::Figures FreezeCounter::figures() const {
    const std::lock_guard lock(mutex_);
    return figures_;
}

}  // namespace confab
