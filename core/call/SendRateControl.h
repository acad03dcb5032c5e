// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/BandwidthEstimator.h"
#include "media/VideoAdaptation.h"

#include <QtGlobal>

#include <memory>
#include <vector>

namespace confab {

struct MediaOptions;
class RetransmissionBudget;
class VideoEncoderControl;

// What the video encoder is given as the send rate changes: BandwidthEstimator's estimate less
// what audio takes as its rate (applyEstimate()), and the format VideoAdaptation picks for that
// rate, stepping down when the encoder cannot keep to it. The retransmission budget follows the
// estimate. A plain class: the call feeds it the estimator's inputs with the time in ms since the
// call started; tests drive a fake encoder on a clock of their own.
class SendRateControl {
public:
    // Limits from `media` (the video's, plus audio's share); `retransmissions` gets each estimate.
    SendRateControl(const MediaOptions &media, std::shared_ptr<RetransmissionBudget> retransmissions);

    // The encoder to drive from now on (not owned: valid for as long as calls come in), given the
    // call's first format and rate at once, chosen from the start rate.
    void begin(VideoEncoderControl &encoder, qint64 nowMs);
    // The call's figures of the last second: the receiver report's loss (0..1, negative when
    // unknown) and round trip (s, negative when unknown) go to the estimator, what the encoder
    // made of the second to VideoAdaptation, then the estimate to the encoder.
    void onReceiverReport(double fractionLost, double roundTripSeconds, qint64 nowMs);
    void onTransportFeedback(const std::vector<BandwidthEstimator::Packet> &packets, qint64 nowMs);
    // A screen share keeps its size and gives up frames only; off: the camera's steps again.
    void setSharingScreen(bool sharing, qint64 nowMs);

    const BandwidthEstimator &estimator() const { return bandwidth_; }

private:
    void noteEncoderSecond(qint64 nowMs);
    void applyEstimate(bool force, qint64 nowMs);
    void setVideoFormat(const VideoAdaptation::Format &format);

    std::shared_ptr<RetransmissionBudget> retransmissions_;
    BandwidthEstimator bandwidth_;
    VideoAdaptation adaptation_;
    VideoEncoderControl *encoder_ = nullptr;
    qint64 lastRateChangeMs_ = -1;     // when the encoder's rate last changed
    qint64 lastEncoderSampleMs_ = -1;  // noteEncoderSecond()'s previous look
    quint64 lastEncodedFrames_ = 0;
    quint64 lastEncodedBytes_ = 0;
};

}  // namespace confab
