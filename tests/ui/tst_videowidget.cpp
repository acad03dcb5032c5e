// SPDX-License-Identifier: GPL-3.0-or-later
// VideoWidget: frames from a real pipeline reach the widget on the GUI thread, are painted with their
// aspect ratio kept, and give way to a placeholder when they stop or the camera is covered. Also
// measures what the render path costs per frame (logged; figures in docs/performance.md).
#include "VideoWidget.h"

#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <gst/video/video.h>

#include <QElapsedTimer>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 10000;

// A live solid-colour source at `size` feeding `widget`.
GstPtr<GstElement> solidPipeline(VideoWidget &widget, quint32 argb, QSize size) {
    GErrorPtr error;
    const QString description =
        QStringLiteral(
            "videotestsrc is-live=true pattern=solid-color foreground-color=%1 "
            "! capsfilter caps=video/x-raw,format=I420,width=%2,height=%3,framerate=30/1")
            .arg(argb)
            .arg(size.width())
            .arg(size.height());
    GstElement *pipeline = gst_pipeline_new(nullptr);
    GstElement *source = gst_parse_bin_from_description(description.toUtf8().constData(), TRUE, out(error));
    if (!source) {
        qFatal("test source: %s", error->message);
    }
    GstElement *sink = widget.sinkElement();
    gst_bin_add_many(GST_BIN(pipeline), source, sink, nullptr);
    gst_element_link(source, sink);
    gst_object_ref_sink(pipeline);
    return GstPtr<GstElement>(pipeline);
}

struct Stopper {
    GstElement *pipeline;
    ~Stopper() { gst_element_set_state(pipeline, GST_STATE_NULL); }
};

bool near(QRgb pixel, int r, int g, int b, int tolerance = 24) {
    return std::abs(qRed(pixel) - r) <= tolerance && std::abs(qGreen(pixel) - g) <= tolerance &&
           std::abs(qBlue(pixel) - b) <= tolerance;
}

}  // namespace

class TestVideoWidget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void showsFramesOfAPipelineInTheirColours() {
        VideoWidget widget;
        widget.resize(320, 240);
        widget.show();
        QVERIFY(widget.showsPlaceholder());
        QVERIFY(widget.lastFrame().isNull());

