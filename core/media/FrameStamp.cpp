// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/FrameStamp.h"

#include <gst/video/video.h>

#include <array>
#include <cstring>

namespace confab {

namespace {

constexpr guint8 kBlack = 16;   // limited-range luma
constexpr guint8 kWhite = 235;

// The top-left corner of block `bit`, or false when it does not fit.
bool blockOrigin(int bit, int width, int height, int *x, int *y) {
    const int perRow = width / FrameStamp::kBlock;
    if (perRow <= 0) {
        return false;
    }
    *x = (bit % perRow) * FrameStamp::kBlock;
    *y = (bit / perRow) * FrameStamp::kBlock;
    return *y + FrameStamp::kBlock <= height;
}


// Maps the buffer's first plane with the pad's caps; false for anything that is not raw video.
bool mapLuma(GstPad *pad, GstBuffer *buffer, GstMapFlags flags, GstVideoFrame *frame) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps) {
        return false;
    }
    GstVideoInfo info;
    const bool ok = gst_video_info_from_caps(&info, caps) && GST_VIDEO_INFO_IS_YUV(&info) &&
                    GST_VIDEO_FORMAT_INFO_DEPTH(info.finfo, 0) == 8 &&
                    gst_video_frame_map(frame, &info, buffer, flags);
    gst_caps_unref(caps);
    return ok;
}

GstPadProbeReturn writeStamp(GstPad *pad, GstPadProbeInfo *info, gpointer) {
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstVideoFrame frame;
    if (mapLuma(pad, buffer, GST_MAP_WRITE, &frame)) {
        FrameStamp::write(static_cast<guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
                          GST_VIDEO_FRAME_HEIGHT(&frame), quint32(qint64(FrameStamp::nowMs())));
        gst_video_frame_unmap(&frame);
    }
    return GST_PAD_PROBE_OK;
}

// now − stamp for one buffer on `pad`, -1 for a frame without a readable stamp, nothing for a
// buffer that is not raw video.
std::optional<double> latencyOf(GstPad *pad, GstBuffer *buffer) {
    GstVideoFrame frame;
    if (!mapLuma(pad, buffer, GST_MAP_READ, &frame)) {
        return std::nullopt;
    }
    const std::optional<quint32> stamp =
        FrameStamp::read(static_cast<const guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                         GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
                         GST_VIDEO_FRAME_HEIGHT(&frame));
    gst_video_frame_unmap(&frame);
    if (!stamp) {
        return -1.0;
    }
    // The stamp holds whole ms (truncated), which adds 0-1 ms: take half a ms off so the figure is
    // unbiased (±0.5 ms). The difference is taken modulo 2^32, so the clock's wrap does not matter.
    const double now = FrameStamp::nowMs();
    const quint32 elapsedWholeMs = quint32(qint64(now)) - *stamp;
    return double(elapsedWholeMs) + (now - double(qint64(now))) - 0.5;
}

GstPadProbeReturn readStamp(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    if (const std::optional<double> latency = latencyOf(pad, GST_PAD_PROBE_INFO_BUFFER(info))) {
        (*static_cast<const FrameStamp::Sample *>(data))(*latency);
    }
    return GST_PAD_PROBE_OK;
}

// fakesink's handoff: emitted from render, after the sink waited for the buffer's time.
void readStampAtHandoff(GstElement *, GstBuffer *buffer, GstPad *pad, gpointer data) {
    if (const std::optional<double> latency = latencyOf(pad, buffer)) {
        (*static_cast<const FrameStamp::Sample *>(data))(*latency);
    }
}

}  // namespace

double FrameStamp::nowMs() {
    return double(g_get_real_time()) / 1000.0;
}

quint8 FrameStamp::crc8(quint32 value) {
    // CRC-8 (polynomial 0x07) over the four bytes, most significant first: catches every single
    // and double bit error in 40 bits. The final XOR keeps an all-black picture (camera off: 40 zero
    // bits) from reading as a valid stamp of 0.
    quint8 crc = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        crc ^= quint8(value >> shift);
        for (int i = 0; i < 8; ++i) {
            crc = (crc & 0x80) ? quint8((crc << 1) ^ 0x07) : quint8(crc << 1);
        }
    }
    return crc ^ 0xa5;
}

bool FrameStamp::write(guint8 *luma, int stride, int width, int height, quint32 value) {
    const quint64 bits = (quint64(value) << 8) | crc8(value);
    for (int bit = 0; bit < kBits; ++bit) {
        int x = 0;
        int y = 0;
        if (!blockOrigin(bit, width, height, &x, &y)) {
            return false;
        }
        const guint8 level = ((bits >> (kBits - 1 - bit)) & 1) ? kWhite : kBlack;
        for (int row = 0; row < kBlock; ++row) {
            std::memset(luma + std::ptrdiff_t(y + row) * stride + x, level, kBlock);
        }
    }
    return true;
}

std::optional<quint32> FrameStamp::read(const guint8 *luma, int stride, int width, int height) {
    quint64 bits = 0;
    for (int bit = 0; bit < kBits; ++bit) {
        int x = 0;
        int y = 0;
        if (!blockOrigin(bit, width, height, &x, &y)) {
            return std::nullopt;
        }
        // The inner 8x8 of each block: edges are where the codec's ringing is.
        int sum = 0;
        for (int row = 4; row < 12; ++row) {
            const guint8 *line = luma + std::ptrdiff_t(y + row) * stride + x + 4;
            for (int column = 0; column < 8; ++column) {
                sum += line[column];
            }
        }
        const int mean = sum / 64;
        // A block far from both levels is not a stamp (a picture without one, or a smeared one).
        if (mean > 80 && mean < 170) {
            return std::nullopt;
        }
        bits = (bits << 1) | (mean >= 128 ? 1 : 0);
    }
    const auto value = quint32(bits >> 8);
    if (crc8(value) != quint8(bits & 0xff)) {
        return std::nullopt;
    }
    return value;
}

gulong FrameStamp::addWriter(GstPad *pad) {
    return gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, writeStamp, nullptr, nullptr);
}

gulong FrameStamp::addReader(GstPad *pad, Sample sample) {
    return gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, readStamp, new Sample(std::move(sample)),
                             [](gpointer p) { delete static_cast<Sample *>(p); });
}

void FrameStamp::addDisplayReader(GstElement *fakesink, Sample sample) {
    g_object_set(fakesink, "signal-handoffs", TRUE, nullptr);
    g_signal_connect_data(fakesink, "handoff", G_CALLBACK(readStampAtHandoff), new Sample(std::move(sample)),
                          [](gpointer p, GClosure *) { delete static_cast<Sample *>(p); }, GConnectFlags(0));
}

}  // namespace confab
