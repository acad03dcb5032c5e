// SPDX-License-Identifier: GPL-3.0-or-later
// RetransmissionBudget: retransmissions get a quarter of the send target, with a burst of 100 ms
// but at least four full-size packets, and the probe drops only flagged retransmissions over it.
#include "call/RetransmissionBudget.h"

#include <gst/rtp/rtp.h>

#include <QTest>

using confab::RetransmissionBudget;

class TestRetransmissionBudget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void aSecondOfRequestsGetsAQuarterOfTheTarget() {
        RetransmissionBudget budget;
        budget.setTargetKbps(400);  // 100 kbit/s for retransmissions: 12,500 bytes a second
        qint64 passed = 0;
        // A NACK storm: a 1,000-byte retransmission asked for every millisecond for a second.
        for (qint64 us = 0; us < 1'000'000; us += 1000) {
            if (budget.take(1000, us)) {
                passed += 1000;
            }
        }
        // The burst (4,800 bytes: 100 ms of the share would be 1,250) plus a second's refill
        // (12,500 bytes), whole packets only.
        QVERIFY2(passed >= 16'000 && passed <= 18'000, qPrintable(QString::number(passed)));
        QCOMPARE(budget.dropped(), quint64(1000 - passed / 1000));
    }

    void occasionalRetransmissionsAllPass() {
        RetransmissionBudget budget;
        budget.setTargetKbps(400);
        for (qint64 us = 0; us < 2'000'000; us += 100'000) {  // ten a second, of 1,000 bytes
            QVERIFY(budget.take(1000, us));
        }
        QCOMPARE(budget.dropped(), quint64(0));
    }

    void aLowerTargetTightensIt() {
        RetransmissionBudget budget;
        budget.setTargetKbps(2000);
        QVERIFY(budget.take(1000, 0));
        budget.setTargetKbps(80);  // 20 kbit/s: 2,500 bytes a second, the 4,800-byte least burst
        int passed = 0;
        for (qint64 us = 1000; us < 1'001'000; us += 10'000) {
            passed += budget.take(1000, us) ? 1 : 0;
        }
        // What the bucket held, cut to the lower capacity (4 packets), and a second's refill.
        QVERIFY2(passed >= 6 && passed <= 8, qPrintable(QString::number(passed)));
    }

    void aLowTargetStillRepairsTheLossesOfAKeyframe() {
        RetransmissionBudget budget;
        budget.setTargetKbps(300);  // 100 ms of the share: 937 bytes, less than one packet
        // Three packets of one keyframe lost, asked for within a few milliseconds of each other.
        QVERIFY(budget.take(1200, 0));
        QVERIFY(budget.take(1200, 1000));
        QVERIFY(budget.take(1200, 2000));
        QCOMPARE(budget.dropped(), quint64(0));
    }

    void theProbeDropsOnlyRetransmissionsOverTheBudget() {
        auto budget = std::make_shared<RetransmissionBudget>();
        budget->setTargetKbps(80);  // a burst of four 1,200-byte packets
        auto owned = std::make_unique<std::shared_ptr<RetransmissionBudget>>(budget);
        auto run = [&](GstBuffer *buffer) {
            GstPadProbeInfo info{};
            info.type = GST_PAD_PROBE_TYPE_BUFFER;
            info.data = buffer;
            const GstPadProbeReturn result = RetransmissionBudget::probe(nullptr, &info, owned.get());
            gst_buffer_unref(buffer);
            return result;
        };
        auto packet = [](bool retransmission) {
            GstBuffer *buffer = gst_buffer_new_allocate(nullptr, 1200, nullptr);
            if (retransmission) {
                GST_BUFFER_FLAG_SET(buffer, GST_RTP_BUFFER_FLAG_RETRANSMISSION);
            }
            return buffer;
        };
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(run(packet(true)), GST_PAD_PROBE_OK);
        }
        QCOMPARE(run(packet(true)), GST_PAD_PROBE_DROP);
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(run(packet(false)), GST_PAD_PROBE_OK);  // media is never held back
        }
        QCOMPARE(budget->dropped(), quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestRetransmissionBudget)
#include "tst_retransmissionbudget.moc"