        QSignalSpy first(&widget, &VideoWidget::firstFrame);
        GstPtr<GstElement> red = solidPipeline(widget, 0xffff0000, QSize(160, 120));
        Stopper redStopper{red.get()};
        QVERIFY(gst_element_set_state(red.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
        QVERIFY(first.wait(kTimeoutMs));
        QCOMPARE(widget.lastFrame().size(), QSize(160, 120));
        QCOMPARE(widget.lastFrame().format(), QImage::Format_RGB32);
        const QRgb pixel = widget.lastFrame().pixel(80, 60);
        QVERIFY2(near(pixel, 255, 0, 0), qPrintable(QString::number(pixel, 16)));
        QTRY_VERIFY_WITH_TIMEOUT(widget.paintedFrames() >= 3, kTimeoutMs);
        QVERIFY(!widget.showsPlaceholder());

        // What is on screen is the frame, scaled: the centre of the widget is red.
        const QImage shown = widget.grab().toImage();
        QVERIFY(near(shown.pixel(160, 120), 255, 0, 0));
        gst_element_set_state(red.get(), GST_STATE_NULL);

        // A second stream into the same widget replaces the picture.
        GstPtr<GstElement> blue = solidPipeline(widget, 0xff0000ff, QSize(160, 120));
        Stopper blueStopper{blue.get()};
        gst_element_set_state(blue.get(), GST_STATE_PLAYING);
        QTRY_VERIFY_WITH_TIMEOUT(near(widget.lastFrame().pixel(80, 60), 0, 0, 255), kTimeoutMs);
    }

    void keepsTheAspectRatioWithBlackBars() {
        VideoWidget widget;
        widget.resize(400, 100);  // much wider than 4:3
        widget.show();
        GstPtr<GstElement> green = solidPipeline(widget, 0xff00ff00, QSize(160, 120));
        Stopper stopper{green.get()};
        gst_element_set_state(green.get(), GST_STATE_PLAYING);
        QTRY_VERIFY_WITH_TIMEOUT(widget.paintedFrames() >= 1, kTimeoutMs);
        const QImage shown = widget.grab().toImage();
        // 160x120 scaled into 400x100 is 133x100, centred: green in the middle, black at the sides.
        QVERIFY(near(shown.pixel(200, 50), 0, 255, 0, 40));
        QVERIFY(near(shown.pixel(10, 50), 0, 0, 0, 8));
        QVERIFY(near(shown.pixel(390, 50), 0, 0, 0, 8));
    }

    void showsThePlaceholderWhenFramesStopOrTheCameraIsCovered() {
        VideoWidget widget;
        widget.resize(320, 240);
        widget.show();
        GstPtr<GstElement> red = solidPipeline(widget, 0xffff0000, QSize(160, 120));
        Stopper stopper{red.get()};
        gst_element_set_state(red.get(), GST_STATE_PLAYING);
        QTRY_VERIFY_WITH_TIMEOUT(!widget.showsPlaceholder(), kTimeoutMs);

        widget.setCovered(true, QStringLiteral("Camera off"));
        QVERIFY(widget.showsPlaceholder());
        QImage shown = widget.grab().toImage();
        QVERIFY(!near(shown.pixel(160, 120), 255, 0, 0, 60));  // no red: the picture is covered
        widget.setCovered(false);
        QTRY_VERIFY_WITH_TIMEOUT(near(widget.grab().toImage().pixel(160, 120), 255, 0, 0), kTimeoutMs);

        gst_element_set_state(red.get(), GST_STATE_NULL);  // the stream stops
        QTRY_VERIFY_WITH_TIMEOUT(widget.showsPlaceholder(), kTimeoutMs);
        shown = widget.grab().toImage();
        QVERIFY(!near(shown.pixel(160, 120), 255, 0, 0, 60));

        widget.clear();
        QVERIFY(widget.lastFrame().isNull());
        QVERIFY(widget.showsPlaceholder());
    }

    // A call's pipeline is destroyed from the event loop a moment after the call ends: frames it
    // still delivers must not bring the ended call's picture back; a new element's frames show.
    void framesFromBeforeClearStayCleared() {
        VideoWidget widget;
        widget.resize(320, 240);
        widget.show();
        GstPtr<GstElement> ended = solidPipeline(widget, 0xffff0000, QSize(160, 120));
        Stopper stopEnded{ended.get()};
        gst_element_set_state(ended.get(), GST_STATE_PLAYING);
        QTRY_VERIFY_WITH_TIMEOUT(!widget.showsPlaceholder(), kTimeoutMs);

        widget.clear();  // the call ended; its pipeline still runs
        const quint64 received = widget.frameSink()->framesReceived();
        QTRY_VERIFY_WITH_TIMEOUT(widget.frameSink()->framesReceived() >= received + 5, kTimeoutMs);
        QTest::qWait(100);  // deliver the wake-ups those frames posted
        QVERIFY(widget.lastFrame().isNull());
        QVERIFY(widget.showsPlaceholder());

        GstPtr<GstElement> next = solidPipeline(widget, 0xff00ff00, QSize(160, 120));  // the next call
        Stopper stopNext{next.get()};
        gst_element_set_state(next.get(), GST_STATE_PLAYING);
        QTRY_VERIFY_WITH_TIMEOUT(!widget.showsPlaceholder(), kTimeoutMs);
        QVERIFY(near(widget.lastFrame().pixel(4, 4), 0, 255, 0, 40));
    }

    // The other side's camera-off arrives as black frames: shown as a placeholder only where asked.
    void readsLastingBlackAsCameraOffWhereAsked() {
        VideoWidget remote;
        remote.setBlackMeansCameraOff(true, QStringLiteral("Their camera is off"));
        VideoWidget plain;
        for (VideoWidget *widget : {&remote, &plain}) {
            widget->resize(320, 240);
            widget->show();
        }
        GstPtr<GstElement> black = solidPipeline(remote, 0xff000000, QSize(160, 120));
        GstPtr<GstElement> blackToo = solidPipeline(plain, 0xff000000, QSize(160, 120));
        Stopper stopper{black.get()};
        Stopper stopperToo{blackToo.get()};
        gst_element_set_state(black.get(), GST_STATE_PLAYING);
        gst_element_set_state(blackToo.get(), GST_STATE_PLAYING);
        QTRY_VERIFY_WITH_TIMEOUT(remote.paintedFrames() > 0 && plain.paintedFrames() > 0, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(remote.showsPlaceholder(), kTimeoutMs);
        QVERIFY(!plain.showsPlaceholder());
        // The placeholder is painted: not all black any more.
        QVERIFY(!near(remote.grab().toImage().pixel(4, 4), 0, 0, 0, 8));
    }

    // Logs what each step of the render path costs per frame on this machine (figures in
    // docs/performance.md, "Desktop render path"), for the path taken and the alternatives, and
    // checks the conversions produce the picture they should.
    void measuresTheRenderPath() {
        constexpr int kFrames = 40;
        // I420 of `from` → BGRx of `to` with GStreamer's converter (what videoconvert/videoscale run).
        // `method`: GStreamer's resampler when the size changes (videoconvertscale's default is
        // bilinear; nearest is what the sink asks for, see VideoFrameSink).
        auto convertMs = [&](QSize from, QSize to, QImage *result,
                             GstVideoResamplerMethod method = GST_VIDEO_RESAMPLER_METHOD_LINEAR) {
            GstVideoInfo in;
            GstVideoInfo outInfo;
            gst_video_info_set_format(&in, GST_VIDEO_FORMAT_I420, guint(from.width()), guint(from.height()));
            gst_video_info_set_format(&outInfo, GST_VIDEO_FORMAT_BGRx, guint(to.width()), guint(to.height()));
            GstStructure *config = gst_structure_new("config", GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD,
                                                     GST_TYPE_VIDEO_RESAMPLER_METHOD, method, nullptr);
            GstVideoConverter *converter = gst_video_converter_new(&in, &outInfo, config);
            GstBuffer *inBuffer = gst_buffer_new_allocate(nullptr, in.size, nullptr);
            GstBuffer *outBuffer = gst_buffer_new_allocate(nullptr, outInfo.size, nullptr);
            GstVideoFrame inFrame;
            GstVideoFrame outFrame;
            gst_video_frame_map(&inFrame, &in, inBuffer, GST_MAP_WRITE);
            // Mid grey: Y=128, U=V=128.
            for (guint plane = 0; plane < 3; ++plane) {
                memset(GST_VIDEO_FRAME_PLANE_DATA(&inFrame, plane), 128,
                       gsize(GST_VIDEO_FRAME_PLANE_STRIDE(&inFrame, plane)) *
                           GST_VIDEO_FRAME_COMP_HEIGHT(&inFrame, plane));
            }
            gst_video_frame_map(&outFrame, &outInfo, outBuffer, GST_MAP_WRITE);
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < kFrames; ++i) {
                gst_video_converter_frame(converter, &inFrame, &outFrame);
            }
            const double ms = timer.nsecsElapsed() / 1e6 / kFrames;
            *result = QImage(static_cast<const uchar *>(GST_VIDEO_FRAME_PLANE_DATA(&outFrame, 0)), to.width(),
                             to.height(), GST_VIDEO_FRAME_PLANE_STRIDE(&outFrame, 0), QImage::Format_RGB32)
                          .copy();
            gst_video_frame_unmap(&inFrame);
            gst_video_frame_unmap(&outFrame);
            gst_buffer_unref(inBuffer);
            gst_buffer_unref(outBuffer);
            gst_video_converter_free(converter);
            return ms;
        };
        // Painting `frame` into a raster surface of `to` (what the backing store is on xcb and offscreen).
        auto paintMs = [&](const QImage &frame, QSize to, bool smooth) {
            QImage screen(to, QImage::Format_RGB32);
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < kFrames; ++i) {
                QPainter painter(&screen);
                painter.setRenderHint(QPainter::SmoothPixmapTransform, smooth);
                painter.drawImage(QRect(QPoint(0, 0), to), frame);
            }
            return timer.nsecsElapsed() / 1e6 / kFrames;
        };

        const QSize vga(640, 480);
        const QSize hd(1280, 720);
        const QSize big(1280, 960);  // a 640x480 call enlarged in a large window
        const QSize pip(320, 180);   // a 720p self-view in its corner
        QImage frame;
        QImage scaled;
        const double convertVga = convertMs(vga, vga, &frame);
        QVERIFY(std::abs(qGray(frame.pixel(320, 240)) - 128) < 12);  // grey stays grey
        const double paintVgaUnscaled = paintMs(frame, vga, false);
        const double paintVgaUpFast = paintMs(frame, big, false);
        const double paintVgaUpSmooth = paintMs(frame, big, true);
        const double convertVgaUp = convertMs(vga, big, &scaled);
        const double convertVgaUpNearest = convertMs(vga, big, &scaled, GST_VIDEO_RESAMPLER_METHOD_NEAREST);
        QCOMPARE(scaled.size(), big);
        const double paintBigUnscaled = paintMs(scaled, big, false);

        QImage hdFrame;
        QImage pipFrame;
        const double convertHd = convertMs(hd, hd, &hdFrame);
        const double paintHdDownFast = paintMs(hdFrame, pip, false);
        const double paintHdDownSmooth = paintMs(hdFrame, pip, true);
        const double convertHdDown = convertMs(hd, pip, &pipFrame);
        const double convertHdDownNearest = convertMs(hd, pip, &pipFrame, GST_VIDEO_RESAMPLER_METHOD_NEAREST);
        QCOMPARE(pipFrame.size(), pip);
        QVERIFY(std::abs(qGray(pipFrame.pixel(160, 90)) - 128) < 12);
        const double paintPip = paintMs(pipFrame, pip, false);
        // What a path that copies each frame on the GUI thread (QImage::copy, convertToFormat) adds.
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kFrames; ++i) {
            const QImage copy = frame.copy();
            Q_UNUSED(copy);
        }
        const double copyVga = timer.nsecsElapsed() / 1e6 / kFrames;

