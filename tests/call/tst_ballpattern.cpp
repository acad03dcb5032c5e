// SPDX-License-Identifier: GPL-3.0-or-later
// BallPattern: the test pattern's ball is what it must be, whatever GStreamer draws: a white disc of
// radius 20 with a soft edge, centred on its Lissajous path (x and y swing between the edges with
// periods of 200 and 200/√2 frames), over a background left as it was; and a source's frames get
// it in order, one step a frame. The frames are made and read here, so no other library's pixels
// are the reference.
#include "media/BallPattern.h"
#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <gst/app/gstappsink.h>

#include <QTest>

#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

using confab::BallPattern;
using confab::GErrorPtr;
using confab::GstPtr;
using confab::out;

namespace {

struct BufferUnref {
    void operator()(GstBuffer *buffer) const { gst_buffer_unref(buffer); }
};
struct SampleUnref {
    void operator()(GstSample *sample) const { gst_sample_unref(sample); }
};

constexpr int kRadius = 20;
// White in limited-range YCbCr (BT.601 and BT.709 alike).
constexpr int kWhiteY = 235;
constexpr int kWhiteC = 128;
// The soft edge is two pixels wide: fully white up to here, untouched from kRadius on.
constexpr double kSolidRadius = kRadius - 2;

struct Colour {
    int y, u, v;
};

struct Point {
    double x, y;
};

// Where the ball's centre must be in frame `number` of a `width` × `height` picture.
Point pathAt(guint64 number, int width, int height) {
    const double phase = 2 * M_PI * double(number) / 200;
    return {kRadius + (0.5 + 0.5 * std::sin(phase)) * (width - 2 * kRadius),
            kRadius + (0.5 + 0.5 * std::sin(phase * std::sqrt(2.0))) * (height - 2 * kRadius)};
}

// An I420 frame of one colour, made here.
class FlatFrame {
public:
    FlatFrame(int width, int height, Colour colour) {
        gst_video_info_set_format(&info_, GST_VIDEO_FORMAT_I420, guint(width), guint(height));
        buffer_.reset(gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info_), nullptr));
        mapped_ = gst_video_frame_map(&frame_, &info_, buffer_.get(), GST_MAP_READWRITE);
        if (mapped_) {
            for (int plane = 0; plane < 3; ++plane) {
                const int value = plane == 0 ? colour.y : plane == 1 ? colour.u : colour.v;
                for (int row = 0; row < GST_VIDEO_FRAME_COMP_HEIGHT(&frame_, plane); ++row) {
                    std::memset(line(plane, row), value,
                                std::size_t(GST_VIDEO_FRAME_COMP_WIDTH(&frame_, plane)));
                }
            }
        }
    }
    ~FlatFrame() {
        if (mapped_) {
            gst_video_frame_unmap(&frame_);
        }
    }
    FlatFrame(const FlatFrame &) = delete;
    FlatFrame &operator=(const FlatFrame &) = delete;

    bool isMapped() const { return mapped_; }
    GstVideoFrame *frame() { return &frame_; }
    guint8 *line(int plane, int row) {
        return static_cast<guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, plane)) +
               std::ptrdiff_t(row) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, plane);
    }
    int at(int plane, int column, int row) { return line(plane, row)[column]; }

private:
    GstVideoInfo info_;
    std::unique_ptr<GstBuffer, BufferUnref> buffer_;
    GstVideoFrame frame_;
    bool mapped_ = false;
};

double distance(Point a, double x, double y) {
    return std::hypot(x - a.x, y - a.y);
}

// Luma `y` at `d` pixels from the ball's centre: white in the solid part, the background outside
// the ball, between the two on the soft edge.
bool lumaFits(int y, double d, int background) {
    if (d <= kSolidRadius) {
        return y == kWhiteY;
    }
    if (d >= kRadius) {
        return y == background;
    }
    return y >= std::min(background, kWhiteY) && y <= std::max(background, kWhiteY);
}

