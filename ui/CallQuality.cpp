// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallQuality.h"

#include <algorithm>

namespace confab::ui {

namespace {

// Loss hurts first (frozen video, robotic audio); a long round trip makes people talk over each
// other. The picture and the sound as received say it more directly than the network figures.
constexpr double kFairLossPercent = 2;
constexpr double kPoorLossPercent = 10;
constexpr double kFairRoundTripMs = 200;
constexpr double kPoorRoundTripMs = 400;
constexpr double kFairConcealedPercent = 3;
constexpr double kPoorConcealedPercent = 15;
constexpr int kPoorFreezes = 3;
constexpr double kPoorFreezeMs = 2000;

}  // namespace

void CallQuality::reset() {
    *this = CallQuality();
}

CallQuality::Level CallQuality::add(const CallStats &stats) {
    Second second;
    second.freezes = int(stats.recentFreezesMs.size());
    for (int ms : stats.recentFreezesMs) {
        second.freezeMs += ms;
    }
    if (stats.audioBuffersReceived > 0) {
        // Concealed share since the start, times the seconds it covers: concealed seconds so far
        // (a second per sample: close enough once the start-up seconds are behind).
        const double concealedBefore = lastConcealedPercent_ * audioSeconds_;
        ++audioSeconds_;
        const double concealedNow = stats.audioConcealedPercent * audioSeconds_;
        second.concealedPercent = std::clamp(concealedNow - concealedBefore, 0.0, 100.0);
        second.hasAudio = true;
        lastConcealedPercent_ = stats.audioConcealedPercent;
    }
    const bool started = ++samples_ > kStartSeconds;
    if (started) {
        seconds_.append(second);
        while (seconds_.size() > kMemorySeconds) {
            seconds_.removeFirst();
        }
    }

    // A picture that had frames and shows none this second is frozen now, before the freeze ends
    // and is counted.
    const bool frozenNow = started && lastVideoFrames_ > 0 && stats.videoFramesReceived == lastVideoFrames_;
    lastVideoFrames_ = stats.videoFramesReceived;
    const int freezes = recentFreezes();
    const double freezeMs = recentFreezeMs();
    const double concealed = recentConcealedPercent();

    if (stats.roundTripMs < 0 && stats.receiveKbps <= 0) {
        level_ = Level::Unknown;
        reason_.clear();
    } else if (frozenNow) {
        level_ = Level::Poor;
        reason_ = tr("Their picture is frozen.");
    } else if (freezes >= kPoorFreezes || freezeMs >= kPoorFreezeMs) {
        level_ = Level::Poor;
        reason_ = tr("Their picture froze %n time(s) in the last %1 seconds.", nullptr, freezes)
                      .arg(kMemorySeconds);
    } else if (stats.lossPercent > kPoorLossPercent) {
        level_ = Level::Poor;
        reason_ = tr("%1 % of their packets are lost on the way.").arg(stats.lossPercent, 0, 'f', 0);
    } else if (concealed > kPoorConcealedPercent) {
        level_ = Level::Poor;
        reason_ = tr("%1 % of their sound was lost and filled in.").arg(concealed, 0, 'f', 0);
    } else if (stats.roundTripMs > kPoorRoundTripMs) {
        level_ = Level::Poor;
        reason_ = tr("The delay is long (%1 ms there and back).").arg(stats.roundTripMs, 0, 'f', 0);
    } else if (freezes > 0) {
        level_ = Level::Fair;
        reason_ = tr("Their picture froze %n time(s) in the last %1 seconds.", nullptr, freezes)
                      .arg(kMemorySeconds);
    } else if (stats.lossPercent > kFairLossPercent) {
        level_ = Level::Fair;
        reason_ = tr("%1 % of their packets are lost on the way.").arg(stats.lossPercent, 0, 'f', 0);
    } else if (concealed > kFairConcealedPercent) {
        level_ = Level::Fair;
        reason_ = tr("%1 % of their sound was lost and filled in.").arg(concealed, 0, 'f', 0);
    } else if (stats.roundTripMs > kFairRoundTripMs) {
        level_ = Level::Fair;
        reason_ = tr("The delay is noticeable (%1 ms there and back).").arg(stats.roundTripMs, 0, 'f', 0);
    } else {
        level_ = Level::Good;
        reason_.clear();
    }
    return level_;
}

double CallQuality::recentConcealedPercent() const {
    double sum = 0;
    int count = 0;
    for (const Second &second : seconds_) {
        if (second.hasAudio) {
            sum += second.concealedPercent;
            ++count;
        }
    }
    return count > 0 ? sum / count : 0;
}

int CallQuality::recentFreezes() const {
    int count = 0;
    for (const Second &second : seconds_) {
        count += second.freezes;
    }
    return count;
}

double CallQuality::recentFreezeMs() const {
    double total = 0;
    for (const Second &second : seconds_) {
        total += second.freezeMs;
    }
    return total;
}

}  // namespace confab::ui
