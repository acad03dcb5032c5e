// SPDX-License-Identifier: GPL-3.0-or-later
// What LocalMedia lets out to webrtcbin around the moment a call connects: nothing before, and
// video that starts with a keyframe coded at once (not one the keyframe throttle holds back);
// and when the VP8 encoder may drop frames.
#include "media/LocalMedia.h"

#include <QTest>

#include <gst/gst.h>

#include <atomic>
#include <memory>

using namespace confab;

namespace {

constexpr int kWaitMs = 10000;
constexpr guint64 kThrottleNs = 500'000'000;  // LocalMedia's VP8 min-force-key-unit-interval

// What reaches the encoder, what leaves it past LocalMedia's own probes once the call connected,
// and what reaches webrtcbin.
struct Watch {
    std::atomic<int> framesIn{0};
    std::atomic<bool> connected{false};
    std::atomic<int> framesOut{0};         // since connected
    std::atomic<int> firstOutIsDelta{-1};  // -1: nothing out yet
    std::atomic<int> framesInWhenFirstOut{-1};
    std::atomic<int> packetsToWebrtc{0};

    static GstPadProbeReturn in(GstPad *, GstPadProbeInfo *, gpointer self) {
        static_cast<Watch *>(self)->framesIn.fetch_add(1);
        return GST_PAD_PROBE_OK;
    }
    static GstPadProbeReturn toWebrtc(GstPad *, GstPadProbeInfo *, gpointer self) {
        static_cast<Watch *>(self)->packetsToWebrtc.fetch_add(1);
        return GST_PAD_PROBE_OK;
    }
    static GstPadProbeReturn out(GstPad *, GstPadProbeInfo *info, gpointer self) {
        auto *watch = static_cast<Watch *>(self);
        if (!watch->connected.load()) {
            return GST_PAD_PROBE_OK;
        }
        if (watch->framesOut.fetch_add(1) == 0) {
            watch->firstOutIsDelta =
                GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT) ? 1 : 0;
            watch->framesInWhenFirstOut = watch->framesIn.load();
        }
        return GST_PAD_PROBE_OK;
    }
};

// A pipeline with a webrtcbin and LocalMedia's video branch (no audio) built into it.
struct VideoSender {
    GstPtr<GstElement> pipeline{gst_pipeline_new(nullptr)};
    GstElement *webrtc = nullptr;
    std::unique_ptr<LocalMedia> media;
    GstPtr<GstElement> encoder;

    // False with *error when a part is missing or the branch cannot be built.
    bool build(MediaOptions options, QString *error) {
        webrtc = gst_element_factory_make("webrtcbin", nullptr);
        if (!webrtc) {
            *error = QStringLiteral("no webrtcbin");
            return false;
        }
        gst_bin_add(GST_BIN(pipeline.get()), webrtc);
        options.audio = AudioSourceKind::None;
        SendFormat format;
        format.sendAudio = false;
        media = std::make_unique<LocalMedia>(options, format);
        if (!media->build(GST_BIN(pipeline.get()), webrtc, error)) {
            return false;
        }
        encoder.reset(gst_bin_get_by_name(GST_BIN(pipeline.get()), "venc"));
        if (!encoder) {
            *error = QStringLiteral("no element named venc");
            return false;
        }
        return true;
    }
};

}  // namespace