// Checks `frame` against the ball it must show at `centre` over `background`; the first mismatch,
// or nothing.
std::optional<QString> mismatch(FlatFrame &frame, Point centre, Colour background) {
    const int width = GST_VIDEO_FRAME_WIDTH(frame.frame());
    const int height = GST_VIDEO_FRAME_HEIGHT(frame.frame());
    double weight = 0;
    double sumX = 0;
    double sumY = 0;
    for (int row = 0; row < height; ++row) {
        for (int column = 0; column < width; ++column) {
            const double d = distance(centre, column, row);
            const int y = frame.at(0, column, row);
            if (!lumaFits(y, d, background.y)) {
                return QStringLiteral("luma %1 at (%2, %3), %4 px from the centre (%5, %6)")
                    .arg(y)
                    .arg(column)
                    .arg(row)
                    .arg(d)
                    .arg(centre.x)
                    .arg(centre.y);
            }
            const double w = double(y - background.y) / (kWhiteY - background.y);
            weight += w;
            sumX += w * column;
            sumY += w * row;
        }
    }
    // A disc: its area lies between the solid part's and the whole ball's; its centre of mass is
    // where the path says.
    if (weight < M_PI * kSolidRadius * kSolidRadius || weight > M_PI * kRadius * kRadius) {
        return QStringLiteral("ball area %1 pixels").arg(weight);
    }
    if (std::abs(sumX / weight - centre.x) > 0.25 || std::abs(sumY / weight - centre.y) > 0.25) {
        return QStringLiteral("ball centred at (%1, %2), not (%3, %4)")
            .arg(sumX / weight)
            .arg(sumY / weight)
            .arg(centre.x)
            .arg(centre.y);
    }
    // Chroma, 2 × 2 pixels a sample: white where the four are inside the solid part, untouched
    // where all four are outside the ball.
    for (int plane = 1; plane <= 2; ++plane) {
        const int untouched = plane == 1 ? background.u : background.v;
        for (int row = 0; row < height / 2; ++row) {
            for (int column = 0; column < width / 2; ++column) {
                double nearest = 1e9;
                double farthest = 0;
                for (int dy = 0; dy < 2; ++dy) {
                    for (int dx = 0; dx < 2; ++dx) {
                        const double d = distance(centre, 2 * column + dx, 2 * row + dy);
                        nearest = std::min(nearest, d);
                        farthest = std::max(farthest, d);
                    }
                }
                const int c = frame.at(plane, column, row);
                if ((farthest <= kSolidRadius && c != kWhiteC) || (nearest >= kRadius && c != untouched)) {
                    return QStringLiteral("chroma %1 of plane %2 at (%3, %4)")
                        .arg(c)
                        .arg(plane)
                        .arg(column)
                        .arg(row);
                }
            }
        }
    }
    return std::nullopt;
}

}  // namespace

