// SPDX-License-Identifier: GPL-3.0-or-later
// SendRateControl: the estimate less audio's 56 kb/s goes to the encoder, lower at once and higher
// at most every 500 ms; VideoAdaptation's format goes with it, a screen share's without a size.
// A fake encoder and a clock of the test's own; receiver reports alone drive the estimator.
#include "call/RetransmissionBudget.h"
#include "call/SendRateControl.h"
#include "media/MediaOptions.h"
#include "media/VideoAdaptation.h"
#include "media/VideoEncoderControl.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace confab;

namespace {

constexpr double kRoundTripSeconds = 0.05;

// Records what it is given; codes whatever the test says it did.
struct FakeEncoder final : VideoEncoderControl {
    int videoBitrateKbps() const override { return kbps; }
    void setVideoBitrateKbps(int value) override {
        kbps = value;
        rateChangesMs.push_back(nowMs);
    }
    void setVideoFormat(QSize size, int fps) override { formats.push_back({size, fps}); }
    quint64 encodedFrames() const override { return frames; }
    quint64 encodedBytes() const override { return bytes; }

    // A second's output: `framesCoded` frames, `kbpsSent` in all.
    void codeSecond(int framesCoded, double kbpsSent) {
        frames += quint64(framesCoded);
        bytes += quint64(kbpsSent * 1000 / 8);
    }

    qint64 nowMs = 0;  // when the test calls in, for rateChangesMs
    int kbps = 0;
    std::vector<qint64> rateChangesMs;
    std::vector<VideoAdaptation::Format> formats;
    quint64 frames = 0;
    quint64 bytes = 0;
};

MediaOptions media(QSize size, int startKbps) {
    MediaOptions options;
    options.width = size.width();
    options.height = size.height();
    options.fps = 30;
    options.startBitrateKbps = startKbps;
    return options;
}

// A call's rate control with its encoder, begun at 0 ms.
struct Call {
    explicit Call(const MediaOptions &options) : control(options, std::make_shared<RetransmissionBudget>()) {
        control.begin(encoder, 0);
    }
    // A receiver report at `ms` saying `fractionLost`.
    void report(qint64 ms, double fractionLost) {
        encoder.nowMs = ms;
        control.onReceiverReport(fractionLost, kRoundTripSeconds, ms);
    }
    int videoKbps() const { return control.estimator().targetKbps() - 56; }

    FakeEncoder encoder;
    SendRateControl control;
};

}  // namespace

