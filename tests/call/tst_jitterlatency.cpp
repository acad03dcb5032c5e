// SPDX-License-Identifier: GPL-3.0-or-later
// JitterLatency: the jitter buffer follows the round trip, up at once and down slowly.
#include "call/JitterLatency.h"

#include <QTest>

using namespace confab;

class TestJitterLatency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aShortPathKeepsTheMinimum() {
        JitterLatency latency(60);
        QCOMPARE(latency.update(2, 1, 0), -1);
        QCOMPARE(latency.update(20, 3, 1000), -1);
        QCOMPARE(latency.latencyMs(), 60);
        QCOMPARE(latency.update(-1, 0, 2000), -1);  // not measured yet
    }

    void aLongerRoundTripRaisesItAtOnce() {
        JitterLatency latency(60);
        QCOMPARE(latency.update(100, 10, 0), 160);  // 1.2 × 100 + 2 × 10 + 20
        QCOMPARE(latency.latencyMs(), 160);
        QCOMPARE(latency.update(1000, 50, 1000), JitterLatency::kMaximumMs);
    }

    void itComesDownOnlyAfterFiveSecondsLower() {
        JitterLatency latency(60);
        latency.update(200, 0, 0);
        QCOMPARE(latency.latencyMs(), 260);
        QCOMPARE(latency.update(20, 0, 1000), -1);
        QCOMPARE(latency.update(40, 0, 3000), -1);
        QCOMPARE(latency.update(20, 0, 6000), 68);  // the highest it wanted in those five seconds
        // A spike in between starts the wait again.
        latency.update(200, 0, 7000);
        latency.update(20, 0, 8000);
        latency.update(200, 0, 9000);
        QCOMPARE(latency.update(20, 0, 12000), -1);
        QCOMPARE(latency.latencyMs(), 260);
    }
};

QTEST_GUILESS_MAIN(TestJitterLatency)
#include "tst_jitterlatency.moc"
