// SPDX-License-Identifier: GPL-3.0-or-later
// BallPattern: the ball drawn on videotestsrc's flat frames is videotestsrc's own ball pattern, frame
// by frame: the same luma to the level, chroma within a level or two at the ball's edge.
#include "media/BallPattern.h"
#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <gst/app/gstappsink.h>

#include <QTest>

#include <vector>

using confab::BallPattern;
using confab::GErrorPtr;
using confab::GstPtr;
using confab::out;

namespace {

constexpr int kWidth = 320;
constexpr int kHeight = 240;
constexpr int kFrames = 120;

struct Planes {
    std::vector<guint8> y, u, v;
};

// The first kFrames I420 frames of `source` at kWidth × kHeight, with the ball drawn by
// BallPattern on the element named "ball" when `drawBall`.
std::vector<Planes> frames(const char *source, bool drawBall) {
    const QString description = QStringLiteral(
                                    "%1 name=ball num-buffers=%2 ! video/x-raw,format=I420,width=%3,"
                                    "height=%4,framerate=30/1 ! appsink name=sink sync=false")
                                    .arg(QLatin1StringView(source))
                                    .arg(kFrames)
                                    .arg(kWidth)
                                    .arg(kHeight);
    GErrorPtr error;
    GstPtr<GstElement> pipeline(gst_parse_launch(description.toUtf8().constData(), out(error)));
    std::vector<Planes> result;
    if (!pipeline) {
        return result;
    }
    if (drawBall) {
        GstPtr<GstElement> ball(gst_bin_get_by_name(GST_BIN(pipeline.get()), "ball"));
        BallPattern::drawOn(ball.get());
    }
    GstPtr<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    while (GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 10 * GST_SECOND)) {
        GstVideoInfo info;
        GstVideoFrame frame;
        if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) &&
            gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
            Planes planes;
            for (int plane = 0; plane < 3; ++plane) {
                const int width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, plane);
                const int height = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, plane);
                auto &out = plane == 0 ? planes.y : plane == 1 ? planes.u : planes.v;
                for (int row = 0; row < height; ++row) {
                    const auto *line =
                        static_cast<const guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, plane)) +
                        row * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane);
                    out.insert(out.end(), line, line + width);
                }
            }
            gst_video_frame_unmap(&frame);
            result.push_back(std::move(planes));
        }
        gst_sample_unref(sample);
    }
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    return result;
}

int largestDifference(const std::vector<guint8> &a, const std::vector<guint8> &b) {
    int largest = a.size() == b.size() ? 0 : 256;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        largest = std::max(largest, std::abs(int(a[i]) - int(b[i])));
    }
    return largest;
}

}  // namespace

class TestBallPattern : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void theBallIsVideotestsrcsBallFrameByFrame() {
        const auto theirs = frames("videotestsrc pattern=ball background-color=0xff305080", false);
        const auto ours = frames("videotestsrc pattern=solid-color foreground-color=0xff305080", true);
        QCOMPARE(int(theirs.size()), kFrames);
        QCOMPARE(int(ours.size()), kFrames);
        int chroma = 0;
        for (int i = 0; i < kFrames; ++i) {
            QVERIFY2(largestDifference(theirs[i].y, ours[i].y) == 0,
                     qPrintable(QStringLiteral("frame %1").arg(i)));
            chroma = std::max({chroma, largestDifference(theirs[i].u, ours[i].u),
                               largestDifference(theirs[i].v, ours[i].v)});
        }
        QVERIFY2(chroma <= 2, qPrintable(QString::number(chroma)));
        // And it moves: frames 0 and 60 differ (where the ball was and is).
        QVERIFY(largestDifference(ours[0].y, ours[60].y) > 100);
    }

    void framesOfAnotherFormatPassUntouched() {
        const QString description = QStringLiteral(
            "videotestsrc name=ball num-buffers=3 pattern=solid-color foreground-color=0xff305080 "
            "! video/x-raw,format=RGBx,width=64,height=48 ! appsink name=sink sync=false");
        GErrorPtr error;
        GstPtr<GstElement> pipeline(gst_parse_launch(description.toUtf8().constData(), out(error)));
        QVERIFY(pipeline);
        GstPtr<GstElement> ball(gst_bin_get_by_name(GST_BIN(pipeline.get()), "ball"));
        BallPattern::drawOn(ball.get());
        GstPtr<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
        gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
        int pulled = 0;
        while (GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 10 * GST_SECOND)) {
            GstMapInfo map;
            QVERIFY(gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ));
            for (gsize i = 0; i + 3 < map.size; i += 4) {
                QCOMPARE(map.data[i], guint8(0x30));  // every pixel the background's red
            }
            gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
            gst_sample_unref(sample);
            ++pulled;
        }
        gst_element_set_state(pipeline.get(), GST_STATE_NULL);
        QCOMPARE(pulled, 3);
    }
};

QTEST_GUILESS_MAIN(TestBallPattern)
#include "tst_ballpattern.moc"
