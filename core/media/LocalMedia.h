// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/FileSource.h"
#include "media/FrameRateLimiter.h"
#include "media/MediaOptions.h"
#include "media/Pacer.h"
#include "media/ScreenShareBranch.h"
#include "media/ScreenSource.h"
#include "media/VideoEncoderControl.h"
#include "util/GstPtr.h"

#include <QList>
#include <QSize>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace confab {

// Payload types and codec the send side must use: ours when we offer, the offer's when we answer
// (an answer whose payload types differ from the offer's silently turns recvonly).
struct SendFormat {
    int opusPayloadType = 111;
    int videoPayloadType = 96;
    VideoCodec videoCodec = VideoCodec::VP8;
    bool sendAudio = true;
    bool sendVideo = true;
    // The transport-wide congestion control header extension's id on each kind (0: not used):
    // ours when we offer, the offer's when we answer (TransportCcExtension).
    int audioTransportCcId = 0;
    int videoTransportCcId = 0;
};

// The local tracks of one call: sources → encoders → RTP payloaders, each linked to a requested
// webrtcbin sink pad with complete RTP caps (addTrack style). Owns the controls that act on them
// without renegotiation: microphone mute, camera off (black frames), the video bitrate, and screen
// sharing (an input-selector in front of the video encoder switches between the camera branch and a
// ScreenShareBranch; the encoder is retuned for text while a share is on). SendRateControl drives
// the encoder through VideoEncoderControl.
class LocalMedia : public VideoEncoderControl {
public:
    // Returns a new (floating) element taking raw video: the host's self-view. Called on the main
    // thread while the pipeline is built.
    using PreviewSinkFactory = std::function<GstElement *()>;

    LocalMedia(const MediaOptions &options, const SendFormat &format);

    // With a factory, the video branch tees the source (before camera-off blacking) into a leaky
    // one-frame queue and that sink; without one there is no preview branch at all.
    void setPreviewSink(PreviewSinkFactory factory) { previewSink_ = std::move(factory); }
    // Echo cancellation's probe, placed in the pipeline by build() when enabled and available;
    // RemoteMedia puts it before the playback sink. Null otherwise.
    GstElement *echoProbe() const { return echoProbe_.get(); }
    ~LocalMedia() override;
    LocalMedia(const LocalMedia &) = delete;
    LocalMedia &operator=(const LocalMedia &) = delete;

    // Builds the branches into `pipeline` and links them to `webrtc`; false with *error on failure.
    bool build(GstBin *pipeline, GstElement *webrtc, QString *error);

    // The webrtcbin sink pads we requested; the answer/offer waits until each has caps.
    const std::vector<GstPtr<GstPad>> &sendPads() const { return sendPads_; }
    // Things the user should know, e.g. "No camera was found; sending a test pattern."
    const QStringList &notes() const { return notes_; }

    void setMicrophoneMuted(bool muted);
    void setCameraEnabled(bool enabled);
    // The video encoder's target; at or above the maximum (the network is not what limits it)
    // VP8 also stops dropping frames (setFrameDropping()).
    void setVideoBitrateKbps(int kbps) override;
    // What the encoder codes (VideoAdaptation): the camera scaled to `size` (invalid: as it
    // comes, and always so for a screen share), at most `fps` frames a second. Main thread.
    void setVideoFormat(QSize size, int fps) override;
    // Asks the video encoder for a keyframe now (e.g. when the connection comes up).
    void requestKeyFrame();
    // Lets media through to webrtcbin from now on (see holdUntilConnected()). Any thread.
    // Video starts with a keyframe (see startVideoWithKeyFrame()).
    void startSending();
    int videoBitrateKbps() const override { return bitrateKbps_; }
    // What the video encoder has put out so far: frames and bytes (any thread).
    quint64 encodedFrames() const override { return encodedFrames_.load(std::memory_order_relaxed); }
    quint64 encodedBytes() const override { return encodedBytes_.load(std::memory_order_relaxed); }

    // Sends `source` instead of the camera (replacing any share on); false with *error when it
    // cannot start, the camera still going out. `ended` as ScreenShareBranch's. Main thread.
    bool startScreenShare(const ScreenSource &source, ScreenShareBranch::EndedCallback ended, QString *error);
    // The camera (or test source) goes out again. Main thread.
    void stopScreenShare();
    bool isSharingScreen() const { return screenShare_ != nullptr; }
    QString videoCodecName() const;

private:
    QString audioSourceDescription();
    QString videoSourceDescription();
    QString videoEncoderDescription() const;
    // Whether VideoAdaptation's frame rate goes to the encoder in the caps (a videorate) rather
    // than through FrameRateLimiter.
    bool frameRateInCaps() const;
    bool addBranch(GstBin *pipeline, GstElement *webrtc, const QString &description, bool isVideo,
                   QString *error);
    QString echoCancellerDescription(GstBin *pipeline);
    static void keepRenegotiationBelow(GstElement *queue);
    void setFrameDropping(bool on);
    void addPreview(GstBin *branch);
    static GstPadProbeReturn holdUntilConnected(GstPad *, GstPadProbeInfo *info, gpointer self);
    static GstPadProbeReturn startVideoWithKeyFrame(GstPad *, GstPadProbeInfo *info, gpointer self);
    static GstPadProbeReturn blackOutFrame(GstPad *, GstPadProbeInfo *info, gpointer self);
    void tuneEncoderForScreen(bool screen);

    MediaOptions options_;
    SendFormat format_;
    PreviewSinkFactory previewSink_;
    GstPtr<GstElement> echoProbe_;
    std::vector<GstPtr<GstPad>> sendPads_;
    QStringList notes_;
    GstPtr<GstElement> microphoneVolume_;
    GstPtr<GstElement> videoEncoder_;
    GstPtr<GstPad> blackOutPad_;
    gulong blackOutProbe_ = 0;
    std::atomic<bool> cameraOff_{false};
    std::atomic<bool> sending_{false};  // startSending() was called
    int deltaFramesSkipped_ = 0;        // startVideoWithKeyFrame's count (the encoder's thread)
    guint64 keyFrameInterval_ = 0;      // min-force-key-unit-interval, lifted until the first keyframe
    std::atomic<quint64> encodedFrames_{0};
    std::atomic<quint64> encodedBytes_{0};
    std::atomic<bool> sharingScreen_{false};  // camera off does not black out a share
    GstBin *pipeline_ = nullptr;              // not owned: the call's, which outlives us
    GstPtr<GstElement> videoInput_;           // the input-selector in front of the encoder
    GstPtr<GstElement> adaptRate_;            // H.264 only: the videorate that sets its frame rate
    GstPtr<GstElement> adaptSize_;            // the capsfilter that sets the size the encoder codes
    std::unique_ptr<ScreenShareBranch> screenShare_;
    // The players behind VideoSourceKind::File / AudioSourceKind::File, made by the source descriptions.
    std::unique_ptr<FileSource> videoFile_;
    std::unique_ptr<FileSource> audioFile_;
    int bitrateKbps_ = 0;
    // libvpx's dropframe-threshold while frames may be dropped (see setFrameDropping()).
    static constexpr int kDropFrameThreshold = 30;
    bool frameDropping_ = true;
    // Shared with the probe on the pace queue, which may run until the pipeline stops.
    std::shared_ptr<Pacer> pacer_ = std::make_shared<Pacer>();
    // Shared with the probe before the encoder in the same way.
    std::shared_ptr<FrameRateLimiter> frameRate_;
};

}  // namespace confab
