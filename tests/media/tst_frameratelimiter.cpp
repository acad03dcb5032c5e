// SPDX-License-Identifier: GPL-3.0-or-later
// FrameRateLimiter: at the source's rate every frame passes untouched; below it the kept frames are
// as many as the rate allows, evenly spread, restamped onto a regular grid that never runs ahead
// of the frames; a change of rate takes effect at the next frame, and a stalled source restarts
// the grid. Through a pad, dropped frames never reach the next element and the caps are left alone.
#include "media/FrameRateLimiter.h"

#include <QTest>

#include <memory>
#include <vector>

using confab::FrameRateLimiter;

namespace {

// The pts of frame `i` of a 30 fps source.
GstClockTime at30(int i) {
    return gst_util_uint64_scale_int(GST_SECOND, i, 30);
}

// Feeds `frames` frames of a 30 fps source from frame `first`; returns the kept decisions.
std::vector<FrameRateLimiter::Decision> feed(FrameRateLimiter &limiter, int first, int frames) {
    std::vector<FrameRateLimiter::Decision> kept;
    for (int i = first; i < first + frames; ++i) {
        const FrameRateLimiter::Decision d = limiter.admit(at30(i));
        if (d.keep) {
            kept.push_back(d);
        }
    }
    return kept;
}

}  // namespace

class TestFrameRateLimiter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void atTheSourceRateEveryFramePassesUntouched() {
        FrameRateLimiter limiter(30);
        for (int i = 0; i < 90; ++i) {
            const FrameRateLimiter::Decision d = limiter.admit(at30(i));
            QVERIFY(d.keep);
            QVERIFY(!GST_CLOCK_TIME_IS_VALID(d.pts));  // left as it was
        }
        limiter.setMaxFps(60);  // above the source: the same
        QVERIFY(!GST_CLOCK_TIME_IS_VALID(limiter.admit(at30(90)).pts));
    }

    void belowItTheKeptFramesAreEvenlySpacedAtTheRate_data() {
        QTest::addColumn<int>("fps");
        QTest::addColumn<int>("keptOf90");
        QTest::newRow("20 of 30") << 20 << 60;
        QTest::newRow("15 of 30") << 15 << 45;
        QTest::newRow("2 of 30 (a screen)") << 2 << 6;
    }
    void belowItTheKeptFramesAreEvenlySpacedAtTheRate() {
        QFETCH(int, fps);
        QFETCH(int, keptOf90);
        FrameRateLimiter limiter(30);
        limiter.setMaxFps(fps);
        std::vector<GstClockTime> taken;  // the source pts of each kept frame
        std::vector<FrameRateLimiter::Decision> kept;
        for (int i = 0; i < 90; ++i) {
            const FrameRateLimiter::Decision d = limiter.admit(at30(i));
            if (d.keep) {
                taken.push_back(at30(i));
                kept.push_back(d);
            }
        }
        QCOMPARE(int(kept.size()), keptOf90);
        const GstClockTime period = gst_util_uint64_scale_int(GST_SECOND, 1, fps);
        for (std::size_t k = 0; k < kept.size(); ++k) {
            QCOMPARE(kept[k].duration, period);
            if (k > 0) {
                QCOMPARE(kept[k].pts - kept[k - 1].pts, period);  // a regular clock for the encoder
            }
            // Never stamped later than it was taken (beyond rounding), nor a source frame earlier.
            QVERIFY(kept[k].pts <= taken[k] + GST_MSECOND);
            QVERIFY(taken[k] - kept[k].pts < at30(1));
        }
    }

    void aChangeOfRateTakesEffectAtTheNextFrame() {
        FrameRateLimiter limiter(30);
        QCOMPARE(int(feed(limiter, 0, 30).size()), 30);
        limiter.setMaxFps(15);
        QCOMPARE(int(feed(limiter, 30, 30).size()), 15);
        limiter.setMaxFps(20);
        const auto twenty = feed(limiter, 60, 30);
        QCOMPARE(int(twenty.size()), 20);
        QCOMPARE(twenty.front().pts, at30(60));  // a new grid from the first frame at the new rate
        limiter.setMaxFps(30);
        QCOMPARE(int(feed(limiter, 90, 30).size()), 30);
    }

    void aStalledSourceRestartsTheGrid() {
        FrameRateLimiter limiter(30);
        limiter.setMaxFps(15);
        feed(limiter, 0, 30);
        // Nothing for two seconds, then frames again: the first is kept at its own time, not
        // stamped two seconds in the past, and the rate holds from there.
        const auto after = feed(limiter, 90, 30);
        QCOMPARE(after.front().pts, at30(90));
        QCOMPARE(int(after.size()), 15);
    }

    void throughAPadDroppedFramesGoAndTheCapsStay() {
        GstElement *pipeline = gst_parse_launch(
            "videotestsrc num-buffers=60 ! video/x-raw,width=64,height=48,framerate=30/1 ! identity "
            "name=gate "
            "! fakesink name=sink sync=false",
            nullptr);
        QVERIFY(pipeline);
        gst_object_ref_sink(pipeline);
        GstElement *gate = gst_bin_get_by_name(GST_BIN(pipeline), "gate");
        GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
        auto limiter = std::make_shared<FrameRateLimiter>(30);
        limiter->setMaxFps(15);
        GstPad *out = gst_element_get_static_pad(gate, "src");
        gst_pad_add_probe(
            out, GST_PAD_PROBE_TYPE_BUFFER, &FrameRateLimiter::probe,
            new std::shared_ptr<FrameRateLimiter>(limiter),
            +[](gpointer owned) { delete static_cast<std::shared_ptr<FrameRateLimiter> *>(owned); });
        // What reaches the sink: each frame's pts (on the streaming thread, read after EOS).
        std::vector<GstClockTime> seen;
        GstPad *in = gst_element_get_static_pad(sink, "sink");
        gst_pad_add_probe(
            in, GST_PAD_PROBE_TYPE_BUFFER,
            +[](GstPad *, GstPadProbeInfo *info, gpointer list) {
                static_cast<std::vector<GstClockTime> *>(list)->push_back(
                    GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info)));
                return GST_PAD_PROBE_OK;
            },
            &seen, nullptr);
        gst_element_set_state(pipeline, GST_STATE_PLAYING);
        GstBus *bus = gst_element_get_bus(pipeline);
        GstMessage *end = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND,
                                                     GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
        QVERIFY(end && GST_MESSAGE_TYPE(end) == GST_MESSAGE_EOS);
        gst_message_unref(end);
        GstCaps *caps = gst_pad_get_current_caps(in);
        int fpsN = 0, fpsD = 0;
        QVERIFY(caps &&
                gst_structure_get_fraction(gst_caps_get_structure(caps, 0), "framerate", &fpsN, &fpsD));
        QCOMPARE(fpsN, 30);  // what the encoder sees does not change
        gst_caps_unref(caps);
        gst_element_set_state(pipeline, GST_STATE_NULL);
        QCOMPARE(int(seen.size()), 30);
        for (std::size_t k = 1; k < seen.size(); ++k) {
            QCOMPARE(seen[k] - seen[k - 1], gst_util_uint64_scale_int(GST_SECOND, 1, 15));
        }
        gst_object_unref(bus);
        gst_object_unref(in);
        gst_object_unref(out);
        gst_object_unref(gate);
        gst_object_unref(sink);
        gst_object_unref(pipeline);
    }
};

QTEST_GUILESS_MAIN(TestFrameRateLimiter)
#include "tst_frameratelimiter.moc"
