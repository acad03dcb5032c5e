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
        QStringLiteral("videotestsrc is-live=true pattern=solid-color foreground-color=%1 "
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

    // Not a pass/fail figure: logs what each step of the render path costs per frame on this
    // machine, and checks the cheap path paints the same picture as the smooth one.
    void measuresTheRenderPath() {
        const QSize source(640, 480);
        const QSize target(1280, 960);
        constexpr int kFrames = 60;

        // Step 1, streaming thread: I420 → BGRx (what videoconvert does, with the same converter).
        GstVideoInfo in;
        GstVideoInfo outInfo;
        gst_video_info_set_format(&in, GST_VIDEO_FORMAT_I420, guint(source.width()), guint(source.height()));
        gst_video_info_set_format(&outInfo, GST_VIDEO_FORMAT_BGRx, guint(source.width()), guint(source.height()));
        GstVideoConverter *converter = gst_video_converter_new(&in, &outInfo, nullptr);
        GstBuffer *inBuffer = gst_buffer_new_allocate(nullptr, in.size, nullptr);
        gst_buffer_memset(inBuffer, 0, 0x80, in.size);
        GstBuffer *outBuffer = gst_buffer_new_allocate(nullptr, outInfo.size, nullptr);
        GstVideoFrame inFrame;
        GstVideoFrame outFrame;
        QVERIFY(gst_video_frame_map(&inFrame, &in, inBuffer, GST_MAP_READ));
        QVERIFY(gst_video_frame_map(&outFrame, &outInfo, outBuffer, GST_MAP_WRITE));
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kFrames; ++i) {
            gst_video_converter_frame(converter, &inFrame, &outFrame);
        }
        const double convertMs = timer.nsecsElapsed() / 1e6 / kFrames;

        // Step 2, GUI thread: wrap the mapped BGRx as a QImage (no copy) and paint it scaled.
        const QImage frame(static_cast<const uchar *>(GST_VIDEO_FRAME_PLANE_DATA(&outFrame, 0)), source.width(),
                           source.height(), GST_VIDEO_FRAME_PLANE_STRIDE(&outFrame, 0), QImage::Format_RGB32);
        QImage screen(target, QImage::Format_RGB32);  // what the raster backing store is
        auto paintMs = [&](bool smooth, QSize size) {
            QElapsedTimer paintTimer;
            paintTimer.start();
            for (int i = 0; i < kFrames; ++i) {
                QPainter painter(&screen);
                painter.setRenderHint(QPainter::SmoothPixmapTransform, smooth);
                painter.drawImage(QRect(QPoint(0, 0), size), frame);
            }
            return paintTimer.nsecsElapsed() / 1e6 / kFrames;
        };
        const double unscaledMs = paintMs(false, source);
        const double fastMs = paintMs(false, target);
        const QImage fastPicture = screen.copy();
        const double smoothMs = paintMs(true, target);
        const QImage smoothPicture = screen.copy();
        // And the alternative: a full copy-convert of the frame on the GUI thread, as code that does
        // QImage::copy() or convertToFormat() per frame would pay.
        timer.restart();
        for (int i = 0; i < kFrames; ++i) {
            QImage copy = frame.convertToFormat(QImage::Format_ARGB32_Premultiplied);
            Q_UNUSED(copy);
        }
        const double copyMs = timer.nsecsElapsed() / 1e6 / kFrames;

        gst_video_frame_unmap(&inFrame);
        gst_video_frame_unmap(&outFrame);
        gst_buffer_unref(inBuffer);
        gst_buffer_unref(outBuffer);
        gst_video_converter_free(converter);

        qInfo("render path per %dx%d frame: I420->BGRx convert %.2f ms (streaming thread); "
              "paint unscaled %.2f ms, paint scaled to %dx%d fast %.2f ms / smooth %.2f ms (GUI thread); "
              "an extra copy-convert would add %.2f ms",
              source.width(), source.height(), convertMs, unscaledMs, target.width(), target.height(), fastMs,
              smoothMs, copyMs);
        // Both paints show the same flat grey picture.
        QCOMPARE(fastPicture.pixel(640, 480), smoothPicture.pixel(640, 480));
    }
};

QTEST_MAIN(TestVideoWidget)
#include "tst_videowidget.moc"
