// SPDX-License-Identifier: GPL-3.0-or-later
// BandwidthEstimator fed with synthetic transport-wide feedback from a simulated path: a bottleneck
// of a given rate with a drop-tail queue, random loss and a propagation delay. A sender sends
// 30 video frames a second at the estimate and 50 audio packets a second, as a call does.
#include "DelaySchedule.h"
#include "call/BandwidthEstimator.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

using namespace confab;

namespace {

struct Path {
    std::function<double(double seconds)> capacityKbps = [](double) { return 1000.0; };
    double lossFraction = 0;                   // random loss, independent of the rate
    std::function<bool(double seconds)> burst;  // true: every packet is lost at that moment
    double oneWayDelayMs = 20;
    double queueLimitMs = 150;  // a tbf "latency": packets that would wait longer are dropped
    // Each packet's own extra delay after the bottleneck, up to this either way (uniform and
    // independent): packets a few milliseconds apart arrive out of order.
    double jitterMs = 0;
    // Instead, the delay forwarder's schedule (netlab::DelaySchedule): the delay varies within
    // ±jitterMs along straight lines 250 ms long, as a queue that fills and drains.
    bool jitterAsSchedule = false;
};

struct Outcome {
    std::vector<std::pair<double, int>> estimates;  // (seconds, kb/s) after each feedback
    std::vector<std::pair<double, double>> queueMs;  // (seconds, queueing delay) of each packet
    double estimateAt(double seconds) const {
        int last = estimates.empty() ? 0 : estimates.front().second;
        for (const auto &[t, kbps] : estimates) {
            if (t > seconds) {
                break;
            }
            last = kbps;
        }
        return last;
    }
    double maxQueueBetween(double from, double to) const {
        double worst = 0;
        for (const auto &[t, q] : queueMs) {
            if (t >= from && t < to) {
                worst = std::max(worst, q);
            }
        }
        return worst;
    }
};

// Runs a call of `seconds` over `path` in simulated time (microseconds).
Outcome simulate(BandwidthEstimator &estimator, const Path &path, double seconds, unsigned seed = 1) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<double> uniform(0, 1);
    Outcome outcome;
    struct InFlight {
        qint64 sendUs;
        qint64 receiveUs;  // -1 lost
        int bytes;
        qint64 feedbackAtUs;
    };
    std::vector<InFlight> pending;
    qint64 linkFreeUs = 0;  // when the bottleneck finishes sending what it already has
    qint64 nextFrameUs = 0;
    qint64 nextAudioUs = 0;
    qint64 nextFeedbackUs = 33'000;
    const qint64 endUs = qint64(seconds * 1e6);
    const qint64 delayUs = qint64(path.oneWayDelayMs * 1000);
    netlab::DelaySchedule schedule(path.jitterMs, path.jitterMs, 250, seed);  // 0 to 2 × jitterMs
    auto send = [&](qint64 nowUs, int bytes) {
        const double t = double(nowUs) / 1e6;
        const double bitsPerUs = path.capacityKbps(t) / 1000.0;
        const qint64 startUs = std::max(nowUs, linkFreeUs);
        const double queueMs = double(startUs - nowUs) / 1000.0;
        InFlight packet{nowUs, -1, bytes, 0};
        const bool randomLoss = uniform(random) < path.lossFraction;
        const bool burstLoss = path.burst && path.burst(t);
        if (queueMs <= path.queueLimitMs) {
            linkFreeUs = startUs + qint64(bytes * 8 / bitsPerUs);
            outcome.queueMs.emplace_back(t, queueMs);
            if (!randomLoss && !burstLoss) {
                const double jitterMs = path.jitterAsSchedule
                                            ? schedule.delayMs(double(linkFreeUs) / 1000.0) - path.jitterMs
                                            : path.jitterMs * (2 * uniform(random) - 1);
                packet.receiveUs = linkFreeUs + delayUs + qint64(jitterMs * 1000);
            }
        }
        // Feedback about it comes back with the first report after it arrived (or would have).
        const qint64 arrival = (packet.receiveUs >= 0 ? packet.receiveUs : nowUs + delayUs);
        packet.feedbackAtUs = arrival;
        pending.push_back(packet);
    };
    for (qint64 nowUs = 0; nowUs < endUs; nowUs += 1000) {
        if (nowUs >= nextAudioUs) {
            send(nowUs, 120);  // Opus at 32 kb/s with its headers
            nextAudioUs += 20'000;
        }
        if (nowUs >= nextFrameUs) {
            const int videoKbps = std::max(30, estimator.targetKbps() - 50);
            int frameBytes = videoKbps * 1000 / 8 / 30;
            while (frameBytes > 0) {
                const int bytes = std::min(frameBytes, 1200);
                send(nowUs, bytes + 40);
                frameBytes -= bytes;
            }
            nextFrameUs += 33'333;
        }
        if (nowUs >= nextFeedbackUs) {
            // Reports leave the receiver every 33 ms and take the one-way delay to come back.
            std::vector<BandwidthEstimator::Packet> report;
            auto it = std::partition(pending.begin(), pending.end(),
                                     [&](const InFlight &p) { return p.feedbackAtUs + delayUs > nowUs; });
            std::vector<InFlight> ready(it, pending.end());
            pending.erase(it, pending.end());
            std::sort(ready.begin(), ready.end(), [](const InFlight &a, const InFlight &b) { return a.sendUs < b.sendUs; });
            for (const InFlight &p : ready) {
                report.push_back({p.sendUs, p.receiveUs, p.bytes});
            }
            if (!report.empty()) {
                estimator.onTransportFeedback(report, nowUs / 1000);
            }
            if (nowUs % 1'000'000 < 1000) {
                estimator.onReceiverReport(-1, 2 * path.oneWayDelayMs / 1000.0, nowUs / 1000);
            }
            outcome.estimates.emplace_back(double(nowUs) / 1e6, estimator.targetKbps());
            nextFeedbackUs += 33'000;
        }
    }
    return outcome;
}

