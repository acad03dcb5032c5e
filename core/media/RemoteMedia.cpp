// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/RemoteMedia.h"

#include "util/GLibPtr.h"
#include "util/Logging.h"

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video.h>

#include <QCoreApplication>

namespace confab {

namespace {

// The decoders for what we negotiate. Depayloaders ask for a keyframe on loss and drop broken
// frames until one arrives, so loss shows as a short freeze rather than corruption.
const char *decodeChain(const char *encodingName) {
    if (g_strcmp0(encodingName, "VP8") == 0) {
        return "rtpvp8depay wait-for-keyframe=true request-keyframe=true ! vp8dec ! videoconvert";
    }
    if (g_strcmp0(encodingName, "H264") == 0) {
        return "rtph264depay request-keyframe=true ! h264parse ! openh264dec ! videoconvert";
    }
    if (g_strcmp0(encodingName, "OPUS") == 0) {
        return "rtpopusdepay ! opusdec use-inband-fec=true plc=true ! audioconvert ! audioresample";
    }
    return nullptr;
}

}  // namespace

RemoteMedia::RemoteMedia(SinkFactory sinks, FirstBufferCallback firstBuffer)
    : sinks_(std::move(sinks)), firstBuffer_(std::move(firstBuffer)) {}

bool RemoteMedia::link(GstBin *pipeline, GstPad *pad, QString *error) {
    GstCapsPtr caps(gst_pad_get_current_caps(pad));
    if (!caps) {
        caps.reset(gst_pad_query_caps(pad, nullptr));
    }
    const GstStructure *structure = caps ? gst_caps_get_structure(caps.get(), 0) : nullptr;
    const char *media = structure ? gst_structure_get_string(structure, "media") : nullptr;
    const char *encodingName = structure ? gst_structure_get_string(structure, "encoding-name") : nullptr;
    const char *chain = decodeChain(encodingName);
    if (!chain || !media) {
        *error = QCoreApplication::translate("confab::RemoteMedia", "The other side sent media we cannot decode (%1).")
                     .arg(QString::fromUtf8(encodingName ? encodingName : "unknown"));
        return false;
    }
    const MediaKind kind = g_strcmp0(media, "video") == 0 ? MediaKind::Video : MediaKind::Audio;
    noteCodec(kind, encodingName);

    GErrorPtr parseError;
    GstElement *decoder = gst_parse_bin_from_description(chain, TRUE, out(parseError));
    if (!decoder) {
        *error = QString::fromUtf8(parseError->message);
        return false;
    }
    GstElement *sink = sinks_ ? sinks_(kind) : nullptr;
    if (!sink) {
        sink = gst_element_factory_make("fakesink", nullptr);
        // enable-last-sample (on by default in every base sink) keeps a reference to the last
        // buffer for the last-sample property nobody reads here: one whole decoded frame (1.4 MB at
        // 720p) the decoder then cannot reuse, so its pool grows by a frame. (bench/call-cpu-memory)
        g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
    }
    gst_bin_add_many(pipeline, decoder, sink, nullptr);
    GstPtr<GstPad> decoded(gst_element_get_static_pad(decoder, "src"));
    gst_pad_add_probe(decoded.get(), GST_PAD_PROBE_TYPE_BUFFER, &RemoteMedia::countBuffer, this, nullptr);
    g_object_set_data(G_OBJECT(decoded.get()), "confab-kind", GINT_TO_POINTER(int(kind)));
    // The echo probe listens to what we play, just before it is played.
    const bool throughProbe = kind == MediaKind::Audio && echoProbe_ && !echoProbeLinked_.exchange(true);
    if (throughProbe ? !gst_element_link_many(decoder, echoProbe_.get(), sink, nullptr)
                     : !gst_element_link(decoder, sink)) {
        *error = QStringLiteral("cannot link the decoder to its sink");
        return false;
    }
    gst_element_sync_state_with_parent(sink);
    gst_element_sync_state_with_parent(decoder);
    GstPtr<GstPad> input(gst_element_get_static_pad(decoder, "sink"));
    if (g_strcmp0(encodingName, "OPUS") == 0) {
        gst_pad_add_probe(input.get(), GST_PAD_PROBE_TYPE_BUFFER, &RemoteMedia::countAudioPacket, this, nullptr);
    }
    if (GST_PAD_LINK_FAILED(gst_pad_link(pad, input.get()))) {
        *error = QStringLiteral("cannot link the incoming stream to its decoder");
        return false;
    }
    qCInfo(lcMedia) << "receiving" << media << encodingName;
    return true;
}

GstPadProbeReturn RemoteMedia::countBuffer(GstPad *pad, GstPadProbeInfo *, gpointer self) {
    auto *remote = static_cast<RemoteMedia *>(self);
    const auto kind = MediaKind(GPOINTER_TO_INT(g_object_get_data(G_OBJECT(pad), "confab-kind")));
    std::atomic<quint64> &counter = kind == MediaKind::Video ? remote->videoFrames_ : remote->audioBuffers_;
    if (kind == MediaKind::Video) {
        // Decoded and on its way to the picture, without waiting: the sinks do not sync.
        remote->freezes_.frameRendered(double(g_get_monotonic_time()) / 1000.0);
    }
    if (counter.fetch_add(1) == 0) {
        if (kind == MediaKind::Video) {
            GstCapsPtr caps(gst_pad_get_current_caps(pad));
            GstVideoInfo info;
            if (caps && gst_video_info_from_caps(&info, caps.get())) {
                remote->width_ = GST_VIDEO_INFO_WIDTH(&info);
                remote->height_ = GST_VIDEO_INFO_HEIGHT(&info);
            }
        }
        if (remote->firstBuffer_) {
            remote->firstBuffer_(kind);
        }
    } else if (kind == MediaKind::Video && (counter.load() % 30) == 0) {
        // The sender may change resolution mid-call (screen sharing): refresh now and then.
        GstCapsPtr caps(gst_pad_get_current_caps(pad));
        GstVideoInfo info;
        if (caps && gst_video_info_from_caps(&info, caps.get())) {
            remote->width_ = GST_VIDEO_INFO_WIDTH(&info);
            remote->height_ = GST_VIDEO_INFO_HEIGHT(&info);
        }
    }
    return GST_PAD_PROBE_OK;
}

// An Opus packet leaving the jitter buffer for the decoder: what was heard as sent.
GstPadProbeReturn RemoteMedia::countAudioPacket(GstPad *, GstPadProbeInfo *info, gpointer self) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (gst_rtp_buffer_map(GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ, &rtp)) {
        static_cast<RemoteMedia *>(self)->concealment_.packet(
            gst_rtp_buffer_get_timestamp(&rtp), static_cast<const quint8 *>(gst_rtp_buffer_get_payload(&rtp)),
            qsizetype(gst_rtp_buffer_get_payload_len(&rtp)));
        gst_rtp_buffer_unmap(&rtp);
    }
    return GST_PAD_PROBE_OK;
}

ReceiveCounters RemoteMedia::counters() const {
    ReceiveCounters counters;
    counters.videoFrames = videoFrames();
    counters.audioBuffers = audioBuffers();
    counters.videoSize = videoSize();
    counters.videoCodec = videoCodec();
    const FreezeCounter::Figures figures = freezes_.figures();
    counters.freezes = figures.freezes;
    counters.totalFreezeMs = figures.totalFreezeMs;
    counters.audioConcealedPercent = concealment_.concealedPercent();
    return counters;
}

void RemoteMedia::noteCodec(MediaKind kind, const char *encodingName) {
    if (kind == MediaKind::Video) {
        videoCodec_ = g_strcmp0(encodingName, "H264") == 0 ? 2 : 1;
    } else {
        haveAudio_ = true;
    }
}

QString RemoteMedia::videoCodec() const {
    switch (videoCodec_.load()) {
        case 1:
            return QStringLiteral("VP8");
        case 2:
            return QStringLiteral("H264");
        default:
            return {};
    }
}

QString RemoteMedia::audioCodec() const {
    return haveAudio_ ? QStringLiteral("OPUS") : QString();
}

}  // namespace confab
