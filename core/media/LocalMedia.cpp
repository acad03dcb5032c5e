// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/LocalMedia.h"

#include "media/BallPattern.h"
#include "media/DeviceFinder.h"
#include "media/FrameStamp.h"
#include "media/TransportCcExtension.h"
#include "util/GLibPtr.h"
#include "util/Logging.h"
#include "util/SharedProbe.h"

#include <gst/video/video.h>

#include <QCoreApplication>

namespace confab {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("confab::LocalMedia", text);
}

// Encoder settings for conversation rather than files, in the spirit of libwebrtc: no lookahead,
// constant bitrate with a small buffer, fast presets, error resilience for lossy links.
// One thread: with threads=2 libvpx delayed the first frame by 100-300 ms (call set-up time, see
// docs/performance.md), and at cpu-used=8 one thread encodes 720p30 with room to spare.
// cpu-used (speed) by size, as libwebrtc does: 8 up to 640x480; above it 16, the fastest real-time
// setting, which halves the encoder's time at 720p (3.9 → 2.0 ms a frame here) and brought a 720p
// call's CPU from 0.69x to below 0.6x of Chromium's (bench/call-cpu-memory).
// As in libwebrtc too: the encoder may drop a frame rather than overshoot its rate
// (dropframe-threshold, the buffer's fill in percent; only while the network limits the rate:
// setVideoBitrateKbps), a keyframe may take at most four average
// frames' worth (max-intra-bitrate, percent), and keyframes asked for by the receiver (after loss
// it could not repair) come at most every 500 ms (min-force-key-unit-interval, ns): a receiver
// asking again and again on a poor link would otherwise get nothing but keyframes.
constexpr char kVp8Encoder[] =
    "vp8enc name=venc deadline=1 end-usage=cbr lag-in-frames=0 buffer-size=1000 buffer-initial-size=500 "
    "buffer-optimal-size=600 undershoot=100 overshoot=15 min-quantizer=2 max-quantizer=56 cpu-used=%3 "
    "dropframe-threshold=%4 max-intra-bitrate=400 min-force-key-unit-interval=500000000 "
    "error-resilient=default keyframe-max-dist=3000 threads=1 target-bitrate=%1 "
    "! rtpvp8pay name=pay picture-id-mode=15-bit mtu=1200 pt=%2 "
    "! capsfilter caps=\"application/x-rtp,media=video,encoding-name=VP8,payload=%2,clock-rate=90000\"";

constexpr char kH264Encoder[] =
    "openh264enc name=venc usage-type=camera complexity=low rate-control=bitrate bitrate=%1 gop-size=3000 "
    "! video/x-h264,profile=constrained-baseline,stream-format=byte-stream "
    "! rtph264pay name=pay config-interval=-1 aggregate-mode=zero-latency mtu=1200 pt=%2 "
    "! capsfilter caps=\"application/x-rtp,media=video,encoding-name=H264,payload=%2,clock-rate=90000,"
    "packetization-mode=(string)1,profile-level-id=(string)42e01f\"";

// A trailing caps string would parse as an element name, hence the explicit capsfilters.
// Opus in voice mode with in-band FEC; the caps are explicit because 1.22.0 can otherwise turn an
// answer recvonly over a stereo/mono mismatch.
constexpr char kOpusChain[] =
    "audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 ! %2volume name=microphone "
    "! queue max-size-time=100000000 leaky=downstream "
    "! opusenc audio-type=voice inband-fec=true packet-loss-percentage=10 bitrate=32000 frame-size=20 "
    "! rtpopuspay name=pay pt=%1 "
    "! capsfilter caps=\"application/x-rtp,media=audio,encoding-name=OPUS,payload=%1,clock-rate=48000,"
    "encoding-params=(string)2\"";

}  // namespace

LocalMedia::LocalMedia(const MediaOptions &options, const SendFormat &format)
    : options_(options),
      format_(format),
      bitrateKbps_(options.startBitrateKbps),
      frameRate_(std::make_shared<FrameRateLimiter>(options.fps)) {}

LocalMedia::~LocalMedia() {
    screenShare_.reset();
    if (blackOutPad_ && blackOutProbe_) {
        gst_pad_remove_probe(blackOutPad_.get(), blackOutProbe_);
    }
}

