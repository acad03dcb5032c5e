// SPDX-License-Identifier: GPL-3.0-or-later
// FrameStamp: a capture time written into the picture survives a real VP8 encoder and decoder, and
// anything that is not an intact stamp is refused.
#include "media/FrameStamp.h"
#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <gst/video/video.h>

#include <QMutex>
#include <QTest>

#include <vector>

using namespace confab;

namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 480;

std::vector<guint8> grayPlane(int width, int height) {
    return std::vector<guint8>(std::size_t(width) * height, 128);
}

// Runs `frames` frames of a moving test pattern through vp8enc and vp8dec at `bitrate` bit/s. Each
// frame gets 0xC0FFEE00 + its number written before the encoder; returns what the reader found.
struct Coded {
    std::vector<quint32> values;
    int unreadable = 0;
};

GstPadProbeReturn writeNumbered(GstPad *pad, GstPadProbeInfo *info, gpointer counter) {
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstCapsPtr caps(gst_pad_get_current_caps(pad));
    GstVideoInfo videoInfo;
    GstVideoFrame frame;
    if (gst_video_info_from_caps(&videoInfo, caps.get()) &&
        gst_video_frame_map(&frame, &videoInfo, buffer, GST_MAP_WRITE)) {
        const quint32 value = 0xC0FFEE00u + quint32((*static_cast<int *>(counter))++);
        FrameStamp::write(static_cast<guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
                          GST_VIDEO_FRAME_HEIGHT(&frame), value);
        gst_video_frame_unmap(&frame);
    }
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn readNumbered(GstPad *pad, GstPadProbeInfo *info, gpointer coded) {
    auto *result = static_cast<Coded *>(coded);
    GstCapsPtr caps(gst_pad_get_current_caps(pad));
    GstVideoInfo videoInfo;
    GstVideoFrame frame;
    if (gst_video_info_from_caps(&videoInfo, caps.get()) &&
        gst_video_frame_map(&frame, &videoInfo, GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ)) {
        const std::optional<quint32> value =
            FrameStamp::read(static_cast<const guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                             GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
                             GST_VIDEO_FRAME_HEIGHT(&frame));
        gst_video_frame_unmap(&frame);
        if (value) {
            result->values.push_back(*value);
        } else {
            ++result->unreadable;
        }
    }
    return GST_PAD_PROBE_OK;
}

GstElement *runPipeline(const char *description) {
    GErrorPtr error;
    GstElement *pipeline = gst_parse_launch(description, out(error));
    if (!pipeline) {
        qWarning() << error->message;
        return nullptr;
    }
    return GST_ELEMENT(gst_object_ref_sink(pipeline));  // parse_launch hands out a floating reference
}

bool playToEnd(GstElement *pipeline) {
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstPtr<GstBus> bus(gst_element_get_bus(pipeline));
    GstMessage *message = gst_bus_timed_pop_filtered(bus.get(), 30 * GST_SECOND,
                                                     GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    const bool ok = message && GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS;
    if (message) {
        gst_message_unref(message);
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    return ok;
}

}  // namespace

class TestFrameStamp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void readsBackWhatItWrote() {
        for (const quint32 value : {0u, 1u, 0xffffffffu, 0x12345678u, quint32(qint64(FrameStamp::nowMs()))}) {
            std::vector<guint8> plane = grayPlane(kWidth, kHeight);
            QVERIFY(FrameStamp::write(plane.data(), kWidth, kWidth, kHeight, value));
            const std::optional<quint32> read = FrameStamp::read(plane.data(), kWidth, kWidth, kHeight);
            QVERIFY(read.has_value());
            QCOMPARE(*read, value);
        }
    }

    void wrapsOntoMoreRowsInNarrowFrames() {
        std::vector<guint8> plane = grayPlane(320, 240);
        QVERIFY(FrameStamp::write(plane.data(), 320, 320, 240, 0xabcdef01u));
        QCOMPARE(FrameStamp::read(plane.data(), 320, 320, 240).value_or(0), 0xabcdef01u);
        // 40 blocks cannot fit in 32x16 pixels.
        std::vector<guint8> tiny = grayPlane(32, 16);
        QVERIFY(!FrameStamp::write(tiny.data(), 32, 32, 16, 1));
        QVERIFY(!FrameStamp::read(tiny.data(), 32, 32, 16).has_value());
    }

    void refusesAFrameWithoutAStamp() {
        std::vector<guint8> plane = grayPlane(kWidth, kHeight);
        QVERIFY(!FrameStamp::read(plane.data(), kWidth, kWidth, kHeight).has_value());
        // Camera off sends black: 40 zero bits must not pass for a stamp of 0.
        std::vector<guint8> black(std::size_t(kWidth) * kHeight, 16);
        QVERIFY(!FrameStamp::read(black.data(), kWidth, kWidth, kHeight).has_value());
        std::vector<guint8> white(std::size_t(kWidth) * kHeight, 235);
        QVERIFY(!FrameStamp::read(white.data(), kWidth, kWidth, kHeight).has_value());
    }

    void refusesCorruptedBlocks() {
        const quint32 value = 0x5a5a1234u;
        for (int bit = 0; bit < FrameStamp::kBits; ++bit) {
            std::vector<guint8> plane = grayPlane(kWidth, kHeight);
            QVERIFY(FrameStamp::write(plane.data(), kWidth, kWidth, kHeight, value));
            // Flip one block: the CRC catches every single-bit error.
            guint8 *block = plane.data() + bit * FrameStamp::kBlock;
            const guint8 flipped = block[0] == 16 ? 235 : 16;
            for (int row = 0; row < FrameStamp::kBlock; ++row) {
                std::memset(block + row * kWidth, flipped, FrameStamp::kBlock);
            }
            QVERIFY2(!FrameStamp::read(plane.data(), kWidth, kWidth, kHeight).has_value(), qPrintable(QString::number(bit)));
        }
        // A smeared block, neither black nor white, is not read as either.
        std::vector<guint8> plane = grayPlane(kWidth, kHeight);
        QVERIFY(FrameStamp::write(plane.data(), kWidth, kWidth, kHeight, value));
        for (int row = 0; row < FrameStamp::kBlock; ++row) {
            std::memset(plane.data() + row * kWidth + 5 * FrameStamp::kBlock, 128, FrameStamp::kBlock);
        }
        QVERIFY(!FrameStamp::read(plane.data(), kWidth, kWidth, kHeight).has_value());
    }

    void survivesVp8EncodingAndDecoding_data() {
        QTest::addColumn<int>("bitrate");
        QTest::newRow("1200 kb/s (a call's start)") << 1200000;
        QTest::newRow("150 kb/s (the floor of our rate control)") << 150000;
    }

    void survivesVp8EncodingAndDecoding() {
        QFETCH(int, bitrate);
        // The call's encoder settings, a moving picture with detail, and our stamp on top.
        const QByteArray description =
            QStringLiteral(
                "videotestsrc num-buffers=60 pattern=ball background-color=0xff305080 "
                "! video/x-raw,format=I420,width=%1,height=%2,framerate=30/1 ! identity name=stamp "
                "! vp8enc deadline=1 end-usage=cbr lag-in-frames=0 cpu-used=8 error-resilient=default "
                "target-bitrate=%3 ! vp8dec ! identity name=read ! fakesink")
                .arg(kWidth)
                .arg(kHeight)
                .arg(bitrate)
                .toUtf8();
        GstPtr<GstElement> pipeline(runPipeline(description.constData()));
        QVERIFY(pipeline);
        int counter = 0;
        Coded coded;
        GstPtr<GstElement> stamp(gst_bin_get_by_name(GST_BIN(pipeline.get()), "stamp"));
        GstPtr<GstElement> read(gst_bin_get_by_name(GST_BIN(pipeline.get()), "read"));
        GstPtr<GstPad> stampPad(gst_element_get_static_pad(stamp.get(), "src"));
        GstPtr<GstPad> readPad(gst_element_get_static_pad(read.get(), "src"));
        gst_pad_add_probe(stampPad.get(), GST_PAD_PROBE_TYPE_BUFFER, writeNumbered, &counter, nullptr);
        gst_pad_add_probe(readPad.get(), GST_PAD_PROBE_TYPE_BUFFER, readNumbered, &coded, nullptr);
        QVERIFY(playToEnd(pipeline.get()));
        QCOMPARE(counter, 60);
        QCOMPARE(coded.unreadable, 0);
        QCOMPARE(int(coded.values.size()), 60);
        for (int i = 0; i < 60; ++i) {
            QCOMPARE(coded.values[std::size_t(i)], 0xC0FFEE00u + quint32(i));
        }
    }

    void theProbesMeasureTheTimeBetweenThem() {
        // With an encoder and decoder between the probes, every frame's figure is positive and
        // well under a second.
        GstPtr<GstElement> pipeline(runPipeline(
            "videotestsrc num-buffers=30 is-live=true ! video/x-raw,format=I420,width=640,height=480,framerate=30/1 "
            "! identity name=stamp ! vp8enc deadline=1 cpu-used=8 ! vp8dec ! identity name=read ! fakesink"));
        QVERIFY(pipeline);
        GstPtr<GstElement> stamp(gst_bin_get_by_name(GST_BIN(pipeline.get()), "stamp"));
        GstPtr<GstElement> read(gst_bin_get_by_name(GST_BIN(pipeline.get()), "read"));
        GstPtr<GstPad> stampPad(gst_element_get_static_pad(stamp.get(), "src"));
        GstPtr<GstPad> readPad(gst_element_get_static_pad(read.get(), "src"));
        FrameStamp::addWriter(stampPad.get());
        QMutex mutex;
        std::vector<double> latencies;
        int unreadable = 0;
        FrameStamp::addReader(readPad.get(), [&](double ms) {
            const QMutexLocker lock(&mutex);
            if (ms < 0) {
                ++unreadable;
            } else {
                latencies.push_back(ms);
            }
        });
        QVERIFY(playToEnd(pipeline.get()));
        QCOMPARE(unreadable, 0);
        QCOMPARE(int(latencies.size()), 30);
        for (const double ms : latencies) {
            QVERIFY2(ms > -1 && ms < 1000, qPrintable(QString::number(ms)));
        }
    }
};

QTEST_GUILESS_MAIN(TestFrameStamp)
#include "tst_framestamp.moc"
