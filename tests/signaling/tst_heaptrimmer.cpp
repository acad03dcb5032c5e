// HeapTrimmer: one trim, `quiet` after the last of a run of releases, and one at least every
// `atMost` while releases never pause
// (core/util/HeapTrimmer.h says why the server trims at all).
#include "util/HeapTrimmer.h"

#include <QElapsedTimer>
#include <QTest>

using confab::HeapTrimmer;
using namespace std::chrono_literals;

class TestHeapTrimmer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aBurstOfReleasesTrimsOnceAfterTheDelay() {
        int trims = 0;
        HeapTrimmer trimmer(200ms, 5000ms, [&trims] { ++trims; });
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 5; ++i) {
            trimmer.released();
            QTest::qWait(50);  // each release postpones the trim
        }
        QCOMPARE(trims, 0);
        const qint64 lastRelease = clock.elapsed();
        QTRY_COMPARE_WITH_TIMEOUT(trims, 1, 5000);
        QVERIFY2(clock.elapsed() - lastRelease >= 190,
                 qPrintable(QString::number(clock.elapsed() - lastRelease)));
        QTest::qWait(400);
        QCOMPARE(trims, 1);  // nothing more without another release
        trimmer.released();
        QTRY_COMPARE_WITH_TIMEOUT(trims, 2, 5000);
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