QString LocalMedia::audioSourceDescription() {
    switch (options_.audio) {
        case AudioSourceKind::Microphone:
            if (const QString device =
                    DeviceFinder::launchDescription(DeviceFinder::Kind::Microphone, options_.microphoneDevice);
                !device.isEmpty()) {
                return device;
            }
            notes_.append(tr("No microphone was found; sending silence."));
            return QStringLiteral("audiotestsrc is-live=true wave=silence samplesperbuffer=960");
        case AudioSourceKind::Echo:
            return QStringLiteral("interaudiosrc channel=%1-audio").arg(options_.echoChannel);
        case AudioSourceKind::File: {
            QString error;
            audioFile_ = FileSource::start(options_.audioFile, FileSource::Kind::Audio, 0, 0, 0, &error);
            if (audioFile_) {
                return audioFile_->launchDescription();
            }
            notes_.append(tr("%1 Sending a test tone instead.").arg(error));
            break;
        }
        case AudioSourceKind::Test:
        case AudioSourceKind::None:
            break;
    }
    return QStringLiteral("audiotestsrc is-live=true wave=sine freq=440 volume=0.2 samplesperbuffer=960");
}

QString LocalMedia::videoSourceDescription() {
    const QString rawCaps = QStringLiteral("video/x-raw,format=I420,width=%1,height=%2,framerate=%3/1")
                                .arg(options_.width)
                                .arg(options_.height)
                                .arg(options_.fps);
    switch (options_.video) {
        case VideoSourceKind::Camera:
            if (const QString device = DeviceFinder::launchDescription(DeviceFinder::Kind::Camera, options_.cameraDevice);
                !device.isEmpty()) {
                return QStringLiteral("%1 ! videoconvert ! videoscale ! videorate ! %2").arg(device, rawCaps);
            }
            notes_.append(tr("No camera was found; sending a test pattern."));
            break;
        case VideoSourceKind::Echo:
            return QStringLiteral("intervideosrc channel=%1-video ! videoconvert ! %2").arg(options_.echoChannel, rawCaps);
        case VideoSourceKind::File: {
            QString error;
            videoFile_ = FileSource::start(options_.videoFile, FileSource::Kind::Video, options_.width,
                                           options_.height, options_.fps, &error);
            if (videoFile_) {
                return videoFile_->launchDescription();
            }
            notes_.append(tr("%1 Sending a test pattern instead.").arg(error));
            break;
        }
        case VideoSourceKind::Test:
        case VideoSourceKind::None:
            break;
    }
    // A moving ball on a mid-blue background: motion keeps the encoder honest, and a picture that is
    // not black shows at once whether "camera off" blacked it out.
    if (options_.testPattern == TestPattern::ScrollingBars) {
        return QStringLiteral("videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! %1").arg(rawCaps);
    }
    // The ball is ours (BallPattern, on the element named here): videotestsrc's own ball pattern
    // costs more CPU than encoding it.
    return QStringLiteral("videotestsrc name=ballpattern is-live=true pattern=solid-color foreground-color=0xff305080 "
                          "! %1")
        .arg(rawCaps);
}

QString LocalMedia::videoEncoderDescription() const {
    if (format_.videoCodec == VideoCodec::H264) {
        return QString::fromLatin1(kH264Encoder).arg(bitrateKbps_ * 1000).arg(format_.videoPayloadType);
    }
    const int speed = options_.width * options_.height > 640 * 480 ? 16 : 8;
    return QString::fromLatin1(kVp8Encoder)
        .arg(bitrateKbps_ * 1000)
        .arg(format_.videoPayloadType)
        .arg(speed)
        .arg(kDropFrameThreshold);
}

bool LocalMedia::frameRateInCaps() const {
    return format_.videoCodec == VideoCodec::H264;
}

QString LocalMedia::videoCodecName() const {
    return format_.videoCodec == VideoCodec::H264 ? QStringLiteral("H264") : QStringLiteral("VP8");
}

