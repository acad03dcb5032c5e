// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <array>
#include <mutex>
#include <vector>

namespace confab {

// Counts what the person at the other end would call a frozen picture, in webrtc-stats' terms
// (RTCInboundRtpStreamStats freezeCount and totalFreezesDuration): a freeze is a gap between two
// rendered frames of at least max(3 × the mean frame duration, mean + 150 ms), the mean taken over
// the last 30 gaps. Fed on a streaming thread, read on any: a mutex, taken 30 times a second.
class FreezeCounter {
public:
    struct Figures {
        quint64 frames = 0;
        quint64 freezes = 0;
        double totalFreezeMs = 0;
        // Sum of the gaps between frames, so that (totalFramesMs - totalFreezeMs) / total is the
        // share of the time the picture moved.
        double totalFramesMs = 0;
    };

    // A frame was rendered at `nowMs` (a monotonic clock, fractions of a millisecond allowed).
    void frameRendered(double nowMs);
    Figures figures() const;
    // The duration of each freeze that ended since the last call, in order.
    std::vector<double> takeRecentFreezes();

private:
    static constexpr int kWindow = 30;

    mutable std::mutex mutex_;
    Figures figures_;
    double lastMs_ = -1;
    std::array<double, kWindow> gaps_{};
    int gapCount_ = 0;  // how many of gaps_ hold a value (up to kWindow)
    int nextGap_ = 0;
    double gapSum_ = 0;
    std::vector<double> recent_;
};

}  // namespace confab
