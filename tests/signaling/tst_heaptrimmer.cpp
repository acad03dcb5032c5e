// SPDX-License-Identifier: GPL-3.0-or-later
// HeapTrimmer: one trim, `quiet` after the last of a run of releases, and one at least every
// `atMost` while releases never pause
// (core/util/HeapTrimmer.h says why the server trims at all).
#include "util/HeapTrimmer.h"

#include "TestTime.h"

#include <QElapsedTimer>
#include <QTest>

using confab::HeapTrimmer;
using namespace std::chrono_literals;

class TestHeapTrimmer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aBurstOfReleasesTrimsOnceAfterTheDelay() {
        int trims = 0;
        // Long enough that the 50 ms pauses below stay well inside it on a loaded machine.
        const std::chrono::milliseconds quiet(scaled(1000));
        HeapTrimmer trimmer(quiet, 60000ms, [&trims] { ++trims; });
        QElapsedTimer clock;
        clock.start();
        qint64 lastRelease = 0;
        for (int i = 0; i < 5; ++i) {
            trimmer.released();
            lastRelease = clock.elapsed();
            QTest::qWait(50);  // each release postpones the trim
        }
        QCOMPARE(trims, 0);
        QTRY_COMPARE_WITH_TIMEOUT(trims, 1, int(quiet.count()) + scaled(5000));
        // A coarse Qt timer may fire up to 5 % early; one not postponed by the later releases would
        // fire 200 ms (four pauses) before this bound.
        QVERIFY2(clock.elapsed() - lastRelease >= quiet.count() * 9 / 10,
                 qPrintable(QString::number(clock.elapsed() - lastRelease)));
        QTest::qWait(400);
        QCOMPARE(trims, 1);  // nothing more without another release
        trimmer.released();
        QTRY_COMPARE_WITH_TIMEOUT(trims, 2, int(quiet.count()) + scaled(5000));
    }

    // Releases that never pause (a server that churns all the time) still get trimmed.
    void releasesThatNeverStopStillTrim() {
        int trims = 0;
        HeapTrimmer trimmer(100ms, 300ms, [&trims] { ++trims; });
        QElapsedTimer clock;
        clock.start();
        while (trims < 2 && clock.elapsed() < 5000) {
            trimmer.released();
            QTest::qWait(20);
        }
        QCOMPARE(trims, 2);
    }

    void theDefaultTrimRuns() {
        HeapTrimmer trimmer(10ms, 100ms);  // malloc_trim(0): must simply not break anything
        trimmer.released();
        QTest::qWait(100);
    }
};

QTEST_GUILESS_MAIN(TestHeapTrimmer)
#include "tst_heaptrimmer.moc"