bool LocalMedia::build(GstBin *pipeline, GstElement *webrtc, QString *error) {
    if (format_.sendAudio && options_.audio != AudioSourceKind::None) {
        const QString description = audioSourceDescription() + QStringLiteral(" ! ") +
                                    QString::fromLatin1(kOpusChain)
                                        .arg(format_.opusPayloadType)
                                        .arg(echoCancellerDescription(pipeline));
        if (!addBranch(pipeline, webrtc, description, false, error)) {
            return false;
        }
    }
    if (format_.sendVideo && options_.video != VideoSourceKind::None) {
        // A one-frame leaky queue before the encoder: when encoding falls behind, drop old frames
        // rather than add latency.
        // The self-view, when the host wants one, branches off here (tee named "preview"): it shows
        // the camera, also while a screen share goes out. The input-selector is where a share
        // plugs in; sync-streams=false lets the idle branch drop its frames instead of waiting.
        const QString description =
            videoSourceDescription() + (previewSink_ ? QStringLiteral(" ! tee name=preview") : QString()) +
            QStringLiteral(" ! input-selector name=videoinput sync-streams=false") +
            QStringLiteral(" ! queue name=encodequeue max-size-buffers=1 leaky=downstream") +
            // Where the picture adapts to the rate (setVideoFormat): its size here; its frame
            // rate for VP8 by FrameRateLimiter's probe on the queue's output (libvpx plans its
            // rate from the frames' timestamps), for H.264 by a videorate that changes the caps
            // (openh264enc takes its frame rate from them, re-creating its encoder).
            (frameRateInCaps() ? QStringLiteral(" ! videorate name=adaptrate drop-only=true max-rate=%1")
                                     .arg(options_.fps)
                               : QString()) +
            QStringLiteral(" ! videoscale ! capsfilter name=adaptsize ! ") + videoEncoderDescription() +
            // The pacer's queue (Pacer): its thread waits for the pace, the encoder does not. Half
            // a second of backlog at most; older packets go (the receiver asks for a keyframe).
            QStringLiteral(
                " ! queue name=pacequeue max-size-buffers=0 max-size-bytes=0 "
                "max-size-time=500000000 leaky=downstream");
        if (!addBranch(pipeline, webrtc, description, true, error)) {
            return false;
        }
    }
    return true;
}

