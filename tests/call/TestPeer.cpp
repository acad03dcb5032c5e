// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestPeer.h"

#include "util/GLibPtr.h"

#include <gst/video/video.h>

#include <QSignalSpy>

using namespace confab;

MediaOptions smallMedia() {
    MediaOptions media;
    media.width = 160;
    media.height = 120;
    media.fps = 15;
    return media;
}

TestPeer::TestPeer(const QString &name, const QUrl &server, int noAnswerTimeoutMs) {
    CallController::Settings settings;
    settings.media = smallMedia();
    settings.noAnswerTimeoutMs = noAnswerTimeoutMs;
    settings.sinks = [this](MediaKind kind) -> GstElement * {
        const bool video = kind == MediaKind::Video;
        const char *description = video ? "videoconvert ! video/x-raw,format=I420 ! fakesink name=sink sync=false"
                                         : "audioconvert ! audio/x-raw,format=S16LE ! fakesink name=sink sync=false";
        GErrorPtr error;
        GstElement *bin = gst_parse_bin_from_description(description, TRUE, out(error));
        GstElement *sink = gst_bin_get_by_name(GST_BIN(bin), "sink");
        GstPad *pad = gst_element_get_static_pad(sink, "sink");
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, video ? &TestPeer::measureVideo : &TestPeer::measureAudio,
                          this, nullptr);
        gst_object_unref(pad);
        gst_object_unref(sink);
        return bin;
    };
    controller = std::make_unique<CallController>(&client, settings);
    watch_ = std::make_unique<PeerFailureWatch>(&client, controller.get(), name);
    client.setBackoff(ReconnectBackoff(std::chrono::milliseconds(100), std::chrono::milliseconds(500)));
    client.connectToServer(server, name);
}

TestPeer::~TestPeer() {
    watch_->stop();      // whatever ending the call now causes is not the test's
    controller.reset();  // stops any pipeline before the measurements it writes go away
}

GstPadProbeReturn TestPeer::measureVideo(GstPad *pad, GstPadProbeInfo *info, gpointer self) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    GstVideoInfo videoInfo;
    const bool ok = caps && gst_video_info_from_caps(&videoInfo, caps);
    if (caps) {
        gst_caps_unref(caps);
    }
    GstVideoFrame frame;
    if (ok && gst_video_frame_map(&frame, &videoInfo, GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ)) {
        const auto *luma = static_cast<const guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
        const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
        quint64 sum = 0;
        quint64 count = 0;
        for (int y = 0; y < GST_VIDEO_FRAME_HEIGHT(&frame); y += 4) {
            for (int x = 0; x < GST_VIDEO_FRAME_WIDTH(&frame); x += 4) {
                sum += luma[y * stride + x];
                ++count;
            }
        }
        gst_video_frame_unmap(&frame);
        auto *peer = static_cast<TestPeer *>(self);
        peer->lastLuma = count ? int(sum / count) : -1;
        ++peer->videoFrames;
    }
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn TestPeer::measureAudio(GstPad *, GstPadProbeInfo *info, gpointer self) {
    GstMapInfo map;
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        const auto *samples = reinterpret_cast<const gint16 *>(map.data);
        int peak = 0;
        for (gsize i = 0; i < map.size / 2; ++i) {
            peak = std::max(peak, std::abs(int(samples[i])));
        }
        gst_buffer_unmap(buffer, &map);
        static_cast<TestPeer *>(self)->lastAudioPeak = peak;
    }
    return GST_PAD_PROBE_OK;
}
