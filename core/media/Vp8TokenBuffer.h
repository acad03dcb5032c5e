// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace confab {

// Gives back to the kernel the pages libvpx's VP8 encoder fills with zeros when it starts.
//
// The encoder sizes its token buffer for the worst case of a whole frame, `macroblocks × 384`
// tokens of 16 bytes (21 MB at 720p, 50 MB at 1080p), and allocates it with vpx_calloc, which
// memsets it: every page is resident from the start, although a real-time frame writes a few
// hundred KB of it (tokens are written and packed within one frame, from the start of the buffer).
// Only a libvpx configured --enable-realtime-only sizes it for a few macroblocks; Debian's is not,
// and no encoder setting changes it. madvise(MADV_DONTNEED) on private anonymous memory drops the
// pages, and they read back as zeros: what the encoder wrote. Pages return only as tokens fill
// them. The encoded stream is the same bit for bit (tests/call/tst_vp8tokenbuffer).
//
// Finding it: the buffer is one block of glibc's malloc, mmapped on its own, of a size known from
// the frame size. Between the encoder's caps and its first frame (both on its streaming thread,
// where it initialises in between) we look for a page that starts such a block (glibc's block
// header: no previous size, the size, the mmapped flag) that was not there at the caps, check that
// the whole buffer is zeros, and release its pages. No match, more than one new match (two encoders
// starting at once) or a non-zero byte: nothing is touched, and the memory stays as libvpx made it.
class Vp8TokenBuffer {
public:
    // Watches a vp8enc's sink pad for as long as the pad lives (every caps change: a new buffer).
    static void releaseAfterStart(GstElement *encoder);

    // Bytes of token buffers released in this process so far.
    static std::uint64_t releasedBytes();

    // The parts, apart from GStreamer, so that they can be tested on memory of the test's own.
    struct Range {
        std::uintptr_t begin = 0;
        std::uintptr_t end = 0;
    };
    // Bytes of the token buffer of a `width` × `height` encoder.
    static std::size_t bufferBytes(int width, int height);
    // Page addresses in `regions` (resident pages only) that start an mmapped malloc block able to
    // hold `bufferBytes` and no more than needs be.
    static std::vector<std::uintptr_t> blocksFor(const std::vector<Range> &regions, std::size_t bufferBytes);
    // Releases the block at `block` if the buffer in it is all zeros; the bytes released, or 0.
    static std::size_t releaseIfZero(std::uintptr_t block, std::size_t bufferBytes);
    // Private, writable, anonymous mappings of this process.
    static std::vector<Range> anonymousRegions();
};

}  // namespace confab