bool LocalMedia::addBranch(GstBin *pipeline, GstElement *webrtc, const QString &description, bool isVideo,
                           QString *error) {
    qCDebug(lcMedia).noquote() << "send branch:" << description;
    GErrorPtr parseError;
    GstElement *branch = gst_parse_bin_from_description(description.toUtf8().constData(), TRUE, out(parseError));
    if (!branch) {
        *error = tr("Cannot build the %1 sender: %2")
                     .arg(isVideo ? tr("video") : tr("audio"), QString::fromUtf8(parseError->message));
        return false;
    }
    if (isVideo) {
        addPreview(GST_BIN(branch));
        if (GstPtr<GstElement> ball{gst_bin_get_by_name(GST_BIN(branch), "ballpattern")}) {
            BallPattern::drawOn(ball.get());
        }
    }
    if (const int id = isVideo ? format_.videoTransportCcId : format_.audioTransportCcId; id > 0) {
        GstPtr<GstElement> payloader(gst_bin_get_by_name(GST_BIN(branch), "pay"));
        if (payloader) {
            TransportCcExtension::addTo(payloader.get(), id);
        }
    }
    gst_bin_add(pipeline, branch);  // the pipeline takes the floating reference
    GstPtr<GstPad> source(gst_element_get_static_pad(branch, "src"));
    GstPtr<GstPad> sink(gst_element_request_pad_simple(webrtc, "sink_%u"));
    if (!source || !sink || GST_PAD_LINK_FAILED(gst_pad_link(source.get(), sink.get()))) {
        *error = tr("Cannot connect the %1 sender to WebRTC.").arg(isVideo ? tr("video") : tr("audio"));
        return false;
    }
    gst_pad_add_probe(source.get(),
                      GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                      &LocalMedia::holdUntilConnected, this, nullptr);
    GstWebRTCRTPTransceiver *transceiver = nullptr;
    g_object_get(sink.get(), "transceiver", &transceiver, nullptr);
    GstPtr<GstWebRTCRTPTransceiver> transceiverOwner(transceiver);
    if (transceiver && isVideo) {
        // NACK is off by default in webrtcbin; a video call without retransmissions freezes on loss.
        g_object_set(transceiver, "do-nack", TRUE, nullptr);
    }
    if (isVideo) {
        pipeline_ = pipeline;
        videoInput_.reset(gst_bin_get_by_name(GST_BIN(branch), "videoinput"));
        if (GstPtr<GstElement> queue(gst_bin_get_by_name(GST_BIN(branch), "encodequeue")); queue) {
            keepRenegotiationBelow(queue.get());
            if (!frameRateInCaps()) {
                GstPtr<GstPad> out(gst_element_get_static_pad(queue.get(), "src"));
                addSharedProbe(out.get(), GST_PAD_PROBE_TYPE_BUFFER, &FrameRateLimiter::probe, frameRate_);
            }
        }
        if (GstPtr<GstElement> queue(gst_bin_get_by_name(GST_BIN(branch), "pacequeue")); queue) {
            pacer_->setTargetKbps(bitrateKbps_);
            GstPtr<GstPad> paced(gst_element_get_static_pad(queue.get(), "src"));
            addSharedProbe(paced.get(),
                           GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                           &Pacer::probe, pacer_);
        }
        adaptRate_.reset(gst_bin_get_by_name(GST_BIN(branch), "adaptrate"));
        adaptSize_.reset(gst_bin_get_by_name(GST_BIN(branch), "adaptsize"));
        videoEncoder_.reset(gst_bin_get_by_name(GST_BIN(branch), "venc"));
        blackOutPad_.reset(gst_element_get_static_pad(videoEncoder_.get(), "sink"));
        GstPtr<GstPad> encoded(gst_element_get_static_pad(videoEncoder_.get(), "src"));
        gst_pad_add_probe(
            encoded.get(), GST_PAD_PROBE_TYPE_BUFFER,
            [](GstPad *, GstPadProbeInfo *info, gpointer self) {
                auto *media = static_cast<LocalMedia *>(self);
                media->encodedFrames_.fetch_add(1, std::memory_order_relaxed);
                media->encodedBytes_.fetch_add(gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info)),
                                               std::memory_order_relaxed);
                return GST_PAD_PROBE_OK;
            },
            this, nullptr);
        gst_pad_add_probe(encoded.get(), GST_PAD_PROBE_TYPE_BUFFER, &LocalMedia::startVideoWithKeyFrame, this,
                          nullptr);
        blackOutProbe_ = gst_pad_add_probe(blackOutPad_.get(), GST_PAD_PROBE_TYPE_BUFFER, &LocalMedia::blackOutFrame,
                                           this, nullptr);
        if (options_.stampCaptureTime) {
            // After the camera-off probe and right before the encoder: the stamp is the time the
            // frame left the source and its one-frame queue.
            FrameStamp::addWriter(blackOutPad_.get());
        }
    } else {
        microphoneVolume_.reset(gst_bin_get_by_name(GST_BIN(branch), "microphone"));
    }
    sendPads_.push_back(std::move(sink));
    return true;
}

QString LocalMedia::echoCancellerDescription(GstBin *pipeline) {
    if (!options_.echoCancellation || options_.audio == AudioSourceKind::Echo) {
        return {};
    }
    GstPtr<GstElementFactory> dsp(gst_element_factory_find("webrtcdsp"));
    GstPtr<GstElementFactory> probe(gst_element_factory_find("webrtcechoprobe"));
    if (!dsp || !probe) {
        notes_.append(tr("Echo cancellation is not available here (the webrtcdsp element of "
                         "gstreamer1.0-plugins-bad is missing); the call goes on without it."));
        return {};
    }
    // webrtcdsp finds its probe by name in a process-wide list, when it starts: the probe must exist
    // before the pipeline plays, long before the remote audio it listens to arrives. So it waits in
    // the pipeline, unlinked, until RemoteMedia links it before the playback sink. The name is
    // unique per call because one process may run several calls (tests, the echo service).
    static std::atomic<int> probeCount{0};
    const QString name = QStringLiteral("confab-echo-probe-%1").arg(++probeCount);
    GstElement *element = gst_element_factory_make("webrtcechoprobe", name.toUtf8().constData());
    echoProbe_ = gstRetained(element);  // our reference; the pipeline takes the floating one
    gst_bin_add(pipeline, element);
    // webrtcdsp works on 10 ms chunks of S16LE or F32 at 8-48 kHz; the converter after it hands
    // the opus chain what it wants. Noise suppression and gain control stay at webrtcdsp's defaults.
    return QStringLiteral("webrtcdsp probe=%1 ! audioconvert ! ").arg(name);
}