BandwidthEstimator::Limits limits() {
    return {30, 1000, 2500};
}

QByteArray trace(const Outcome &outcome) {
    QByteArray text;
    for (double t = 1; t <= outcome.estimates.back().first; t += 1) {
        text += QByteArray::number(int(t)) + "s:" + QByteArray::number(outcome.estimateAt(t)) + " ";
    }
    return text;
}

// 30 s over the bench's "mobile" path: 1 Mbit/s, 2 % loss, 100 ms round trip with 20 ms of jitter
// each way, independent for each packet or along the delay forwarder's schedule.
Outcome simulateMobilePath(bool jitterAsSchedule) {
    BandwidthEstimator estimator(limits());
    Path path;
    path.capacityKbps = [](double) { return 1000.0; };
    path.lossFraction = 0.02;
    path.oneWayDelayMs = 50;
    path.jitterMs = 20;
    path.jitterAsSchedule = jitterAsSchedule;
    return simulate(estimator, path, 30);
}

// The mean of the estimate, sampled each second from `from` to `to`.
double meanEstimate(const Outcome &outcome, double from, double to) {
    double sum = 0;
    int samples = 0;
    for (double t = from; t <= to; t += 1) {
        sum += outcome.estimateAt(t);
        ++samples;
    }
    return samples ? sum / samples : 0;
}

}  // namespace

