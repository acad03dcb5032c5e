// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSize>
#include <QtGlobal>

namespace confab {

// What the video encoder is given to code as the rate it may use changes: frame rate and size.
// Too few bits for the picture makes every frame a smear; fewer frames or pixels, each coded well,
// reads better. The measure is bits per pixel per frame at the encoder's target.
// - A camera gives up frames first, down to 15 a second (motion stays fluid enough for a face),
//   and then pixels, in steps of three quarters of the width and height, down to 160 wide.
// - A screen share keeps its pixels (text must stay sharp) and gives up frames, down to 2 a second.
// Going down is prompt (a second below the bar); going up waits until the rate has been a third
// above the next step's bar for three seconds, so the picture does not flip back and forth.
// The bar depends on the picture: a busy one needs more bits than 0.05 a pixel. When the encoder
// cannot keep to its rate at the current step for two seconds (it drops frames, or overshoots)
// the picture counts as richer (the bar rises by half, up to eight times) and it steps down; after
// twenty calm seconds the bar sinks back a fifth at a time. What the encoder did is judged fairly:
// against the highest target it had in that second (a target lowered mid-second leaves the frames
// already coded at the old one), and not in the two seconds after a change of format (GStreamer's
// vp8enc starts a new encoder at every change of size, whose first frame is a keyframe several
// times a low rate's frame: counted, each step down under a cap led to the next).
class VideoAdaptation {
public:
    enum class Content { Camera = 1, Screen };

    struct Format {
        QSize size;  // for a screen share: the capture's own (not scaled here)
        int fps = 30;
        friend bool operator==(const Format &, const Format &) = default;
    };

    // `source`: what the camera (or test source) delivers.
    VideoAdaptation(QSize source, int sourceFps);

    // A screen share of `screen` (its capture size), or the camera again.
    void setContent(Content content, QSize screen = {});
    Content content() const { return content_; }
    // The format for a call that starts at `videoKbps`, chosen at once.
    Format begin(int videoKbps);
    // The encoder's target rate at `nowMs`; returns the format to code from now on.
    Format update(int videoKbps, qint64 nowMs);
    Format current() const { return format_; }
    // What the encoder made of the last second at `targetKbps`: its rate and frames.
    void noteEncoder(double encodedKbps, double encodedFps, int targetKbps, qint64 nowMs);
    // How much richer than a plain picture this one has shown itself (1: not at all).
    double richness() const { return richness_; }

    // The formats a camera steps through, best first (exposed for tests).
    int steps() const;
    Format step(int index) const;
    // Bits per pixel per frame below which a format is too rich for the rate.
    static constexpr double kMinBitsPerPixel = 0.05;

private:
    double neededKbps(const Format &format) const;
    int bestStepFor(double videoKbps, double margin) const;

    QSize source_;
    int sourceFps_;
    Content content_ = Content::Camera;
    QSize screen_;
    int stepIndex_ = 0;
    Format format_;
    qint64 belowSinceMs_ = -1;  // the rate has been too low for the current step since
    qint64 aboveSinceMs_ = -1;  // the rate has allowed a better step since
    double richness_ = 1;
    int strugglingSeconds_ = 0;
    qint64 calmSinceMs_ = -1;
    qint64 changedAtMs_ = -1;    // when update() or noteEncoder() last changed the format
    int highestTargetKbps_ = 0;  // the highest rate update() was given since the last noteEncoder()
};

}  // namespace confab