void LocalMedia::addPreview(GstBin *branch) {
    GstPtr<GstElement> tee(gst_bin_get_by_name(branch, "preview"));
    if (!tee || !previewSink_) {
        return;
    }
    GstElement *sink = previewSink_();
    if (!sink) {
        return;
    }
    // A one-frame leaky queue: a slow self-view drops frames instead of holding up the encoder.
    GstElement *queue = gst_element_factory_make("queue", nullptr);
    g_object_set(queue, "max-size-buffers", 1u, "max-size-bytes", 0u, "max-size-time", guint64(0), "leaky", 2,
                 nullptr);
    gst_bin_add_many(branch, queue, sink, nullptr);
    if (!gst_element_link_many(tee.get(), queue, sink, nullptr)) {
        qCWarning(lcMedia) << "could not link the local preview; the call goes on without it";
    }
    keepRenegotiationBelow(queue);
}

// The camera's caps are fixed when the call starts; what changes later (the self-view's size when
// its widget is resized, the picture's size as it adapts to the rate) is scaled after the tee. A
// capsfilter changed there sends RECONFIGURE upstream, and past the tee the camera would
// renegotiate and send a serialized allocation query through the tee, which waits until every
// branch's queue has pushed what it holds: with a self-view waiting on the clock, that held the
// camera, and with it everything it sends, for seconds. So RECONFIGURE stops at the branch queues.
void LocalMedia::keepRenegotiationBelow(GstElement *queue) {
    GstPtr<GstPad> sink(gst_element_get_static_pad(queue, "sink"));
    gst_pad_add_probe(
        sink.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        +[](GstPad *, GstPadProbeInfo *info, gpointer) {
            return GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_RECONFIGURE
                       ? GST_PAD_PROBE_DROP
                       : GST_PAD_PROBE_OK;
        },
        nullptr, nullptr);
}

GstPadProbeReturn LocalMedia::blackOutFrame(GstPad *pad, GstPadProbeInfo *info, gpointer self) {
    const auto *media = static_cast<LocalMedia *>(self);
    if (!media->cameraOff_.load(std::memory_order_relaxed) || media->sharingScreen_.load(std::memory_order_relaxed)) {
        return GST_PAD_PROBE_OK;
    }
    // Camera off: the track keeps running (no renegotiation) but carries black frames, so the
    // other side never sees a frozen last picture.
    GstCapsPtr caps(gst_pad_get_current_caps(pad));
    GstVideoInfo videoInfo;
    if (!caps || !gst_video_info_from_caps(&videoInfo, caps.get())) {
        return GST_PAD_PROBE_OK;
    }
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstVideoFrame frame;
    if (gst_video_frame_map(&frame, &videoInfo, buffer, GST_MAP_WRITE)) {
        for (guint plane = 0; plane < GST_VIDEO_FRAME_N_PLANES(&frame); ++plane) {
            const int value = plane == 0 ? 16 : 128;  // black in limited-range YUV
            auto *data = static_cast<guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, plane));
            const gsize size = gsize(GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane)) *
                               GST_VIDEO_FRAME_COMP_HEIGHT(&frame, plane);
            memset(data, value, size);
        }
        gst_video_frame_unmap(&frame);
    }
    return GST_PAD_PROBE_OK;
}

void LocalMedia::setMicrophoneMuted(bool muted) {
    if (microphoneVolume_) {
        g_object_set(microphoneVolume_.get(), "mute", muted ? TRUE : FALSE, nullptr);
    }
}

void LocalMedia::setCameraEnabled(bool enabled) {
    cameraOff_.store(!enabled, std::memory_order_relaxed);
}

