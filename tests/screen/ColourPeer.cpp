// SPDX-License-Identifier: GPL-3.0-or-later
#include "ColourPeer.h"

#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <gst/video/video.h>

using namespace confab;

ColourPeer::ColourPeer(const QString &name, const QUrl &server, VideoCodec codec) {
    CallController::Settings settings;
    settings.media.width = 160;
    settings.media.height = 120;
    settings.media.fps = 15;
    settings.media.codec = codec;  // what it offers when it calls
    settings.sinks = [this](MediaKind kind) -> GstElement * {
        if (kind != MediaKind::Video) {
            return nullptr;  // RemoteMedia's fakesink
        }
        GErrorPtr error;
        GstElement *bin = gst_parse_bin_from_description(
            "videoconvert ! video/x-raw,format=RGBx ! fakesink name=sink sync=false", TRUE, out(error));
        GstPtr<GstElement> sink(gst_bin_get_by_name(GST_BIN(bin), "sink"));
        GstPtr<GstPad> pad(gst_element_get_static_pad(sink.get(), "sink"));
        gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_BUFFER, &ColourPeer::measure, this, nullptr);
        return bin;
    };
    controller = std::make_unique<CallController>(&client, settings);
    watch_ = std::make_unique<PeerFailureWatch>(&client, controller.get(), name);
    client.connectToServer(server, name);
}

ColourPeer::~ColourPeer() {
    watch_->stop();      // whatever ending the call now causes is not the test's
    controller.reset();  // stops the pipeline before the measurements go away
}

Rgb ColourPeer::lastColour() const {
    const QMutexLocker lock(&mutex_);
    return colour_;
}

QSize ColourPeer::lastSize() const {
    const QMutexLocker lock(&mutex_);
    return size_;
}

bool ColourPeer::near(const Rgb &a, const Rgb &b, int tolerance) {
    return a.valid && b.valid && std::abs(a.red - b.red) <= tolerance &&
           std::abs(a.green - b.green) <= tolerance && std::abs(a.blue - b.blue) <= tolerance;
}

GstPadProbeReturn ColourPeer::measure(GstPad *pad, GstPadProbeInfo *info, gpointer self) {
    GstCapsPtr caps(gst_pad_get_current_caps(pad));
    GstVideoInfo videoInfo;
    if (!caps || !gst_video_info_from_caps(&videoInfo, caps.get())) {
        return GST_PAD_PROBE_OK;
    }
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &videoInfo, GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ)) {
        return GST_PAD_PROBE_OK;
    }
    const int width = GST_VIDEO_FRAME_WIDTH(&frame);
    const int height = GST_VIDEO_FRAME_HEIGHT(&frame);
    const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
    const auto *pixels = static_cast<const guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
    quint64 sums[3] = {};
    quint64 count = 0;
    // The middle half: clear of the test pattern's ball only on average, but of any edge effects.
    for (int y = height / 4; y < height * 3 / 4; y += 2) {
        for (int x = width / 4; x < width * 3 / 4; x += 2) {
            const guint8 *p = pixels + y * stride + x * 4;
            sums[0] += p[0];
            sums[1] += p[1];
            sums[2] += p[2];
            ++count;
        }
    }
    gst_video_frame_unmap(&frame);
    if (count == 0) {
        return GST_PAD_PROBE_OK;
    }
    auto *peer = static_cast<ColourPeer *>(self);
    {
        const QMutexLocker lock(&peer->mutex_);
        peer->colour_ = Rgb{int(sums[0] / count), int(sums[1] / count), int(sums[2] / count), true};
        peer->size_ = QSize(width, height);
    }
    ++peer->frames_;
    return GST_PAD_PROBE_OK;
}
