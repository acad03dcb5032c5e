// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/SendRateControl.h"

#include "call/RetransmissionBudget.h"
#include "media/MediaOptions.h"
#include "media/VideoEncoderControl.h"
#include "util/Logging.h"

namespace confab {

namespace {

// What the audio takes of the estimate: Opus at 32 kb/s plus 50 packets a second of RTP, SRTP,
// UDP and IP headers (about 58 bytes each). Video gets the rest, so audio is never starved.
constexpr int kAudioKbps = 56;
// A higher rate reaches the encoder at most this often; a lower one at once.
constexpr qint64 kRaiseEveryMs = 500;

BandwidthEstimator::Limits bitrateLimits(const MediaOptions &media) {
    return {media.minBitrateKbps + kAudioKbps, media.startBitrateKbps + kAudioKbps,
            media.maxBitrateKbps + kAudioKbps};
}

}  // namespace

SendRateControl::SendRateControl(const MediaOptions &media,
                                 std::shared_ptr<RetransmissionBudget> retransmissions)
    : retransmissions_(std::move(retransmissions)),
      bandwidth_(bitrateLimits(media)),
      adaptation_(QSize(media.width, media.height), media.fps) {}

void SendRateControl::begin(VideoEncoderControl &encoder, qint64 nowMs) {
    encoder_ = &encoder;
    applyEstimate(true, nowMs);
}

void SendRateControl::onReceiverReport(double fractionLost, double roundTripSeconds, qint64 nowMs) {
    bandwidth_.onReceiverReport(fractionLost, roundTripSeconds, nowMs);
    if (encoder_) {
        noteEncoderSecond(nowMs);
        applyEstimate(false, nowMs);
    }
}

void SendRateControl::onTransportFeedback(const std::vector<BandwidthEstimator::Packet> &packets,
                                          qint64 nowMs) {
    bandwidth_.onTransportFeedback(packets, nowMs);
    applyEstimate(false, nowMs);
}

void SendRateControl::setSharingScreen(bool sharing, qint64 nowMs) {
    if (sharing) {
        // The share's frames are at most 1080p (ScreenShareBranch); its rate is judged as if they were.
        adaptation_.setContent(VideoAdaptation::Content::Screen, QSize(1920, 1080));
    } else {
        adaptation_.setContent(VideoAdaptation::Content::Camera);
    }
    applyEstimate(true, nowMs);
}

// What the encoder made of the last second, for VideoAdaptation: a picture too rich for its
// rate shows as frames dropped or the rate overshot.
void SendRateControl::noteEncoderSecond(qint64 nowMs) {
    const quint64 frames = encoder_->encodedFrames();
    const quint64 bytes = encoder_->encodedBytes();
    if (lastEncoderSampleMs_ >= 0 && nowMs > lastEncoderSampleMs_ && frames > 0) {
        const double seconds = double(nowMs - lastEncoderSampleMs_) / 1000.0;
        const VideoAdaptation::Format before = adaptation_.current();
        const double kbps = double(bytes - lastEncodedBytes_) * 8 / 1000 / seconds;
        const double fps = double(frames - lastEncodedFrames_) / seconds;
        qCDebug(lcCall) << "encoder:" << qRound(kbps) << "kb/s at" << fps << "fps for a target of"
                        << encoder_->videoBitrateKbps() << "kb/s; estimate" << bandwidth_.targetKbps()
                        << "(delay" << bandwidth_.delayBasedKbps() << "loss" << bandwidth_.lossBasedKbps()
                        << "received" << bandwidth_.receivedKbps() << "loss" << bandwidth_.lossFraction()
                        << "inherent" << bandwidth_.inherentLossFraction() << "usage"
                        << int(bandwidth_.usage()) << (bandwidth_.hasTransportFeedback() ? "twcc" : "no twcc")
                        << ")"
                        << "retransmissions over budget" << retransmissions_->dropped();
        adaptation_.noteEncoder(kbps, fps, encoder_->videoBitrateKbps(), nowMs);
        if (!(adaptation_.current() == before)) {
            qCInfo(lcCall) << "the picture is richer than its rate allows (x" << adaptation_.richness()
                           << "); stepping down";
            setVideoFormat(adaptation_.current());
        }
    }
    lastEncoderSampleMs_ = nowMs;
    lastEncodedFrames_ = frames;
    lastEncodedBytes_ = bytes;
}

// The estimate less what audio takes goes to the video encoder: lower at once (the queue is
// building now), higher at most every half second (each change costs the encoder a little).
void SendRateControl::applyEstimate(bool force, qint64 nowMs) {
    if (!encoder_) {
        return;
    }
    const int video = bandwidth_.targetKbps() - kAudioKbps;
    retransmissions_->setTargetKbps(bandwidth_.targetKbps());
    if (lastEncoderSampleMs_ < 0 && force) {
        adaptation_.begin(video);  // the call's first format, without a second at the wrong one
    }
    const VideoAdaptation::Format before = adaptation_.current();
    const VideoAdaptation::Format format = adaptation_.update(video, nowMs);
    if (force || !(format == before)) {
        setVideoFormat(format);
    }
    const bool lower = video < encoder_->videoBitrateKbps();
    if (force || lower || lastRateChangeMs_ < 0 || nowMs - lastRateChangeMs_ >= kRaiseEveryMs) {
        if (video != encoder_->videoBitrateKbps()) {
            encoder_->setVideoBitrateKbps(video);
            lastRateChangeMs_ = nowMs;
        }
    }
}

// A screen share is sent at its capture's own size; only its frame rate follows the rate.
void SendRateControl::setVideoFormat(const VideoAdaptation::Format &format) {
    const bool screen = adaptation_.content() == VideoAdaptation::Content::Screen;
    encoder_->setVideoFormat(screen ? QSize() : format.size, format.fps);
}

}  // namespace confab