// webrtcbin 1.22 blocks its send path until DTLS is up (transportsendbin), so media coded before
// the call connects would wait there and go out first, stale: with the audio branch's leaky queue
// in front that was one old packet, a gap of 0.5-1 s that the queue dropped, then its last 100 ms,
// which the other side heard as a second of concealment at the start of every call. Dropped here
// instead, the first packet sent is current. Events (caps, which negotiation needs) pass. Once the
// call has connected the probe removes itself (passing that buffer), so the media path carries no
// check for the rest of the call.
GstPadProbeReturn LocalMedia::holdUntilConnected(GstPad *, GstPadProbeInfo *, gpointer self) {
    return static_cast<LocalMedia *>(self)->sending_.load() ? GST_PAD_PROBE_REMOVE : GST_PAD_PROBE_DROP;
}

void LocalMedia::startSending() {
    if (sending_.load()) {
        return;  // once: startVideoWithKeyFrame, which puts the throttle back, has removed itself
    }
    if (videoEncoder_) {
        // The encoder's first keyframe was coded before the call connected and held back; the
        // throttle on forced keyframes counts from it, which put the next one up to 0.5 s after
        // the connect. Lifted for this one keyframe (startVideoWithKeyFrame puts it back).
        g_object_get(videoEncoder_.get(), "min-force-key-unit-interval", &keyFrameInterval_, nullptr);
        g_object_set(videoEncoder_.get(), "min-force-key-unit-interval", guint64(0), nullptr);
    }
    sending_.store(true);
}

// The keyframe coded before the call connected was held back with the rest, and the other side
// can decode nothing before one: the frames between the connect and the keyframe requested then
// only made it wait. Once the call connects, the encoder's output therefore starts again with a
// keyframe. (Before, frames go on to the payloader, which holdUntilConnected follows: H.264's
// payloader sets its caps, which the offer needs, from the stream's first frames.) Should no
// keyframe come (an encoder that ignores the request), video goes out anyway after a second's
// worth of frames.
GstPadProbeReturn LocalMedia::startVideoWithKeyFrame(GstPad *, GstPadProbeInfo *info, gpointer self) {
    constexpr int kMaxSkipped = 30;
    auto *media = static_cast<LocalMedia *>(self);
    if (!media->sending_.load()) {
        return GST_PAD_PROBE_OK;
    }
    const GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    if (GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT) &&
        ++media->deltaFramesSkipped_ <= kMaxSkipped) {
        return GST_PAD_PROBE_DROP;
    }
    g_object_set(media->videoEncoder_.get(), "min-force-key-unit-interval", media->keyFrameInterval_,
                 nullptr);
    return GST_PAD_PROBE_REMOVE;
}

