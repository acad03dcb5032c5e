// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/BandwidthEstimator.h"

#include <algorithm>
#include <cmath>

namespace confab {

namespace {

// Grouping and trendline filter (libwebrtc's InterArrival and TrendlineEstimator).
constexpr qint64 kGroupSpanUs = 5000;
// The trend is fitted over 16 groups (libwebrtc: 20): over 10, the ±20 ms of jitter of the bench's
// mobile path read as overuse again and again and the estimate sank to its floor
// (tst_bandwidthestimator's jitter cases); over 20, a cap below the start rate is found too late.
constexpr std::size_t kTrendWindow = 16;
constexpr double kSmoothing = 0.9;
constexpr double kThresholdGain = 4.0;
constexpr int kMinDeltasForFullTrend = 60;
// Overuse detector with its adaptive threshold (draft-ietf-rmcat-gcc §5.4).
constexpr double kOverusingTimeMs = 10;
constexpr double kThresholdUp = 0.0087;
constexpr double kThresholdDown = 0.039;
constexpr double kMaxAdaptOffsetMs = 15;
// Rate control (§5.5).
constexpr double kBeta = 0.85;
// Growth away from any known capacity starts at 15 % a second, faster than libwebrtc's 8 %, and
// speeds up the longer nothing overuses, up to 60 %: without libwebrtc's bandwidth probes, growth
// is the only way to find a path that got faster (a step up is climbed back within seconds). Near
// a known capacity growth is additive, and a loss cut sets that capacity too (below).
constexpr double kIncreasePerSecond = 1.15;
constexpr double kIncreaseSpeedUpPerSecond = 0.15;
constexpr double kMaxIncreasePerSecond = 1.6;
// The received rate must stay above the known capacity this long before the path counts as
// faster: a burst the bottleneck's bucket lets through is not a faster path.
constexpr qint64 kFasterPathMs = 500;

constexpr qint64 kAckedWindowUs = 500'000;
// Loss: what counts as more than the path's own loss, and how often it may cut.
constexpr qint64 kLossWindowMs = 1000;
// After a cut the loss side steps out of the way quickly: the cut also brought the delay side down
// to it and set the capacity, so the delay side's growth near that capacity is the one that counts.
constexpr double kLossRecoveryPerSecond = 1.25;
constexpr std::size_t kLossHistory = 10;
constexpr int kMinPacketsForLoss = 20;

double median(std::deque<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double linearFitSlope(const std::deque<std::pair<double, double>> &points) {
    double sumX = 0;
    double sumY = 0;
    for (const auto &[x, y] : points) {
        sumX += x;
        sumY += y;
    }
    const double meanX = sumX / double(points.size());
    const double meanY = sumY / double(points.size());
    double numerator = 0;
    double denominator = 0;
    for (const auto &[x, y] : points) {
        numerator += (x - meanX) * (y - meanY);
        denominator += (x - meanX) * (x - meanX);
    }
    return denominator == 0 ? 0 : numerator / denominator;
}

}  // namespace

BandwidthEstimator::BandwidthEstimator(Limits limits) : limits_(limits) {
    target_ = std::clamp<double>(limits.startKbps, limits.minKbps, limits.maxKbps);
    delayBased_ = target_;
    lossBased_ = limits.maxKbps;
}

void BandwidthEstimator::onTransportFeedback(const std::vector<Packet> &packets, qint64 nowMs) {
    haveFeedback_ = true;
    for (const Packet &packet : packets) {
        addPacket(packet, nowMs);
    }
    while (!lossWindow_.empty() && lossWindow_.front().first < nowMs - kLossWindowMs) {
        lossWindow_.pop_front();
    }
    const auto lost = std::count_if(lossWindow_.begin(), lossWindow_.end(), [](const auto &p) { return p.second; });
    if (lossWindow_.size() >= std::size_t(kMinPacketsForLoss)) {
        recentLoss_ = double(lost) / double(lossWindow_.size());
        updateLossBased(recentLoss_, nowMs);
    }
    updateDelayBased(nowMs);
    settle();
}

void BandwidthEstimator::onReceiverReport(double fractionLost, double roundTripSeconds, qint64 nowMs) {
    if (roundTripSeconds >= 0) {
        rttMs_ = roundTripSeconds * 1000;
    }
    if (!haveFeedback_ && fractionLost >= 0) {
        // Without transport-wide feedback the reports are all there is: loss decides alone, and
        // the rate still grows while it is clean (the delay-based side sees no overuse).
        recentLoss_ = fractionLost;
        updateLossBased(fractionLost, nowMs);
        updateDelayBased(nowMs);
        settle();
    }
}

void BandwidthEstimator::addPacket(const Packet &packet, qint64 nowMs) {
    lossWindow_.emplace_back(nowMs, packet.receiveUs < 0);
    if (packet.receiveUs < 0) {
        return;
    }
    updateAcked(packet);
    if (current_.firstSendUs < 0) {
        current_ = {packet.sendUs, packet.sendUs, packet.receiveUs};
        return;
    }
    if (packet.sendUs < current_.firstSendUs) {
        return;  // sent before the group under way: reordered, of no use to the trend
    }
    if (packet.sendUs - current_.firstSendUs <= kGroupSpanUs) {
        current_.lastSendUs = std::max(current_.lastSendUs, packet.sendUs);
        current_.lastReceiveUs = std::max(current_.lastReceiveUs, packet.receiveUs);
        return;
    }
    // A group that arrived before the one sent ahead of it is left out, and the next is measured
    // from that earlier one: the deltas then still add up to the real change of delay. Dropping
    // only the reordered delta would drop only negative ones, and jitter that reorders packets
    // (a wireless link's retries) would add up to a queue that is not there.
    if (groupCompleted(current_, nowMs)) {
        previous_ = current_;
    }
    current_ = {packet.sendUs, packet.sendUs, packet.receiveUs};
}

bool BandwidthEstimator::groupCompleted(const Group &group, qint64 nowMs) {
    if (previous_.firstSendUs < 0) {
        return true;
    }
    const double sendDeltaMs = double(group.lastSendUs - previous_.lastSendUs) / 1000.0;
    const double arrivalDeltaMs = double(group.lastReceiveUs - previous_.lastReceiveUs) / 1000.0;
    if (arrivalDeltaMs < 0 || sendDeltaMs <= 0) {
        return false;  // reordered: no delay information
    }
    if (firstArrivalUs_ < 0) {
        firstArrivalUs_ = group.lastReceiveUs;
    }
    updateTrend(arrivalDeltaMs - sendDeltaMs, double(group.lastReceiveUs - firstArrivalUs_) / 1000.0, nowMs);
    const double trend = trendWindow_.size() == kTrendWindow ? linearFitSlope(trendWindow_) : previousTrend_;
    const double modified = std::min(deltaCount_, kMinDeltasForFullTrend) * trend * kThresholdGain;
    if (deltaCount_ >= 2) {
        detect(modified, trend, sendDeltaMs);
        updateThreshold(modified, nowMs);
    }
    previousTrend_ = trend;
    return true;
}

void BandwidthEstimator::updateTrend(double delayVariationMs, double arrivalMs, qint64) {
    deltaCount_ = std::min(deltaCount_ + 1, 1000);
    accumulatedDelayMs_ += delayVariationMs;
    smoothedDelayMs_ = kSmoothing * smoothedDelayMs_ + (1 - kSmoothing) * accumulatedDelayMs_;
    trendWindow_.emplace_back(arrivalMs, smoothedDelayMs_);
    if (trendWindow_.size() > kTrendWindow) {
        trendWindow_.pop_front();
    }
}

void BandwidthEstimator::detect(double modifiedTrend, double trend, double sendDeltaMs) {
    if (modifiedTrend > thresholdMs_) {
        timeOverUsingMs_ = timeOverUsingMs_ < 0 ? sendDeltaMs / 2 : timeOverUsingMs_ + sendDeltaMs;
        ++overuseCounter_;
        // Only while the queue still grows: a trend that has turned is a queue already draining.
        if (timeOverUsingMs_ > kOverusingTimeMs && overuseCounter_ > 1 && trend >= previousTrend_) {
            timeOverUsingMs_ = 0;
            overuseCounter_ = 0;
            usage_ = Usage::Overusing;
        }
    } else if (modifiedTrend < -thresholdMs_) {
        timeOverUsingMs_ = -1;
        overuseCounter_ = 0;
        usage_ = Usage::Underusing;
    } else {
        timeOverUsingMs_ = -1;
        overuseCounter_ = 0;
        usage_ = Usage::Normal;
    }
}

void BandwidthEstimator::updateThreshold(double modifiedTrend, qint64 nowMs) {
    if (lastThresholdUpdateMs_ < 0) {
        lastThresholdUpdateMs_ = nowMs;
    }
    const double magnitude = std::abs(modifiedTrend);
    if (magnitude > thresholdMs_ + kMaxAdaptOffsetMs) {
        // A spike (a route change, a burst): do not let the threshold chase it.
        lastThresholdUpdateMs_ = nowMs;
        return;
    }
    const double k = magnitude < thresholdMs_ ? kThresholdDown : kThresholdUp;
    const double elapsedMs = double(std::min<qint64>(nowMs - lastThresholdUpdateMs_, 100));
    thresholdMs_ = std::clamp(thresholdMs_ + k * (magnitude - thresholdMs_) * elapsedMs, 6.0, 600.0);
    lastThresholdUpdateMs_ = nowMs;
}

void BandwidthEstimator::updateAcked(const Packet &packet) {
    acked_.emplace_back(packet.receiveUs, packet.bytes);
    const qint64 newest = std::max(packet.receiveUs, acked_.back().first);
    while (!acked_.empty() && acked_.front().first < newest - kAckedWindowUs) {
        acked_.pop_front();
    }
    const qint64 span = newest - acked_.front().first;
    if (span < 100'000) {
        return;  // too short a stretch for a rate
    }
    qint64 bytes = 0;
    for (const auto &[time, size] : acked_) {
        bytes += size;
    }
    ackedKbps_ = double(bytes) * 8 / double(std::max<qint64>(span, 1)) * 1000.0;
}

void BandwidthEstimator::updateDelayBased(qint64 nowMs) {
    // The state follows the detector: overuse decreases once, then holds until the queue is gone.
    switch (usage_) {
        case Usage::Normal:
            if (rateState_ == RateState::Hold) {
                rateState_ = RateState::Increase;
                lastRateUpdateMs_ = nowMs;
            }
            break;
        case Usage::Overusing:
            if (rateState_ != RateState::Decrease) {
                rateState_ = RateState::Decrease;
            }
            break;
        case Usage::Underusing:
            rateState_ = RateState::Hold;
            break;
    }
    const double acked = ackedKbps_;
    if (acked >= 0 && linkCapacityKbps_ >= 0 &&
        acked > linkCapacityKbps_ + 3 * std::sqrt(linkCapacityVariance_ * linkCapacityKbps_)) {
        if (aboveCapacitySinceMs_ < 0) {
            aboveCapacitySinceMs_ = nowMs;
        } else if (nowMs - aboveCapacitySinceMs_ >= kFasterPathMs) {
            linkCapacityKbps_ = -1;  // the path got faster: find it again multiplicatively
            aboveCapacitySinceMs_ = -1;
        }
    } else {
        aboveCapacitySinceMs_ = -1;
    }
    const double elapsedS = lastRateUpdateMs_ < 0 ? 0 : double(nowMs - lastRateUpdateMs_) / 1000.0;
    switch (rateState_) {
        case RateState::Hold:
            break;
        case RateState::Increase: {
            double increased = delayBased_;
            if (linkCapacityKbps_ >= 0) {
                // Near the rate that last overused: about one packet per response time.
                const double frameBytes = delayBased_ * 1000 / 8 / 30;
                const double packetsPerFrame = std::ceil(frameBytes / 1200);
                const double packetBits = frameBytes / std::max(1.0, packetsPerFrame) * 8;
                const double responseS = (rttMs_ + 100) / 1000.0;
                increased += std::max(4.0, packetBits / responseS / 1000) * std::min(elapsedS, 1.0);
            } else {
                const double calmS = double(nowMs - std::max<qint64>(0, lastDecreaseMs_)) / 1000.0;
                const double perSecond =
                    std::min(kMaxIncreasePerSecond, kIncreasePerSecond + kIncreaseSpeedUpPerSecond * std::max(0.0, calmS - 1.5));
                increased *= std::pow(perSecond, std::min(elapsedS, 1.0));
                increased = std::max(increased, delayBased_ + 1);
            }
            // Never far above what actually gets through: an encoder that sends less (a still
            // picture) must not leave an estimate nothing has tested.
            if (acked >= 0) {
                increased = std::min(increased, std::max(delayBased_, 1.5 * acked + 10));
            }
            delayBased_ = increased;
            break;
        }
        case RateState::Decrease: {
            const double basis = acked >= 0 ? acked : delayBased_;
            const double decreased = kBeta * basis;
            if (decreased < delayBased_) {
                delayBased_ = decreased;
            }
            if (acked >= 0) {
                if (linkCapacityKbps_ < 0) {
                    linkCapacityKbps_ = acked;
                } else {
                    if (acked < linkCapacityKbps_ - 3 * std::sqrt(linkCapacityVariance_ * linkCapacityKbps_)) {
                        linkCapacityKbps_ = acked;  // the path got slower
                    }
                    linkCapacityKbps_ = 0.95 * linkCapacityKbps_ + 0.05 * acked;
                }
                const double error = linkCapacityKbps_ - acked;
                linkCapacityVariance_ = std::clamp(
                    0.95 * linkCapacityVariance_ + 0.05 * error * error / std::max(linkCapacityKbps_, 1.0), 0.4, 2.5);
            }
            lastDecreaseMs_ = nowMs;
            rateState_ = RateState::Hold;
            break;
        }
    }
    delayBased_ = std::clamp<double>(delayBased_, limits_.minKbps, limits_.maxKbps);
    lastRateUpdateMs_ = nowMs;
}

void BandwidthEstimator::updateLossBased(double lossFraction, qint64 nowMs) {
    // Learn the path's own loss from quiet seconds only: loss while a queue overflows is ours.
    if (lastLossSampleMs_ < 0 || nowMs - lastLossSampleMs_ >= kLossWindowMs) {
        if (lastLossSampleMs_ >= 0 && usage_ != Usage::Overusing) {
            lossHistory_.push_back(lossFraction);
            if (lossHistory_.size() > kLossHistory) {
                lossHistory_.pop_front();
            }
            inherentLoss_ = std::min(0.25, median(lossHistory_));
        }
        lastLossSampleMs_ = nowMs;
    }
    const double congestedAbove = std::max(0.08, inherentLoss_ + 0.05);
    const bool mayCut = lastLossDecreaseMs_ < 0 || nowMs - lastLossDecreaseMs_ >= 300 + qint64(rttMs_);
    if (lossFraction > congestedAbove) {
        if (mayCut) {
            const double basis = ackedKbps_ >= 0 ? std::min(ackedKbps_, target_) : target_;
            lossBased_ = std::max<double>(limits_.minKbps, basis * (1 - 0.5 * lossFraction));
            lastLossDecreaseMs_ = nowMs;
            // A queue that overflowed before its delay showed: the rate it gave way at is the
            // path's capacity as surely as where overuse began.
            if (ackedKbps_ >= 0 && (linkCapacityKbps_ < 0 || ackedKbps_ < linkCapacityKbps_)) {
                linkCapacityKbps_ = ackedKbps_;
            }
            lastDecreaseMs_ = nowMs;
            // ...and growth from here is the delay side's careful growth near a known capacity.
            delayBased_ = std::min(delayBased_, lossBased_);
        }
    } else if (lossBased_ < limits_.maxKbps) {
        // Clean enough again: let the loss side get out of the way.
        const double elapsedS = lastLossUpdateMs_ < 0 ? 0 : std::min(1.0, double(nowMs - lastLossUpdateMs_) / 1000.0);
        lossBased_ =
            std::min<double>(limits_.maxKbps, lossBased_ * std::pow(kLossRecoveryPerSecond, elapsedS));
        if (lossBased_ > delayBased_ * 1.5) {
            lossBased_ = limits_.maxKbps;  // far above the delay side: no longer the limit
        }
    }
    lastLossUpdateMs_ = nowMs;
}

void BandwidthEstimator::settle() {
    target_ = std::clamp<double>(std::min(delayBased_, lossBased_), limits_.minKbps, limits_.maxKbps);
}

}  // namespace confab
