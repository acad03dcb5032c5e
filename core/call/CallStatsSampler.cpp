// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallStatsSampler.h"

#include "call/AskWebrtcbin.h"
#include "media/RemoteMedia.h"
#include "util/MainThread.h"

#include <algorithm>

namespace confab {

CallStatsSampler::CallStatsSampler(QObject *parent) : QObject(parent) {
    timer_.setInterval(1000);
    connect(&timer_, &QTimer::timeout, this, &CallStatsSampler::request);
}

CallStatsSampler::~CallStatsSampler() = default;

void CallStatsSampler::start(GstElement *webrtc, RemoteMedia *remote) {
    webrtc_ = gstRetained(webrtc);
    remote_ = remote;
    timer_.start();
}

void CallStatsSampler::stop() {
    timer_.stop();
    webrtc_.reset();
    remote_ = nullptr;
}

void CallStatsSampler::request() {
    if (!webrtc_) {
        return;
    }
    askWebrtcbin(webrtc_.get(), "get-stats", nullptr, [this](const GstStructure *reply) {
        if (reply) {
            postTo(this, [raw = RawStats::fromReply(reply)](CallStatsSampler *sampler) { sampler->arrived(raw); });
        }
    });
}

void CallStatsSampler::arrived(RawStats raw) {
    if (!remote_ || !webrtc_) {
        return;  // stopped while the reply was on its way
    }
    raw.addSessionCounts(webrtc_.get());
    const ReceiveCounters counters = remote_->counters();
    CallStats stats = between(havePrevious_ ? &previous_ : nullptr, raw, havePrevious_ ? &previousCounters_ : nullptr,
                              counters);
    for (const double ms : remote_->takeRecentFreezes()) {
        stats.recentFreezesMs.append(qRound(ms));
    }
    stats.path = localCandidates_.typeOf(raw.localCandidateAddress, raw.localCandidatePort);
    stats.remotePath = remoteCandidates_.typeOf(raw.remoteCandidateAddress, raw.remoteCandidatePort);
    stats.transport = raw.localCandidateProtocol;
    havePrevious_ = true;
    previous_ = raw;
    previousCounters_ = counters;
    Q_EMIT sampled(raw, stats);
}

CallStats CallStatsSampler::between(const RawStats *previous, const RawStats &current,
                                    const ReceiveCounters *previousCounters, const ReceiveCounters &counters) {
    CallStats stats;
    if (previous && previousCounters) {
        const double seconds = std::max<qint64>(1, current.monotonicMs - previous->monotonicMs) / 1000.0;
        stats.sendKbps =
            double(current.bytesSent - std::min(current.bytesSent, previous->bytesSent)) * 8 / 1000 / seconds;
        stats.receiveKbps =
            double(current.bytesReceived - std::min(current.bytesReceived, previous->bytesReceived)) * 8 / 1000 /
            seconds;
        stats.receivedFps =
            double(counters.videoFrames - std::min(counters.videoFrames, previousCounters->videoFrames)) / seconds;
    }
    // Lost on the way, over the interval since the last reply (since the start for the first):
    // rtpsession's count of packets that never arrived when there is one; otherwise what the
    // jitter buffer gave up on plus what retransmissions repaired (webrtcbin's stats).
    const bool session = current.networkPacketsReceived >= 0 && (!previous || previous->networkPacketsReceived >= 0);
    const auto lostSoFar = [session](const RawStats &raw) {
        return session ? double(raw.networkPacketsLost)
                       : double(std::max<qint64>(0, raw.packetsLost)) + double(raw.packetsRepaired);
    };
    const auto receivedSoFar = [session](const RawStats &raw) {
        return session ? double(raw.networkPacketsReceived) : double(raw.packetsReceived);
    };
    double lost = lostSoFar(current);
    double received = receivedSoFar(current);
    if (previous) {
        lost = std::max(0.0, lost - lostSoFar(*previous));
        received = std::max(0.0, received - receivedSoFar(*previous));
    }
    stats.lossPercent = received + lost > 0 ? 100.0 * lost / (received + lost) : 0;
    stats.roundTripMs = current.roundTripSeconds >= 0 ? current.roundTripSeconds * 1000 : -1;
    stats.jitterMs = current.jitterSeconds * 1000;
    stats.receivedResolution = counters.videoSize;
    stats.videoCodec = counters.videoCodec;
    stats.audioCodec = QStringLiteral("OPUS");
    stats.videoFramesReceived = counters.videoFrames;
    stats.audioBuffersReceived = counters.audioBuffers;
    stats.freezeCount = counters.freezes;
    stats.totalFreezeMs = counters.totalFreezeMs;
    stats.audioConcealedPercent = counters.audioConcealedPercent;
    stats.remoteLossPercent = current.remoteFractionLost >= 0 ? current.remoteFractionLost * 100 : -1;
    return stats;
}

}  // namespace confab