        qInfo("render path, ms per frame (I420 in, BGRx/RGB32 out; GStreamer converter, Qt raster painter):");
        qInfo("  640x480:  convert %.2f | paint 1:1 %.2f | paint up to 1280x960 fast %.2f, smooth %.2f",
              convertVga, paintVgaUnscaled, paintVgaUpFast, paintVgaUpSmooth);
        qInfo(
            "  640x480 convert+scale up to 1280x960 in GStreamer bilinear %.2f, nearest %.2f, then paint 1:1 "
            "%.2f",
            convertVgaUp, convertVgaUpNearest, paintBigUnscaled);
        qInfo("  1280x720: convert %.2f | paint down to 320x180 fast %.2f, smooth %.2f", convertHd,
              paintHdDownFast, paintHdDownSmooth);
        qInfo(
            "  1280x720 convert+scale down to 320x180 in GStreamer bilinear %.2f, nearest %.2f, then paint "
            "1:1 %.2f",
            convertHdDown, convertHdDownNearest, paintPip);
        qInfo("  an extra copy of a 640x480 frame on the GUI thread: %.2f", copyVga);
    }

    // The sink converts no more pixels than the widget shows: a frame larger than the widget is
    // scaled down in GStreamer (aspect kept), a smaller one is left for the paint to enlarge.
    void scalesDownInGStreamerButNeverUp() {
        VideoWidget widget;
        widget.resize(160, 160);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        GstPtr<GstElement> big = solidPipeline(widget, 0xffff0000, QSize(640, 480));
        Stopper stopper{big.get()};
        gst_element_set_state(big.get(), GST_STATE_PLAYING);
        QTRY_COMPARE_WITH_TIMEOUT(widget.lastFrame().size(), QSize(160, 120), kTimeoutMs);

        // The widget grows: frames grow with it, up to their own size and no further.
        widget.resize(1000, 1000);
        QTRY_COMPARE_WITH_TIMEOUT(widget.lastFrame().size(), QSize(640, 480), kTimeoutMs);
        widget.resize(320, 320);
        QTRY_COMPARE_WITH_TIMEOUT(widget.lastFrame().size(), QSize(320, 240), kTimeoutMs);
        QVERIFY(near(widget.grab().toImage().pixel(160, 160), 255, 0, 0));
    }
};

QTEST_MAIN(TestVideoWidget)
#include "tst_videowidget.moc"
