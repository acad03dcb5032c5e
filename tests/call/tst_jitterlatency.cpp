// SPDX-License-Identifier: GPL-3.0-or-later
// JitterLatency: the jitter buffer follows the round trip and the loss, up at once and down slowly.
#include "call/JitterLatency.h"

#include "call/RetransmissionRequests.h"

#include <QTest>

using namespace confab;

class TestJitterLatency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aShortPathKeepsTheMinimum() {
        JitterLatency latency(60);
        QCOMPARE(latency.update(2, 1, 0, 0), -1);
        QCOMPARE(latency.update(20, 3, 0, 1000), -1);
        QCOMPARE(latency.latencyMs(), 60);
        QCOMPARE(latency.update(-1, 0, 0, 2000), -1);  // not measured yet
    }

    void aLongerRoundTripRaisesItAtOnce() {
        JitterLatency latency(60);
        QCOMPARE(latency.update(100, 10, 0, 0), 160);  // 1.2 × 100 + 2 × 10 + 20
        QCOMPARE(latency.latencyMs(), 160);
        QCOMPARE(latency.update(1000, 50, 0, 1000), JitterLatency::kMaximumMs);
    }

    void itComesDownOnlyAfterFiveSecondsLower() {
        JitterLatency latency(60);
        latency.update(200, 0, 0, 0);
        QCOMPARE(latency.latencyMs(), 260);
        QCOMPARE(latency.update(20, 0, 0, 1000), -1);
        QCOMPARE(latency.update(40, 0, 0, 3000), -1);
        QCOMPARE(latency.update(20, 0, 0, 6000), 68);  // the highest it wanted in those five seconds
        // A spike in between starts the wait again.
        latency.update(200, 0, 0, 7000);
        latency.update(20, 0, 0, 8000);
        latency.update(200, 0, 0, 9000);
        QCOMPARE(latency.update(20, 0, 0, 12000), -1);
        QCOMPARE(latency.latencyMs(), 260);
    }

    void lossMakesRoomForThreeRequests() {
        JitterLatency latency(60);
        // A 2 ms round trip: 15 ms before the first request, two more 32 ms apart, the last one's
        // answer 2 ms later, and 50 ms for a large frame's packets to arrive.
        QCOMPARE(JitterLatency::repairMs(2), 15 + 2 * 32 + 2 + 50);
        QCOMPARE(latency.update(2, 1, 0.3, 0), -1);  // a trace of loss is left to the round-trip rule
        QCOMPARE(latency.update(2, 1, 5, 1000), 131);
        QCOMPARE(latency.update(2, 1, 0, 2000), -1);  // one calm second is not enough
        QCOMPARE(latency.update(2, 1, 0, 7000), 60);
        // Loss before any round trip is measured: room for the requests at an assumed one.
        JitterLatency early(60);
        QCOMPARE(early.update(-1, 0, 0, 0), -1);
        QCOMPARE(early.update(-1, 0, 5, 1000), JitterLatency::repairMs(-1));
        QCOMPARE(JitterLatency::repairMs(-1),
                 JitterLatency::repairMs(RetransmissionRequests::kUnknownRoundTripMs));
        // A long round trip: as much as the maximum allows.
        QCOMPARE(latency.update(150, 0, 3, 8000), JitterLatency::kMaximumMs);
        QCOMPARE(latency.update(1e12, 0, 3, 9000), -1);  // a bogus report: still the maximum
    }
};

QTEST_GUILESS_MAIN(TestJitterLatency)
#include "tst_jitterlatency.moc"
