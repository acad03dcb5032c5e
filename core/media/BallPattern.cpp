// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/BallPattern.h"

#include <algorithm>
#include <cmath>

namespace confab {

namespace {

// videotestsrc's blend of its foreground over its background by coverage `x` (0-255).
int blend(int foreground, int background, int x) {
    const int sum = foreground * x + background * (255 - x);
    return (sum + ((sum + 128) >> 8) + 128) >> 8;
}

// White in limited-range YCbCr, in BT.601 and BT.709 alike.
constexpr int kWhiteY = 235;
constexpr int kWhiteC = 128;

struct Ball {
    double x = 0;
    double y = 0;
};

// Where videotestsrc's default ("wavy") motion puts the ball in frame `number`.
Ball ballAt(guint64 number, int width, int height) {
    const double angle = 2 * G_PI * double(number) / 200;
    const int r = BallPattern::kRadius;
    return {r + (0.5 + 0.5 * std::sin(angle)) * (width - 2 * r),
            r + (0.5 + 0.5 * std::sin(angle * std::sqrt(2.0))) * (height - 2 * r)};
}

// The ball's coverage of pixel (column, row), 0-255, as videotestsrc computes it.
int coverage(const Ball &ball, int column, int row) {
    const double radius = BallPattern::kRadius;
    if (row < ball.y - radius || row > ball.y + radius) {
        return 0;
    }
    const double o = std::max(0.0, radius * radius - (row - ball.y) * (row - ball.y));
    const int r = int(std::rint(std::sqrt(o)));
    // videotestsrc's span of the row: from int(x - r) to int(x + r + 1), exclusive.
    if (column < std::max(0, int(ball.x - r)) || column >= int(ball.x + r + 1)) {
        return 0;
    }
    const double rr =
        0.5 * (radius - std::sqrt((column - ball.x) * (column - ball.x) + (row - ball.y) * (row - ball.y)));
    return std::clamp(int(std::floor(256 * rr)), 0, 255);
}

struct Painter {
    GstVideoInfo info;
    bool haveInfo = false;
    guint64 frames = 0;
};

GstPadProbeReturn onData(GstPad *, GstPadProbeInfo *probe, gpointer data) {
    auto *painter = static_cast<Painter *>(data);
    if (probe->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
        GstEvent *event = GST_PAD_PROBE_INFO_EVENT(probe);
        if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
            GstCaps *caps = nullptr;
            gst_event_parse_caps(event, &caps);
            painter->haveInfo = gst_video_info_from_caps(&painter->info, caps) &&
                                GST_VIDEO_INFO_FORMAT(&painter->info) == GST_VIDEO_FORMAT_I420;
        }
        return GST_PAD_PROBE_OK;
    }
    const guint64 number = painter->frames++;
    if (!painter->haveInfo) {
        return GST_PAD_PROBE_OK;
    }
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(probe));
    GST_PAD_PROBE_INFO_DATA(probe) = buffer;
    GstVideoFrame frame;
    if (gst_video_frame_map(&frame, &painter->info, buffer, GST_MAP_READWRITE)) {
        BallPattern::draw(&frame, number);
        gst_video_frame_unmap(&frame);
    }
    return GST_PAD_PROBE_OK;
}

}  // namespace

void BallPattern::drawOn(GstElement *source) {
    GstPad *pad = gst_element_get_static_pad(source, "src");
    if (!pad) {
        return;
    }
    gst_pad_add_probe(pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                      &onData, new Painter, [](gpointer data) { delete static_cast<Painter *>(data); });
    gst_object_unref(pad);
}

void BallPattern::draw(GstVideoFrame *frame, guint64 number) {
    const int width = GST_VIDEO_FRAME_WIDTH(frame);
    const int height = GST_VIDEO_FRAME_HEIGHT(frame);
    const Ball ball = ballAt(number, width, height);
    // The ball's box, a pixel wider each way, in even numbers so that chroma blocks are whole.
    const int left = std::max(0, (int(ball.x) - kRadius - 2) & ~1);
    const int right = std::min(width, int(ball.x) + kRadius + 3);
    const int top = std::max(0, (int(ball.y) - kRadius - 2) & ~1);
    const int bottom = std::min(height, int(ball.y) + kRadius + 3);

    auto *luma = static_cast<guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(frame, 0));
    const int lumaStride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
    for (int row = top; row < bottom; ++row) {
        guint8 *line = luma + std::ptrdiff_t(row) * lumaStride;
        for (int column = left; column < right; ++column) {
            if (const int a = coverage(ball, column, row)) {
                line[column] = guint8(blend(kWhiteY, line[column], a));
            }
        }
    }
    for (int plane = 1; plane <= 2; ++plane) {
        auto *chroma = static_cast<guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(frame, plane));
        const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, plane);
        for (int row = top; row < bottom; row += 2) {
            guint8 *line = chroma + std::ptrdiff_t(row / 2) * stride;
            for (int column = left; column < right; column += 2) {
                int sum = 0;
                for (int dy = 0; dy < 2 && row + dy < height; ++dy) {
                    for (int dx = 0; dx < 2 && column + dx < width; ++dx) {
                        sum += coverage(ball, column + dx, row + dy);
                    }
                }
                if (sum) {
                    line[column / 2] = guint8(blend(kWhiteC, line[column / 2], (sum + 2) / 4));
                }
            }
        }
    }
}

}  // namespace confab
