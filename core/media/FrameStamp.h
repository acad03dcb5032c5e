// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <QtGlobal>

#include <functional>
#include <optional>

namespace confab {

// Glass-to-glass latency on one machine: the sender writes its clock into the picture before the
// encoder, the receiver reads it back after the decoder and subtracts it from the same clock.
// The stamp is a row of 16x16 luma blocks along the top of the Y plane, black (16) for 0 and
// white (235) for 1: 32 bits of the wall clock in ms (wraps every 49 days; the difference is taken
// modulo 2^32) then a CRC-8 of those four bytes (XOR 0xA5), 40 blocks (640 pixels) from the left. Blocks the
// size of a codec macroblock, aligned to the grid and at full contrast survive VP8 and H.264 at any
// sane bitrate; the CRC rejects a stamp the encoder smeared, or a picture that carries none.
// Frames narrower than 640 pixels wrap the blocks onto further 16-pixel rows.
class FrameStamp {
public:
    static constexpr int kBlock = 16;
    static constexpr int kBits = 40;

    // The clock both sides use: g_get_real_time() in ms.
    static double nowMs();

    // Writes `value` into an 8-bit luma plane; false when the plane is too small to hold it.
    static bool write(guint8 *luma, int stride, int width, int height, quint32 value);
    // The value written by write(), or nothing when the blocks are unreadable or the CRC fails.
    static std::optional<quint32> read(const guint8 *luma, int stride, int width, int height);
    static quint8 crc8(quint32 value);

    // Pad probes for raw video buffers (any format whose first plane is 8-bit luma: I420, NV12, ...).
    // addWriter stamps every frame with nowMs() as it passes `pad` (a probe on the encoder's sink pad).
    static gulong addWriter(GstPad *pad);
    // addReader calls `sample(latencyMs)` for every readable stamped frame passing `pad`, and
    // `sample(-1)` for a frame without a readable stamp. It runs on the streaming thread, so it must
    // only copy and post on; the probe keeps its own copy of `sample` for as long as the pad lives.
    using Sample = std::function<void(double latencyMs)>;
    static gulong addReader(GstPad *pad, Sample sample);
    // The same for each frame a sink renders: `fakesink`'s handoff, which comes after the sink waited
    // until the frame is due on the pipeline clock (with sync=true), as a video sink that shows it.
    static void addDisplayReader(GstElement *fakesink, Sample sample);
};

}  // namespace confab