class TestLocalMedia : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void videoIsHeldUntilConnectedAndThenStartsWithAFreshKeyframe() {
        MediaOptions options;
        options.width = 176;
        options.height = 144;
        options.fps = 15;
        VideoSender sender;
        QString error;
        QVERIFY2(sender.build(options, &error), qPrintable(error));
        LocalMedia &media = *sender.media;
        GstElement *webrtc = sender.webrtc;
        const GstPtr<GstElement> &pipeline = sender.pipeline;
        const GstPtr<GstElement> &encoder = sender.encoder;
        Watch watch;
        GstPtr<GstPad> encoderIn(gst_element_get_static_pad(encoder.get(), "sink"));
        GstPtr<GstPad> encoderOut(gst_element_get_static_pad(encoder.get(), "src"));
        gst_pad_add_probe(encoderIn.get(), GST_PAD_PROBE_TYPE_BUFFER, &Watch::in, &watch, nullptr);
        // Added after LocalMedia's probes, so it sees only what they let through.
        gst_pad_add_probe(encoderOut.get(), GST_PAD_PROBE_TYPE_BUFFER, &Watch::out, &watch, nullptr);
        // The send branch's output, after LocalMedia's probe on it.
        GstPtr<GstPad> webrtcIn(gst_element_get_static_pad(webrtc, "sink_0"));
        QVERIFY(webrtcIn);
        GstPtr<GstPad> branchOut(gst_pad_get_peer(webrtcIn.get()));
        QVERIFY(branchOut);
        gst_pad_add_probe(branchOut.get(),
                          GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                          &Watch::toWebrtc, &watch, nullptr);
        QVERIFY(gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
        const auto stop = qScopeGuard([&] { gst_element_set_state(pipeline.get(), GST_STATE_NULL); });

        // Coded, not sent: the encoder's own first keyframe among them. Connecting soon after it
        // leaves most of the throttle's 0.5 s to run.
        QTRY_VERIFY_WITH_TIMEOUT(watch.framesIn.load() >= 2, kWaitMs);
        QCOMPARE(watch.packetsToWebrtc.load(), 0);

        const int framesInAtConnect = watch.framesIn.load();
        watch.connected = true;
        media.startSending();
        media.requestKeyFrame();
        QTRY_VERIFY_WITH_TIMEOUT(watch.framesOut.load() >= 3 && watch.packetsToWebrtc.load() > 0, kWaitMs);
        QCOMPARE(watch.firstOutIsDelta.load(), 0);
        // The next frame or two, not one the throttle holds back for up to 7 frames at 15 fps.
        const int framesUntilKeyframe = watch.framesInWhenFirstOut.load() - framesInAtConnect;
        QVERIFY2(framesUntilKeyframe <= 2, qPrintable(QString::number(framesUntilKeyframe)));
        // ...and the throttle is back for the receiver's keyframe requests.
        guint64 interval = 0;
        g_object_get(encoder.get(), "min-force-key-unit-interval", &interval, nullptr);
        QCOMPARE(interval, kThrottleNs);
        // A second start changes nothing: no probe is left to put the throttle back.
        media.startSending();
        g_object_get(encoder.get(), "min-force-key-unit-interval", &interval, nullptr);
        QCOMPARE(interval, kThrottleNs);
    }

    // VP8 drops frames only while the network is what limits the rate: at the ceiling libvpx's
    // dropping could stall the picture for seconds (LocalMedia::setFrameDropping).
    void theEncoderDropsFramesOnlyBelowTheMaximumRate() {
        const MediaOptions options;
        VideoSender sender;
        QString error;
        QVERIFY2(sender.build(options, &error), qPrintable(error));
        LocalMedia &media = *sender.media;
        const GstPtr<GstElement> &encoder = sender.encoder;
        const auto threshold = [&] {
            int value = -1;  // vp8enc's property is a gint
            g_object_get(encoder.get(), "dropframe-threshold", &value, nullptr);
            return value;
        };
        QCOMPARE(threshold(), 30);
        media.setVideoBitrateKbps(options.maxBitrateKbps);
        QCOMPARE(threshold(), 0);
        media.setVideoBitrateKbps(options.maxBitrateKbps + 500);  // an estimate above the ceiling
        QCOMPARE(threshold(), 0);
        QCOMPARE(media.videoBitrateKbps(), options.maxBitrateKbps);
        media.setVideoBitrateKbps(options.maxBitrateKbps - 1);
        QCOMPARE(threshold(), 30);
    }
};

QTEST_GUILESS_MAIN(TestLocalMedia)
#include "tst_localmedia.moc"
