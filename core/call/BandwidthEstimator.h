// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <deque>
#include <vector>

namespace confab {

// How fast this call may send: a send-side bandwidth estimate in the manner of Google Congestion
// Control (draft-ietf-rmcat-gcc-02, and libwebrtc's implementation of it), from transport-wide
// congestion control feedback (which packets the peer received, and when). A plain class: the
// call feeds it feedback and reads the estimate, and tests feed it synthetic feedback.
//
// Two controllers, and the estimate is the lower of them:
// - Delay-based: packets are grouped by send time (5 ms bursts); the growth of the one-way delay
//   between groups is smoothed and its trend fitted over the last 20 groups (the trendline
//   filter); a trend above an adaptive threshold is overuse (a queue is building). The rate then
//   drops to 85 % of what the peer actually received; otherwise it grows 8 % a second, or by about
//   a packet per round trip once it is near the rate where it last had to drop.
// - Loss-based: loss that is part of the path (Wi-Fi, a lossy radio link) is learnt as the median
//   of recent one-second loss fractions and is not a reason to slow down; loss well above it
//   (a queue overflowing, a burst) cuts the rate by half the loss fraction, at most once per
//   300 ms plus a round trip.
// Without transport-wide feedback (a peer that does not negotiate it) the receiver reports' loss
// fraction drives the loss-based part alone, in the same way.
class BandwidthEstimator {
public:
    struct Limits {
        int minKbps = 30;
        int startKbps = 1000;
        int maxKbps = 2500;
    };

    // One packet of transport-wide feedback: when we sent it and when the peer received it, in
    // microseconds on each side's own clock (only differences matter); receiveUs < 0: lost.
    struct Packet {
        qint64 sendUs = 0;
        qint64 receiveUs = -1;
        int bytes = 0;
    };

    enum class Usage { Normal = 1, Overusing, Underusing };

    explicit BandwidthEstimator(Limits limits);

    // A feedback message's packets (in transport-wide sequence order), arriving at `nowMs`.
    void onTransportFeedback(const std::vector<Packet> &packets, qint64 nowMs);
    // An RTCP receiver report about what we send: the fraction lost since the last one (0..1,
    // negative when unknown) and the round trip in seconds (negative when unknown).
    void onReceiverReport(double fractionLost, double roundTripSeconds, qint64 nowMs);

    // The estimate: how many kb/s this call may send in all (audio, video, retransmissions).
    int targetKbps() const { return int(target_); }
    int delayBasedKbps() const { return int(delayBased_); }
    int lossBasedKbps() const { return int(lossBased_); }
    // What the peer received of ours over the last half second, kb/s (-1: not known yet).
    int receivedKbps() const { return ackedKbps_ < 0 ? -1 : int(ackedKbps_); }
    // The loss fraction (0..1) over the last second of feedback, and the part of it learnt as the
    // path's own.
    double lossFraction() const { return recentLoss_; }
    double inherentLossFraction() const { return inherentLoss_; }
    Usage usage() const { return usage_; }
    bool hasTransportFeedback() const { return haveFeedback_; }

private:
    struct Group {
        qint64 firstSendUs = -1;
        qint64 lastSendUs = -1;
        qint64 lastReceiveUs = -1;
    };

    void addPacket(const Packet &packet, qint64 nowMs);
    // False when the group arrived before the previous one (reordered), which then stays previous.
    bool groupCompleted(const Group &group, qint64 nowMs);
    void updateTrend(double delayVariationMs, double arrivalMs, qint64 nowMs);
    void detect(double modifiedTrend, double trend, double sendDeltaMs);
    void updateThreshold(double modifiedTrend, qint64 nowMs);
    void updateAcked(const Packet &packet);
    void updateDelayBased(qint64 nowMs);
    void updateLossBased(double lossFraction, qint64 nowMs);
    void settle();

    Limits limits_;
    double target_;
    double delayBased_;
    double lossBased_;

    // Grouping and trend.
    Group current_;
    Group previous_;
    double accumulatedDelayMs_ = 0;
    double smoothedDelayMs_ = 0;
    qint64 firstArrivalUs_ = -1;
    std::deque<std::pair<double, double>> trendWindow_;  // (arrival ms, smoothed delay ms)
    int deltaCount_ = 0;
    double previousTrend_ = 0;

    // Overuse detection.
    double thresholdMs_ = 12.5;
    qint64 lastThresholdUpdateMs_ = -1;
    double timeOverUsingMs_ = -1;
    int overuseCounter_ = 0;
    Usage usage_ = Usage::Normal;

    // Rate control.
    enum class RateState { Hold = 1, Increase, Decrease };
    RateState rateState_ = RateState::Increase;
    qint64 lastRateUpdateMs_ = -1;
    qint64 lastDecreaseMs_ = -1;
    double linkCapacityKbps_ = -1;  // the received rate where overuse last began (smoothed)
    double linkCapacityVariance_ = 0.4;
    qint64 aboveCapacitySinceMs_ = -1;  // since when the received rate has been well above it
    double rttMs_ = 100;

    // What the peer received: (receive µs, bytes) over the last 500 ms.
    std::deque<std::pair<qint64, int>> acked_;
    double ackedKbps_ = -1;

    // Loss.
    bool haveFeedback_ = false;
    std::deque<std::pair<qint64, bool>> lossWindow_;  // (now ms, lost) over the last second
    double recentLoss_ = 0;
    std::deque<double> lossHistory_;  // one-second loss fractions, the last 10
    qint64 lastLossSampleMs_ = -1;
    double inherentLoss_ = 0;
    qint64 lastLossDecreaseMs_ = -1;
    qint64 lastLossUpdateMs_ = -1;
};

}  // namespace confab
