// SPDX-License-Identifier: GPL-3.0-or-later
// FreezeCounter against webrtc-stats' definition of a freeze.
#include "media/FreezeCounter.h"

#include <QTest>

using namespace confab;

class TestFreezeCounter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void steadyFramesAreNoFreeze() {
        FreezeCounter counter;
        for (int i = 0; i < 300; ++i) {
            counter.frameRendered(i * 33.3);
        }
        QCOMPARE(counter.figures().frames, quint64(300));
        QCOMPARE(counter.figures().freezes, quint64(0));
        QCOMPARE(counter.figures().totalFreezeMs, 0.0);
    }

    // At 30 fps the bar is mean + 150 ms (183 ms): 180 ms is a stutter, 200 ms a freeze.
    void aGapPastMeanPlus150MsAtThirtyFramesASecondIsAFreeze() {
        FreezeCounter counter;
        double t = 0;
        for (int i = 0; i < 40; ++i) {
            counter.frameRendered(t += 33);
        }
        counter.frameRendered(t += 180);
        QCOMPARE(counter.figures().freezes, quint64(0));
        for (int i = 0; i < 40; ++i) {
            counter.frameRendered(t += 33);
        }
        counter.frameRendered(t += 200);
        QCOMPARE(counter.figures().freezes, quint64(1));
        QCOMPARE(counter.figures().totalFreezeMs, 200.0);
    }

    // At 5 fps (200 ms a frame) the bar is 3 × the mean: 500 ms is not a freeze, 650 ms is.
    void atLowFrameRatesTheBarIsThreeFrames() {
        FreezeCounter counter;
        double t = 0;
        for (int i = 0; i < 31; ++i) {
            counter.frameRendered(t += 200);
        }
        counter.frameRendered(t += 500);
        QCOMPARE(counter.figures().freezes, quint64(0));
        for (int i = 0; i < 31; ++i) {
            counter.frameRendered(t += 200);
        }
        counter.frameRendered(t += 650);
        QCOMPARE(counter.figures().freezes, quint64(1));
    }

    void everyFreezeCountsWithItsWholeDuration() {
        FreezeCounter counter;
        double t = 0;
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < 30; ++i) {
                counter.frameRendered(t += 33);
            }
            counter.frameRendered(t += 1000 + round * 500);
        }
        const FreezeCounter::Figures figures = counter.figures();
        QCOMPARE(figures.freezes, quint64(3));
        QCOMPARE(figures.totalFreezeMs, 1000.0 + 1500.0 + 2000.0);
        QCOMPARE(figures.frames, quint64(93));
        QVERIFY(figures.totalFramesMs > figures.totalFreezeMs);
        QCOMPARE(counter.takeRecentFreezes(), (std::vector<double>{1000, 1500, 2000}));
        QVERIFY(counter.takeRecentFreezes().empty());  // each is told once
        QCOMPARE(counter.figures().freezes, quint64(3));
    }

    void theFirstFrameAloneIsNoFreeze() {
        FreezeCounter counter;
        counter.frameRendered(5000);
        counter.frameRendered(9000);  // one gap, nothing to compare it with
        QCOMPARE(counter.figures().freezes, quint64(0));
        QCOMPARE(counter.figures().frames, quint64(2));
    }
};

QTEST_GUILESS_MAIN(TestFreezeCounter)
#include "tst_freezecounter.moc"