class TestBandwidthEstimator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aCleanFastPathReachesTheMaximum() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double) { return 10000.0; };
        const Outcome outcome = simulate(estimator, path, 20);
        QVERIFY2(outcome.estimateAt(20) >= 2400, trace(outcome));
        QVERIFY2(outcome.maxQueueBetween(0, 20) < 20, trace(outcome));
    }

    void aCapBelowTheStartRateIsFoundWithinTwoSecondsAndKeptWithoutAQueue() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double) { return 300.0; };
        const Outcome outcome = simulate(estimator, path, 30);
        QVERIFY2(outcome.estimateAt(2) <= 330, trace(outcome));
        for (double t = 5; t <= 30; t += 1) {
            QVERIFY2(outcome.estimateAt(t) <= 330 && outcome.estimateAt(t) >= 150, trace(outcome));
        }
        QVERIFY2(outcome.maxQueueBetween(10, 30) < 150, trace(outcome));
    }

    // The step: 2 Mb/s, 500 kb/s from 10 s, 2 Mb/s again from 20 s.
    void aRateStepDownIsFollowedAndTheStepUpClimbedBack() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double t) { return t >= 10 && t < 20 ? 500.0 : 2000.0; };
        const Outcome outcome = simulate(estimator, path, 32);
        QVERIFY2(outcome.estimateAt(9.9) >= 1500, trace(outcome));
        QVERIFY2(outcome.estimateAt(12) <= 550, trace(outcome));
        QVERIFY2(outcome.maxQueueBetween(13, 20) < 200, trace(outcome));
        QVERIFY2(outcome.estimateAt(19.9) >= 350, trace(outcome));  // it did not collapse either
        QVERIFY2(outcome.estimateAt(25) >= 1200, trace(outcome));
        QVERIFY2(outcome.estimateAt(32) >= 1500, trace(outcome));
    }

    // A queue that builds up (someone else's download on the same link) is seen in the delay
    // before anything is lost, and the estimate comes down ahead of the loss.
    void growingQueueDelayBringsTheEstimateDownBeforeAnyLoss() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double t) { return t < 8 ? 3000.0 : std::max(800.0, 3000.0 - (t - 8) * 200); };
        path.queueLimitMs = 1000;  // a deep buffer: loss comes only after a whole second of queue
        const Outcome outcome = simulate(estimator, path, 24);
        QVERIFY2(outcome.maxQueueBetween(8, 24) < 300, trace(outcome));
        for (double t = 10; t <= 24; t += 1) {
            const double capacity = path.capacityKbps(t);
            QVERIFY2(outcome.estimateAt(t) <= capacity * 1.1, trace(outcome));
        }
        QVERIFY2(outcome.estimateAt(24) >= 500, trace(outcome));
    }

    void steadyRandomLossIsNotCongestion() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double) { return 10000.0; };
        path.lossFraction = 0.05;
        const Outcome outcome = simulate(estimator, path, 25);
        for (double t = 15; t <= 25; t += 1) {
            QVERIFY2(outcome.estimateAt(t) >= 2200, trace(outcome));
        }
        QVERIFY2(estimator.inherentLossFraction() > 0.03 && estimator.inherentLossFraction() < 0.07,
                 qPrintable(QString::number(estimator.inherentLossFraction())));
    }

    // Jitter that reorders packets has no trend: it must not read as a growing queue.
    void jitterThatReordersPacketsIsNotCongestion() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double) { return 10000.0; };
        path.oneWayDelayMs = 50;
        path.jitterMs = 20;
        const Outcome outcome = simulate(estimator, path, 25);
        for (double t = 15; t <= 25; t += 1) {
            QVERIFY2(outcome.estimateAt(t) >= 2200, trace(outcome));
        }
    }

    // The bench's "mobile" path with independent jitter: the link is used, not overrun.
    void aCapWithLossAndJitterIsStillUsed() {
        const Outcome outcome = simulateMobilePath(false);
        for (double t = 10; t <= 30; t += 1) {
            QVERIFY2(outcome.estimateAt(t) <= 1150, trace(outcome));
        }
        QVERIFY2(meanEstimate(outcome, 10, 30) >= 650, trace(outcome));
    }

    // The same path with the bench's jitter (DelaySchedule: the delay rises and falls along
    // 250 ms lines, as a queue would). Known to fail: every rise reads as overuse and cuts the
    // rate to 85 % of what arrived, and the estimate sinks from about 800 to 70-120 kb/s within
    // 20 s, as it sank to 200-300 kb/s in the bench's mobile calls (docs/performance.md).
    void aCapWithLossAndQueueLikeJitterIsStillUsed() {
        const Outcome outcome = simulateMobilePath(true);
        QEXPECT_FAIL("", "the delay-based side reads the schedule's rises as overuse", Continue);
        QVERIFY2(meanEstimate(outcome, 10, 30) >= 650, trace(outcome));
    }

    void aCapWithRandomLossIsStillFound() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double) { return 300.0; };
        path.lossFraction = 0.05;
        const Outcome outcome = simulate(estimator, path, 25);
        for (double t = 5; t <= 25; t += 1) {
            QVERIFY2(outcome.estimateAt(t) <= 330 && outcome.estimateAt(t) >= 120, trace(outcome));
        }
    }

    void aBurstOfLossCutsTheRateAndItRecovers() {
        BandwidthEstimator estimator(limits());
        Path path;
        path.capacityKbps = [](double) { return 10000.0; };
        path.burst = [](double t) { return t >= 15 && t < 15.5; };
        const Outcome outcome = simulate(estimator, path, 30);
        const double before = outcome.estimateAt(14.9);
        QVERIFY2(before >= 2000, trace(outcome));
        QVERIFY2(outcome.estimateAt(16) <= before * 0.8, trace(outcome));
        QVERIFY2(outcome.estimateAt(30) >= 2000, trace(outcome));
    }

    void withoutTransportFeedbackReceiverReportsStillSteer() {
        BandwidthEstimator estimator(limits());
        QVERIFY(!estimator.hasTransportFeedback());
        qint64 now = 0;
        for (int i = 0; i < 10; ++i) {
            estimator.onReceiverReport(0, 0.05, now += 1000);
        }
        const int clean = estimator.targetKbps();
        QVERIFY2(clean > 1000, qPrintable(QString::number(clean)));
        estimator.onReceiverReport(0.3, 0.05, now += 1000);
        QVERIFY(estimator.targetKbps() < clean * 0.9);
        QVERIFY(estimator.targetKbps() >= limits().minKbps);
    }

    void theEstimateStaysWithinItsLimits() {
        BandwidthEstimator estimator({100, 500, 800});
        Path path;
        path.capacityKbps = [](double) { return 20.0; };
        simulate(estimator, path, 10);
        QCOMPARE(estimator.targetKbps(), 100);
        BandwidthEstimator fast({100, 500, 800});
        path.capacityKbps = [](double) { return 50000.0; };
        simulate(fast, path, 20);
        QCOMPARE(fast.targetKbps(), 800);
    }
};

QTEST_GUILESS_MAIN(TestBandwidthEstimator)
#include "tst_bandwidthestimator.moc"
