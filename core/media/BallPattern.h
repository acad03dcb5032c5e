// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

namespace confab {

// The test pattern's moving ball, drawn onto the flat frames of `videotestsrc
// pattern=solid-color`: the picture of `videotestsrc pattern=ball` (a white ball of radius 20 with
// a soft edge, on a Lissajous path, one step a frame) for a fraction of its cost.
//
// videotestsrc blends and converts every pixel of every line for its ball pattern: 4.7 ms a 720p
// frame, 40 % of a headless peer's CPU in a 720p call (perf), more than encoding. A flat frame
// costs it next to nothing, and the ball is 41 × 41 pixels. Luma is drawn as videotestsrc draws
// it, to the level; chroma averages the ball's coverage over each 2 × 2 block, where videotestsrc
// filters a little differently: one level apart at most (tests/call/tst_ballpattern).
class BallPattern {
public:
    // Draws on every I420 frame leaving `source`'s src pad (other formats pass unchanged), for as
    // long as the pad lives; frames are counted from the first.
    static void drawOn(GstElement *source);
    // Draws the ball of frame `number` into `frame` (I420), blending over what is there.
    static void draw(GstVideoFrame *frame, guint64 number);

    static constexpr int kRadius = 20;
};

}  // namespace confab
