// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/VideoAdaptation.h"

#include <algorithm>
#include <vector>

namespace confab {

namespace {

constexpr int kMinCameraFps = 15;
constexpr int kMinWidth = 160;
constexpr qint64 kDownAfterMs = 1000;
constexpr qint64 kUpAfterMs = 3000;
constexpr double kUpMargin = 4.0 / 3.0;
// Screens compress far better than cameras (most of a frame does not change).
constexpr double kScreenBitsPerPixel = 0.01;
constexpr int kScreenFps[] = {15, 10, 5, 2};
// The encoder struggles when it codes fewer than this share of the frames it is given, or sends
// this much more than its target.
constexpr double kDroppingBelow = 0.6;
constexpr double kOvershootAbove = 1.3;
constexpr int kStruggleSeconds = 2;
constexpr double kRicherBy = 1.5;
constexpr double kMaxRichness = 8;
constexpr qint64 kCalmForMs = 20000;
// A second sampled less than this after a change of format shows the new encoder's keyframe.
constexpr qint64 kSettleMs = 2000;

int even(double value) {
    return std::max(2, int(value / 2) * 2);
}

}  // namespace

VideoAdaptation::VideoAdaptation(QSize source, int sourceFps) : source_(source), sourceFps_(sourceFps) {
    format_ = step(0);
}

int VideoAdaptation::steps() const {
    if (content_ == Content::Screen) {
        return int(std::size(kScreenFps));
    }
    int count = 0;
    for (int fps : {sourceFps_, 20, kMinCameraFps}) {
        if (fps <= sourceFps_ && (count == 0 || fps < sourceFps_)) {
            ++count;
        }
    }
    double scale = 0.75;
    while (source_.width() * scale >= kMinWidth) {
        ++count;
        scale *= 0.75;
    }
    return count;
}

VideoAdaptation::Format VideoAdaptation::step(int index) const {
    if (content_ == Content::Screen) {
        return {screen_, kScreenFps[std::clamp(index, 0, int(std::size(kScreenFps)) - 1)]};
    }
    std::vector<int> rates{sourceFps_};
    for (int fps : {20, kMinCameraFps}) {
        if (fps < sourceFps_) {
            rates.push_back(fps);
        }
    }
    if (index < int(rates.size())) {
        return {source_, rates[std::size_t(index)]};
    }
    double scale = 1;
    for (int i = int(rates.size()) - 1; i < index; ++i) {
        scale *= 0.75;
    }
    return {QSize(even(source_.width() * scale), even(source_.height() * scale)), rates.back()};
}

void VideoAdaptation::setContent(Content content, QSize screen) {
    if (content == content_ && screen == screen_) {
        return;
    }
    content_ = content;
    screen_ = screen.isValid() ? screen : QSize(1920, 1080);
    richness_ = 1;
    strugglingSeconds_ = 0;
    calmSinceMs_ = -1;
    changedAtMs_ = -1;
    highestTargetKbps_ = 0;
    stepIndex_ = 0;
    format_ = step(0);
    belowSinceMs_ = -1;
    aboveSinceMs_ = -1;
}

double VideoAdaptation::neededKbps(const Format &format) const {
    const double bitsPerPixel =
        (content_ == Content::Screen ? kScreenBitsPerPixel : kMinBitsPerPixel) * richness_;
    return double(format.size.width()) * format.size.height() * format.fps * bitsPerPixel / 1000;
}

// The best step the rate affords with `margin` to spare; the last step when none does.
int VideoAdaptation::bestStepFor(double videoKbps, double margin) const {
    const int count = steps();
    for (int i = 0; i < count; ++i) {
        if (videoKbps >= neededKbps(step(i)) * margin) {
            return i;
        }
    }
    return count - 1;
}

void VideoAdaptation::noteEncoder(double encodedKbps, double encodedFps, int targetKbps, qint64 nowMs) {
    if (encodedFps <= 0 && encodedKbps <= 0) {
        // Nothing coded at all: no frame reached the encoder (a source that stalled, a camera that
        // stopped), which a smaller picture would not change. Neither struggling nor calm.
        return;
    }
    const int fairTarget = std::max(targetKbps, highestTargetKbps_);
    highestTargetKbps_ = 0;
    if (changedAtMs_ >= 0 && nowMs - changedAtMs_ < kSettleMs) {
        strugglingSeconds_ = 0;  // neither struggling nor calm: the new format's first keyframe
        return;
    }
    const bool struggling =
        encodedFps < kDroppingBelow * format_.fps || encodedKbps > kOvershootAbove * fairTarget;
    if (!struggling) {
        strugglingSeconds_ = 0;
        if (calmSinceMs_ < 0) {
            calmSinceMs_ = nowMs;
        } else if (nowMs - calmSinceMs_ >= kCalmForMs && richness_ > 1) {
            richness_ = std::max(1.0, richness_ * 0.8);
            calmSinceMs_ = nowMs;
        }
        return;
    }
    calmSinceMs_ = -1;
    if (++strugglingSeconds_ < kStruggleSeconds) {
        return;
    }
    strugglingSeconds_ = 0;
    richness_ = std::min(kMaxRichness, richness_ * kRicherBy);
    if (stepIndex_ + 1 < steps()) {
        ++stepIndex_;
        format_ = step(stepIndex_);
        changedAtMs_ = nowMs;
        belowSinceMs_ = -1;
        aboveSinceMs_ = -1;
    }
}

VideoAdaptation::Format VideoAdaptation::begin(int videoKbps) {
    stepIndex_ = bestStepFor(videoKbps, 1.0);
    format_ = step(stepIndex_);
    belowSinceMs_ = -1;
    aboveSinceMs_ = -1;
    return format_;
}

VideoAdaptation::Format VideoAdaptation::update(int videoKbps, qint64 nowMs) {
    highestTargetKbps_ = std::max(highestTargetKbps_, videoKbps);
    const Format before = format_;
    const int fits = bestStepFor(videoKbps, 1.0);
    if (fits > stepIndex_) {
        aboveSinceMs_ = -1;
        if (belowSinceMs_ < 0) {
            belowSinceMs_ = nowMs;
        }
        if (nowMs - belowSinceMs_ >= kDownAfterMs) {
            stepIndex_ = fits;
            belowSinceMs_ = -1;
        }
    } else {
        belowSinceMs_ = -1;
        const int better = bestStepFor(videoKbps, kUpMargin);
        if (better < stepIndex_) {
            if (aboveSinceMs_ < 0) {
                aboveSinceMs_ = nowMs;
            }
            if (nowMs - aboveSinceMs_ >= kUpAfterMs) {
                stepIndex_ = better;
                aboveSinceMs_ = -1;
            }
        } else {
            aboveSinceMs_ = -1;
        }
    }
    format_ = step(stepIndex_);
    if (!(format_ == before)) {
        changedAtMs_ = nowMs;
    }
    return format_;
}

}  // namespace confab