class TestSendRateControl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theFirstFormatIsChosenAtOnceFromTheStartRate() {
        const QSize camera(1280, 720);
        VideoAdaptation reference(camera, 30);
        const VideoAdaptation::Format expected = reference.begin(300);
        QVERIFY(!(expected == reference.step(0)));  // 300 kb/s does not afford 720p at 30 fps
        Call call(media(camera, 300));
        QCOMPARE(call.encoder.formats.size(), std::size_t(1));
        QCOMPARE(call.encoder.formats.back().size, expected.size);
        QCOMPARE(call.encoder.formats.back().fps, expected.fps);
        QCOMPARE(call.encoder.kbps, 300);
    }

    void theEncoderGetsTheEstimateLessAudio() {
        Call call(media(QSize(640, 480), 1000));
        QCOMPARE(call.control.estimator().targetKbps(), 1056);
        QCOMPARE(call.encoder.kbps, 1000);
        for (qint64 ms = 1000; ms <= 5000; ms += 1000) {
            call.report(ms, ms == 2000 ? 0.3 : 0);
            QCOMPARE(call.encoder.kbps, call.videoKbps());
        }
        QVERIFY(call.encoder.rateChangesMs.size() >= 4);
    }

    void aLowerEstimateReachesTheEncoderAtOnce() {
        Call call(media(QSize(640, 480), 1000));
        call.report(100, 0.3);
        const int lowered = call.videoKbps();
        QVERIFY(lowered < 1000);
        QCOMPARE(call.encoder.kbps, lowered);
        QCOMPARE(call.encoder.rateChangesMs.back(), qint64(100));
        call.report(500, 0.3);  // and again, 400 ms later (300 ms plus the round trip)
        QVERIFY(call.videoKbps() < lowered);
        QCOMPARE(call.encoder.kbps, call.videoKbps());
        QCOMPARE(call.encoder.rateChangesMs.back(), qint64(500));
    }

    void aHigherEstimateAtMostEveryHalfSecond() {
        Call call(media(QSize(640, 480), 500));
        bool waited = false;
        for (qint64 ms = 100; ms <= 3000; ms += 100) {
            call.report(ms, 0);
            waited = waited || call.encoder.kbps < call.videoKbps();
            if (call.encoder.rateChangesMs.back() == ms) {
                QCOMPARE(call.encoder.kbps, call.videoKbps());
            }
        }
        QVERIFY(waited);
        const std::vector<qint64> &changes = call.encoder.rateChangesMs;
        QCOMPARE(changes.size(), std::size_t(7));  // at 0 (begin), 500, 1000, ... 3000 ms
        for (std::size_t i = 1; i < changes.size(); ++i) {
            QCOMPARE(changes[i] - changes[i - 1], qint64(500));
        }
    }

    void anEncoderThatCannotKeepUpStepsDown_data() {
        QTest::addColumn<int>("framesCoded");
        QTest::addColumn<double>("timesTheTarget");
        QTest::newRow("frames dropped") << 10 << 1.0;
        QTest::newRow("rate overshot") << 30 << 2.0;
    }

    void anEncoderThatCannotKeepUpStepsDown() {
        QFETCH(int, framesCoded);
        QFETCH(double, timesTheTarget);
        const QSize camera(640, 480);
        Call call(media(camera, 1000));
        QCOMPARE(call.encoder.formats.back(), (VideoAdaptation::Format{camera, 30}));
        call.report(1000, 0);  // the first look only notes where the encoder is
        call.encoder.codeSecond(framesCoded, timesTheTarget * call.encoder.kbps);
        call.report(2000, 0);
        // One second is not enough.
        QCOMPARE(call.encoder.formats.back(), (VideoAdaptation::Format{camera, 30}));
        call.encoder.codeSecond(framesCoded, timesTheTarget * call.encoder.kbps);
        call.report(3000, 0);
        QCOMPARE(call.encoder.formats.back(), VideoAdaptation(camera, 30).step(1));
    }

    void aScreenShareKeepsItsSize() {
        Call call(media(QSize(640, 480), 1000));
        QVERIFY(call.encoder.formats.back().size.isValid());
        call.control.setSharingScreen(true, 0);
        const std::size_t shareStart = call.encoder.formats.size() - 1;
        QCOMPARE(call.encoder.formats.back(), (VideoAdaptation::Format{QSize(), 15}));
        // Half the packets lost each second: the estimate falls, and with it the share's frame rate.
        for (qint64 ms = 1000; ms <= 10000 && call.encoder.formats.back().fps == 15; ms += 1000) {
            call.report(ms, 0.5);
        }
        QVERIFY(call.encoder.formats.back().fps < 15);
        for (std::size_t i = shareStart; i < call.encoder.formats.size(); ++i) {
            QVERIFY(!call.encoder.formats[i].size.isValid());
        }
        call.control.setSharingScreen(false, 11000);
        QVERIFY(call.encoder.formats.back().size.isValid());
    }

    void nothingCodedChangesNothing() {
        Call call(media(QSize(640, 480), 1000));
        const std::size_t formats = call.encoder.formats.size();
        const std::size_t rates = call.encoder.rateChangesMs.size();
        // Loss unknown: the estimate holds. Three seconds coded at the target, then a camera that
        // stalled: no frame for five seconds, which no smaller picture would change.
        for (qint64 ms = 1000; ms <= 9000; ms += 1000) {
            call.report(ms, -1);
            if (ms <= 3000) {
                call.encoder.codeSecond(30, call.encoder.kbps);
            }
        }
        QCOMPARE(call.encoder.formats.size(), formats);
        QCOMPARE(call.encoder.rateChangesMs.size(), rates);
        // And none ever: the first seconds of a call whose source has not started.
        Call silent(media(QSize(640, 480), 1000));
        for (qint64 ms = 1000; ms <= 5000; ms += 1000) {
            silent.report(ms, -1);
        }
        QCOMPARE(silent.encoder.formats.size(), std::size_t(1));
        QCOMPARE(silent.encoder.rateChangesMs.size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestSendRateControl)
#include "tst_sendratecontrol.moc"
