// SPDX-License-Identifier: GPL-3.0-or-later
// NetworkLab, the impaired network of bench/network and of call tests: the delay schedule keeps
// within its bounds and never reorders, and a lab's round trip, loss and rate cap are what was asked
// for, measured with UDP probes across it. The lab needs root, iproute2, nftables and /dev/net/tun:
// skipped without root, failed as root when it cannot be made.
#include "CannotRun.h"
#include "DelaySchedule.h"
#include "NetworkLab.h"

#include <QTest>

#include <unistd.h>

using netlab::DelaySchedule;
using netlab::LinkConditions;
using netlab::NetworkLab;

class TestNetworkLab : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void delayStaysWithinItsJitterAndNeverReorders() {
        DelaySchedule schedule(50, 10, 250, 7);
        double lowest = 1e9;
        double highest = 0;
        double previousDeparture = 0;
        double sum = 0;
        int count = 0;
        for (double now = 0; now < 60000; now += 0.7) {  // a packet every 0.7 ms for a minute
            const double delay = schedule.delayMs(now);
            lowest = std::min(lowest, delay);
            highest = std::max(highest, delay);
            QVERIFY(now + delay >= previousDeparture);  // leaves after the packet before it
            previousDeparture = now + delay;
            sum += delay;
            ++count;
        }
        QVERIFY2(lowest >= 40 && highest <= 60,
                 qPrintable(QStringLiteral("%1..%2").arg(lowest).arg(highest)));
        QVERIFY2(highest - lowest > 15, "the delay hardly varies");
        QVERIFY2(std::abs(sum / count - 50) < 2, qPrintable(QString::number(sum / count)));
    }

    void delayIsTheSameForTheSameSeed() {
        DelaySchedule first(100, 20, 250, 3);
        DelaySchedule second(100, 20, 250, 3);
        for (double now = 0; now < 5000; now += 13) {
            QCOMPARE(first.delayMs(now), second.delayMs(now));
        }
    }

    void labConditionsAreWhatWasAskedFor() {
        if (const QString reason = NetworkLab::unavailableReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);  // as root (CI) a lab that cannot be made is a failure
        }
        NetworkLab lab;
        QString error;
        QVERIFY2(lab.start(&error), qPrintable(error));

        auto probe = lab.probe(20, 10, &error);
        QVERIFY2(probe, qPrintable(error));
        QCOMPARE(probe->received, 20);
        QVERIFY2(probe->medianMs < 5, qPrintable(QString::number(probe->medianMs)));

        // 50 ms each way, ±10: a round trip of 80-120 ms. Never less than the delay; the maximum
        // is not checked (a loaded machine wakes the forwarder late: 134 ms seen at a load of 20),
        // the median is.
        QVERIFY2(lab.apply({.delayMs = 50, .jitterMs = 10}, &error), qPrintable(error));
        probe = lab.probe(40, 25, &error);
        QVERIFY2(probe, qPrintable(error));
        qInfo("delay 50±10 ms each way: %d of %d back, round trip %.1f / %.1f / %.1f ms", probe->received,
              probe->sent, probe->minMs, probe->medianMs, probe->maxMs);
        QCOMPARE(probe->received, 40);
        QVERIFY2(probe->minMs >= 79 && probe->medianMs >= 85 && probe->medianMs <= 118,
                 qPrintable(QStringLiteral("%1 / %2").arg(probe->minMs).arg(probe->medianMs)));

        // 20 % loss at each site: a probe comes back with probability 0.64.
        QVERIFY2(lab.apply({.lossPercent = 20}, &error), qPrintable(error));
        probe = lab.probe(200, 2, &error);
        QVERIFY2(probe, qPrintable(error));
        qInfo("20 %% loss each way: %d of %d back", probe->received, probe->sent);
        QVERIFY2(probe->received > 90 && probe->received < 165, qPrintable(QString::number(probe->received)));
    }
};

QTEST_GUILESS_MAIN(TestNetworkLab)
#include "tst_networklab.moc"