class TestBallPattern : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void theBallIsAWhiteDiscOnItsPath_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("backgroundY");
        QTest::addColumn<int>("backgroundU");
        QTest::addColumn<int>("backgroundV");
        QTest::newRow("320x240 blue-grey") << 320 << 240 << 80 << 150 << 110;
        QTest::newRow("1280x720 black") << 1280 << 720 << 16 << 128 << 128;
        QTest::newRow("160x120 bright red") << 160 << 120 << 82 << 90 << 240;
    }

    void theBallIsAWhiteDiscOnItsPath() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, backgroundY);
        QFETCH(int, backgroundU);
        QFETCH(int, backgroundV);
        const Colour background{backgroundY, backgroundU, backgroundV};
        // The middle, the right edge, the bottom, the left edge, and later turns of the path.
        for (const guint64 number : {0, 1, 17, 50, 100, 107, 150, 199, 200, 283, 1000, 12345}) {
            FlatFrame frame(width, height, background);
            QVERIFY(frame.isMapped());
            BallPattern::draw(frame.frame(), number);
            const std::optional<QString> wrong = mismatch(frame, pathAt(number, width, height), background);
            QVERIFY2(!wrong,
                     qPrintable(QStringLiteral("frame %1: %2").arg(number).arg(wrong.value_or(QString()))));
        }
    }

    void theBallReachesEveryEdgeAndStaysInside() {
        // Over two turns of the path the solid part of the ball comes within a few pixels of each
        // edge, its soft edge touching it: the path spans the picture.
        constexpr int kWidth = 160;
        constexpr int kHeight = 120;
        int left = kWidth;
        int right = 0;
        int top = kHeight;
        int bottom = 0;
        for (guint64 number = 0; number < 400; ++number) {
            FlatFrame frame(kWidth, kHeight, {16, 128, 128});
            QVERIFY(frame.isMapped());
            BallPattern::draw(frame.frame(), number);
            for (int row = 0; row < kHeight; ++row) {
                for (int column = 0; column < kWidth; ++column) {
                    if (frame.at(0, column, row) == kWhiteY) {
                        left = std::min(left, column);
                        right = std::max(right, column);
                        top = std::min(top, row);
                        bottom = std::max(bottom, row);
                    }
                }
            }
        }
        QVERIFY2(left <= 3 && right >= kWidth - 4 && top <= 3 && bottom >= kHeight - 4,
                 qPrintable(QStringLiteral("solid part spans (%1, %2) to (%3, %4)")
                                .arg(left)
                                .arg(top)
                                .arg(right)
                                .arg(bottom)));
    }

    void aSourcesFramesGetTheBallInOrder() {
        constexpr int kWidth = 320;
        constexpr int kHeight = 240;
        constexpr int kFrames = 60;
        const QString description = QStringLiteral(
                                        "videotestsrc name=ball num-buffers=%1 pattern=solid-color "
                                        "foreground-color=0xff305080 ! video/x-raw,format=I420,width=%2,"
                                        "height=%3,framerate=30/1 ! appsink name=sink sync=false")
                                        .arg(kFrames)
                                        .arg(kWidth)
                                        .arg(kHeight);
        GErrorPtr error;
        GstPtr<GstElement> pipeline(gst_parse_launch(description.toUtf8().constData(), out(error)));
        QVERIFY(pipeline);
        GstPtr<GstElement> ball(gst_bin_get_by_name(GST_BIN(pipeline.get()), "ball"));
        BallPattern::drawOn(ball.get());
        GstPtr<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
        gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
        int number = 0;
        while (GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 10 * GST_SECOND)) {
            std::unique_ptr<GstSample, SampleUnref> owner(sample);
            GstVideoInfo info;
            QVERIFY(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)));
            // A copy we can read with the same checks; the background is what the source made,
            // read from the frame's corner.
            FlatFrame frame(kWidth, kHeight, {0, 0, 0});
            QVERIFY(frame.isMapped());
            GstVideoFrame source;
            QVERIFY(gst_video_frame_map(&source, &info, gst_sample_get_buffer(sample), GST_MAP_READ));
            const bool copied = gst_video_frame_copy(frame.frame(), &source);
            gst_video_frame_unmap(&source);
            QVERIFY(copied);
            const Colour background{frame.at(0, 0, 0), frame.at(1, 0, 0), frame.at(2, 0, 0)};
            const std::optional<QString> wrong =
                mismatch(frame, pathAt(guint64(number), kWidth, kHeight), background);
            QVERIFY2(!wrong,
                     qPrintable(QStringLiteral("frame %1: %2").arg(number).arg(wrong.value_or(QString()))));
            ++number;
        }
        gst_element_set_state(pipeline.get(), GST_STATE_NULL);
        QCOMPARE(number, kFrames);
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
            // Still one flat colour: every pixel as the first.
            for (gsize i = 4; i + 3 < map.size; i += 4) {
                QVERIFY(std::memcmp(map.data + i, map.data, 3) == 0);
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