void LocalMedia::requestKeyFrame() {
    if (!videoEncoder_) {
        return;
    }
    GstPtr<GstPad> source(gst_element_get_static_pad(videoEncoder_.get(), "src"));
    if (source) {
        gst_pad_send_event(source.get(), gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
    }
}

bool LocalMedia::startScreenShare(const ScreenSource &source, ScreenShareBranch::EndedCallback ended,
                                  QString *error) {
    if (!videoInput_ || !pipeline_) {
        *error = tr("This call sends no video, so there is nothing a screen could replace.");
        return false;
    }
    stopScreenShare();
    // VP8 up to 1080p. H.264 stays within the level both sides agreed on (3.1: up to 1280x720).
    const QSize maxSize = format_.videoCodec == VideoCodec::H264 ? QSize(1280, 720) : QSize(1920, 1080);
    // Tuned before the switch: the new frame size makes the encoder start over with these settings.
    tuneEncoderForScreen(true);
    screenShare_ = ScreenShareBranch::start(pipeline_, videoInput_.get(), source, maxSize, std::move(ended), error);
    if (!screenShare_) {
        tuneEncoderForScreen(false);
        return false;
    }
    sharingScreen_.store(true, std::memory_order_relaxed);
    requestKeyFrame();
    return true;
}

void LocalMedia::stopScreenShare() {
    if (!screenShare_) {
        return;
    }
    tuneEncoderForScreen(false);
    screenShare_.reset();  // switches back to the camera branch and removes the capture
    sharingScreen_.store(false, std::memory_order_relaxed);
    requestKeyFrame();
}

// Screen content is mostly still and full of sharp edges: skip blocks that did not change
// (static-threshold, as libvpx recommends for screens), never let text blur past a quantizer
// ceiling, and spend the time on quality rather than speed. openh264 has a screen mode.
void LocalMedia::tuneEncoderForScreen(bool screen) {
    if (!videoEncoder_) {
        return;
    }
    if (format_.videoCodec == VideoCodec::H264) {
        gst_util_set_object_arg(G_OBJECT(videoEncoder_.get()), "usage-type", screen ? "screen" : "camera");
        return;
    }
    const int cameraSpeed = options_.width * options_.height > 640 * 480 ? 16 : 8;
    g_object_set(videoEncoder_.get(), "static-threshold", screen ? 100 : 0, "max-quantizer", screen ? 48 : 56,
                 "cpu-used", screen ? 8 : cameraSpeed, nullptr);
}

void LocalMedia::setVideoFormat(QSize size, int fps) {
    if (!adaptSize_) {
        return;
    }
    // Only the camera is scaled here; a share keeps the size ScreenShareBranch gave it.
    GstCapsPtr caps(size.isValid() && !sharingScreen_.load(std::memory_order_relaxed)
                        ? gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, size.width(), "height", G_TYPE_INT,
                                              size.height(), nullptr)
                        : gst_caps_new_empty_simple("video/x-raw"));
    GstCaps *current = nullptr;
    g_object_get(adaptSize_.get(), "caps", &current, nullptr);
    GstCapsPtr currentOwner(current);
    if (!current || !gst_caps_is_equal(current, caps.get())) {
        g_object_set(adaptSize_.get(), "caps", caps.get(), nullptr);
    }
    if (adaptRate_) {
        int currentFps = 0;
        g_object_get(adaptRate_.get(), "max-rate", &currentFps, nullptr);
        if (currentFps != fps) {
            g_object_set(adaptRate_.get(), "max-rate", fps, nullptr);
        }
    } else {
        frameRate_->setMaxFps(fps);
    }
    qCInfo(lcMedia).noquote() << "video now" << (size.isValid() ? QStringLiteral("%1x%2").arg(size.width()).arg(size.height()) : QStringLiteral("as captured"))
                              << "at up to" << fps << "fps";
}

void LocalMedia::setVideoBitrateKbps(int kbps) {
    if (videoEncoder_ && format_.videoCodec == VideoCodec::VP8) {
        setFrameDropping(kbps < options_.maxBitrateKbps);
    }
    kbps = std::clamp(kbps, options_.minBitrateKbps, options_.maxBitrateKbps);
    if (!videoEncoder_ || kbps == bitrateKbps_) {
        return;
    }
    bitrateKbps_ = kbps;
    pacer_->setTargetKbps(kbps);
    // vp8enc's target-bitrate and openh264enc's bitrate are both bits per second and may change live.
    const char *property = format_.videoCodec == VideoCodec::H264 ? "bitrate" : "target-bitrate";
    g_object_set(videoEncoder_.get(), property, kbps * 1000, nullptr);
}

// libvpx drops frames to keep its rate buffer from running dry: right when the rate is all a
// link carries, where an overshoot queues or is lost (a 300 kbit/s cap froze twice as long
// without it). At our own ceiling the link carries more, and dropping only costs the viewer:
// with 5 % loss, nothing else limiting and 720p frames over their share, libvpx 1.12 coded no
// frame at all for 2.7 s (vp8enc's debug log: every frame dropped), and in another call 4.6 s.
// There the overshoot goes out instead, and VideoAdaptation, which sees it, steps the picture
// down. vp8enc applies the property to the running encoder.
void LocalMedia::setFrameDropping(bool on) {
    if (on == frameDropping_) {
        return;
    }
    frameDropping_ = on;
    g_object_set(videoEncoder_.get(), "dropframe-threshold", on ? kDropFrameThreshold : 0, nullptr);
    qCDebug(lcMedia) << "encoder frame dropping" << (on ? "on" : "off");
}

}  // namespace confab
