// SPDX-License-Identifier: GPL-3.0-or-later
// Pacer: packets leave at 2.5 times the send target with a 10 ms burst; a frame within that goes
// at once, a keyframe is spread over the time its size takes at the pace, and the probe sleeps
// the thread it runs on for that time.
#include "media/Pacer.h"

#include <QElapsedTimer>
#include <QTest>

#include <memory>

using confab::Pacer;

namespace {

// Sends `packets` of `bytes` as fast as the pacer lets them go, from `startUs`, sleeping in
// simulated time; returns when the last one left.
qint64 sendBurst(Pacer &pacer, int packets, qint64 bytes, qint64 startUs) {
    qint64 now = startUs;
    for (int i = 0; i < packets; ++i) {
        now += pacer.charge(bytes, now);
    }
    return now;
}

}  // namespace

class TestPacer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void aFrameWithinTheBurstGoesAtOnce() {
        Pacer pacer;
        pacer.setTargetKbps(1000);  // paced at 2,500 kbit/s: 312.5 bytes a millisecond, 3,125 a burst
        qint64 now = 0;
        // 30 fps of 2,400-byte frames (two packets), well under the pace: never a wait.
        for (int frame = 0; frame < 90; ++frame, now += 33'333) {
            QCOMPARE(pacer.charge(1200, now), qint64(0));
            QCOMPARE(pacer.charge(1200, now), qint64(0));
        }
    }

    void aKeyframeIsSpreadOverItsTimeAtThePace() {
        Pacer pacer;
        pacer.setTargetKbps(1000);
        // A 36,000-byte keyframe (30 packets) at once: the first 3,125 bytes are the burst, the rest
        // leaves at 312.5 bytes a millisecond, 105 ms in all.
        const qint64 done = sendBurst(pacer, 30, 1200, 1'000'000);
        QVERIFY2(done - 1'000'000 >= 100'000 && done - 1'000'000 <= 110'000,
                 qPrintable(QString::number(done)));
    }

    void theTargetSetsThePace() {
        Pacer slow;
        slow.setTargetKbps(200);  // 62.5 bytes a millisecond
        Pacer fast;
        fast.setTargetKbps(2000);  // 625 bytes a millisecond
        const qint64 slowTime = sendBurst(slow, 20, 1200, 0);
        const qint64 fastTime = sendBurst(fast, 20, 1200, 0);
        QVERIFY2(slowTime > 8 * fastTime, qPrintable(QStringLiteral("%1 %2").arg(slowTime).arg(fastTime)));
        // A lower target during a burst slows the rest of it.
        Pacer changed;
        changed.setTargetKbps(2000);
        qint64 now = sendBurst(changed, 10, 1200, 0);
        changed.setTargetKbps(200);
        const qint64 afterCut = sendBurst(changed, 10, 1200, now) - now;
        QVERIFY2(afterCut > 150'000, qPrintable(QString::number(afterCut)));
    }

    void oneWaitIsBounded() {
        Pacer pacer;
        pacer.setTargetKbps(30);  // 9.4 bytes a millisecond: a 100 kB frame would owe 10 s
        pacer.charge(100'000, 0);
        QCOMPARE(pacer.charge(1200, 0), Pacer::kMaxSleepUs);
    }

    void theProbeSleepsTheStreamingThread() {
        auto pacer = std::make_shared<Pacer>();
        pacer->setTargetKbps(320);  // 100 bytes a millisecond
        auto *data = new std::shared_ptr<Pacer>(pacer);
        GstBuffer *buffer = gst_buffer_new_allocate(nullptr, 1000, nullptr);
        GstPadProbeInfo info{};
        info.type = GST_PAD_PROBE_TYPE_BUFFER;
        info.data = buffer;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 6; ++i) {  // 6,000 bytes: 1,000 in the burst, then 50 ms of waits
            QCOMPARE(Pacer::probe(nullptr, &info, data), GST_PAD_PROBE_OK);
        }
        QVERIFY2(clock.elapsed() >= 45, qPrintable(QString::number(clock.elapsed())));
        gst_buffer_unref(buffer);
        delete data;
    }
};

QTEST_MAIN(TestPacer)
#include "tst_pacer.moc"
