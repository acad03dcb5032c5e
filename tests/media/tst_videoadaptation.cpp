// SPDX-License-Identifier: GPL-3.0-or-later
// VideoAdaptation: which frame rate and size the encoder codes at a given rate, and when it changes.
#include "media/VideoAdaptation.h"

#include <QTest>

using namespace confab;
using Format = VideoAdaptation::Format;

class TestVideoAdaptation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aCameraGivesUpFramesDownToFifteenThenPixelsInSteps() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        QCOMPARE(adaptation.step(0), (Format{QSize(1280, 720), 30}));
        QCOMPARE(adaptation.step(1), (Format{QSize(1280, 720), 20}));
        QCOMPARE(adaptation.step(2), (Format{QSize(1280, 720), 15}));
        QCOMPARE(adaptation.step(3), (Format{QSize(960, 540), 15}));
        QCOMPARE(adaptation.step(4), (Format{QSize(720, 404), 15}));
        const Format last = adaptation.step(adaptation.steps() - 1);
        QVERIFY(last.size.width() >= 160 && last.size.width() < 214);
        QCOMPARE(last.fps, 15);
        for (int i = 1; i < adaptation.steps(); ++i) {
            const Format a = adaptation.step(i - 1);
            const Format b = adaptation.step(i);
            QVERIFY(qint64(b.size.width()) * b.size.height() * b.fps <
                    qint64(a.size.width()) * a.size.height() * a.fps);
        }
    }

    void aSourceAtFifteenFramesOnlyGivesUpPixels() {
        VideoAdaptation adaptation(QSize(640, 480), 15);
        QCOMPARE(adaptation.step(0), (Format{QSize(640, 480), 15}));
        QCOMPARE(adaptation.step(1), (Format{QSize(480, 360), 15}));
    }

    void aCallStartsAtTheFormatItsRateAffords() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        const Format start = adaptation.begin(300);
        QCOMPARE(start.fps, 15);
        QVERIFY(start.size.width() < 1280);
        QCOMPARE(adaptation.begin(2500), (Format{QSize(1280, 720), 30}));
    }

    void aRicherPictureThanItsRateAllowsStepsDownAndRaisesTheBar() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        adaptation.begin(2500);
        // The encoder drops most frames (codes 9 of 30) to hold 2,500 kb/s: the picture is busy.
        adaptation.noteEncoder(2500, 9, 2500, 1000);
        QCOMPARE(adaptation.current(), (Format{QSize(1280, 720), 30}));  // one second is not yet a trend
        adaptation.noteEncoder(2500, 9, 2500, 2000);
        QCOMPARE(adaptation.current(), (Format{QSize(1280, 720), 20}));
        QCOMPARE(adaptation.richness(), 1.5);
        // The same rate no longer buys the top step back.
        QCOMPARE(adaptation.update(2500, 3000), (Format{QSize(1280, 720), 20}));
        QCOMPARE(adaptation.update(2500, 10000), (Format{QSize(1280, 720), 20}));
        // Overshooting the target counts as struggling too.
        adaptation.noteEncoder(3600, 20, 2500, 11000);
        adaptation.noteEncoder(3600, 20, 2500, 12000);
        QCOMPARE(adaptation.current(), (Format{QSize(1280, 720), 15}));
        // Twenty calm seconds let the bar sink a fifth.
        for (qint64 t = 13000; t <= 34000; t += 1000) {
            adaptation.noteEncoder(2000, 15, 2500, t);
        }
        QVERIFY(adaptation.richness() < 2.25);
    }

    void aTargetLoweredWithinTheSecondIsNoOvershoot() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        adaptation.begin(2500);
        // 2,400 kb/s coded in seconds whose target went from 2,000 down to 1,500 mid-way: within
        // 1.3 times the higher one, so no overshoot (1.6 times the lower one).
        for (qint64 t = 1000; t <= 4000; t += 1000) {
            adaptation.update(2000, t - 700);
            adaptation.noteEncoder(2400, 30, 1500, t);
        }
        QCOMPARE(adaptation.current(), (Format{QSize(1280, 720), 30}));
        QCOMPARE(adaptation.richness(), 1.0);
        // The same seconds with the target at 1,500 throughout are an overshoot.
        for (qint64 t = 5000; t <= 6000; t += 1000) {
            adaptation.update(1500, t - 700);
            adaptation.noteEncoder(2400, 30, 1500, t);
        }
        QCOMPARE(adaptation.current(), (Format{QSize(1280, 720), 20}));
    }

    void theSecondsAfterAChangeOfFormatDoNotCount() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        adaptation.begin(2500);
        adaptation.update(500, 0);
        const Format lower = adaptation.update(500, 1000);  // a second below the bar: a step down
        QVERIFY(lower.size.width() < 1280);
        // The new encoder's keyframe overshoots the low rate in the next two seconds: not counted.
        adaptation.update(500, 1500);
        adaptation.noteEncoder(900, 15, 500, 2000);
        adaptation.update(500, 2500);
        adaptation.noteEncoder(900, 15, 500, 2900);
        QCOMPARE(adaptation.current(), lower);
        QCOMPARE(adaptation.richness(), 1.0);
        // An overshoot that goes on after that is the picture's: it steps down.
        adaptation.update(500, 3500);
        adaptation.noteEncoder(900, 15, 500, 4000);
        adaptation.update(500, 4500);
        adaptation.noteEncoder(900, 15, 500, 5000);
        QVERIFY(adaptation.current().size.width() < lower.size.width());
        QCOMPARE(adaptation.richness(), 1.5);
        // And the seconds after that step are not counted either.
        adaptation.noteEncoder(900, 15, 500, 6000);
        adaptation.noteEncoder(900, 15, 500, 6900);
        QCOMPARE(adaptation.richness(), 1.5);
    }

    void secondsWithoutAnyFrameDoNotStepDown() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        adaptation.begin(2500);
        // A source that stalls codes nothing: not a picture too rich for its rate.
        for (qint64 t = 1000; t <= 5000; t += 1000) {
            adaptation.noteEncoder(0, 0, 2500, t);
        }
        QCOMPARE(adaptation.current(), (Format{QSize(1280, 720), 30}));
        QCOMPARE(adaptation.richness(), 1.0);
    }

    void plentyKeepsTheSourceAsItIs() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        QCOMPARE(adaptation.update(2500, 0), (Format{QSize(1280, 720), 30}));
        QCOMPARE(adaptation.update(2500, 10000), (Format{QSize(1280, 720), 30}));
    }

    void aLowRateStepsDownAfterASecondNotBefore() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        adaptation.update(2500, 0);
        // 300 kb/s is 0.05 bit a pixel for 640x360 at 26 fps: well below 720p at any rate.
        QCOMPARE(adaptation.update(300, 1000), (Format{QSize(1280, 720), 30}));
        QCOMPARE(adaptation.update(300, 1900), (Format{QSize(1280, 720), 30}));
        const Format down = adaptation.update(300, 2000);
        QCOMPARE(down.fps, 15);
        QVERIFY(qint64(down.size.width()) * down.size.height() * 15 * VideoAdaptation::kMinBitsPerPixel <=
                300'000);
        // A dip shorter than a second changes nothing.
        VideoAdaptation steady(QSize(1280, 720), 30);
        steady.update(2500, 0);
        steady.update(300, 100);
        steady.update(2500, 900);
        QCOMPARE(steady.update(300, 1200), (Format{QSize(1280, 720), 30}));
    }

    void goingBackUpWaitsForThreeSecondsOfHeadroom() {
        VideoAdaptation adaptation(QSize(1280, 720), 30);
        adaptation.update(300, 0);
        const Format low = adaptation.update(300, 1000);
        QVERIFY(low.size.width() < 1280);
        // Plenty again, but not yet for three seconds: stays.
        QCOMPARE(adaptation.update(2500, 2000).size.width() > low.size.width(), false);
        QCOMPARE(adaptation.update(2500, 4900).size, low.size);
        QCOMPARE(adaptation.update(2500, 5000), (Format{QSize(1280, 720), 30}));
        // Headroom that comes and goes restarts the wait.
        VideoAdaptation flapping(QSize(1280, 720), 30);
        flapping.update(300, 0);
        flapping.update(300, 1000);
        flapping.update(2500, 2000);
        flapping.update(300, 3000);
        QVERIFY(flapping.update(2500, 5500).size.width() < 1280);
    }

    void aScreenShareKeepsItsPixelsAndGivesUpFrames() {
        VideoAdaptation adaptation(QSize(640, 480), 30);
        adaptation.setContent(VideoAdaptation::Content::Screen, QSize(1920, 1080));
        QCOMPARE(adaptation.update(2500, 0), (Format{QSize(1920, 1080), 15}));
        adaptation.update(100, 1000);
        const Format low = adaptation.update(100, 2000);
        QCOMPARE(low.size, QSize(1920, 1080));
        QVERIFY(low.fps < 15 && low.fps >= 2);
        adaptation.setContent(VideoAdaptation::Content::Camera);
        QCOMPARE(adaptation.current(), (Format{QSize(640, 480), 30}));
    }
};

QTEST_GUILESS_MAIN(TestVideoAdaptation)
#include "tst_videoadaptation.moc"
