// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/Vp8TokenBuffer.h"

#include "util/Logging.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

namespace confab {

namespace {

// libvpx 1.12, vp8/encoder: tokens per macroblock (24 blocks of 16 coefficients) and
// sizeof(TOKENEXTRA) on 64-bit (a pointer, a short and two chars, padded).
constexpr std::size_t kTokensPerMacroblock = 24 * 16;
constexpr std::size_t kTokenBytes = 16;
// Where the tokens start in the block: glibc's block header (16 bytes), then vpx_memalign's stored
// address (8 bytes), aligned up to libvpx's 16 or 32.
constexpr std::size_t kTokenOffset = 32;
// glibc's flag for a block mmapped on its own (the low bits of the size word).
constexpr std::uintptr_t kIsMmapped = 0x2;
constexpr std::uintptr_t kFlagBits = 0x7;

std::atomic<std::uint64_t> released{0};

constexpr std::size_t kLargestRegion = std::size_t(4) << 30;

std::size_t pageSize() {
    static const std::size_t size = std::size_t(sysconf(_SC_PAGESIZE));
    return size;
}

// Reads a word of memory another thread may be writing; only compared, never trusted.
std::uintptr_t peek(std::uintptr_t address) {
    return *reinterpret_cast<const volatile std::uintptr_t *>(address);
}

struct Watch {
    std::size_t bufferBytes = 0;  // 0: not armed (no caps since the last release attempt)
    std::vector<std::uintptr_t> before;
};

GstPadProbeReturn onCaps(GstPad *, GstPadProbeInfo *info, gpointer data) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) {
        return GST_PAD_PROBE_OK;
    }
    auto *watch = static_cast<Watch *>(data);
    GstCaps *caps = nullptr;
    gst_event_parse_caps(event, &caps);
    const GstStructure *structure = caps ? gst_caps_get_structure(caps, 0) : nullptr;
    int width = 0;
    int height = 0;
    if (!structure || !gst_structure_get_int(structure, "width", &width) ||
        !gst_structure_get_int(structure, "height", &height) || width <= 0 || height <= 0) {
        watch->bufferBytes = 0;
        return GST_PAD_PROBE_OK;
    }
    // The encoder handles these caps (and may start) once this returns; what matches already is
    // not its new buffer.
    watch->bufferBytes = Vp8TokenBuffer::bufferBytes(width, height);
    watch->before = Vp8TokenBuffer::blocksFor(Vp8TokenBuffer::anonymousRegions(), watch->bufferBytes);
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn onFirstFrame(GstPad *, GstPadProbeInfo *, gpointer data) {
    auto *watch = static_cast<Watch *>(data);
    if (watch->bufferBytes == 0) {
        return GST_PAD_PROBE_OK;
    }
    const std::size_t bytes = std::exchange(watch->bufferBytes, 0);
    const gint64 start = g_get_monotonic_time();
    std::vector<std::uintptr_t> fresh;
    for (const std::uintptr_t block : Vp8TokenBuffer::blocksFor(Vp8TokenBuffer::anonymousRegions(), bytes)) {
        if (std::find(watch->before.begin(), watch->before.end(), block) == watch->before.end()) {
            fresh.push_back(block);
        }
    }
    watch->before.clear();
    if (fresh.size() != 1) {
        qCDebug(lcMedia) << "VP8 token buffer not released:" << fresh.size() << "new blocks of its size";
        return GST_PAD_PROBE_OK;
    }
    const std::size_t freed = Vp8TokenBuffer::releaseIfZero(fresh.front(), bytes);
    qCDebug(lcMedia) << "VP8 token buffer:" << freed / 1024 << "KiB of zero pages released in"
                     << (g_get_monotonic_time() - start) << "us";
    return GST_PAD_PROBE_OK;
}

}  // namespace

void Vp8TokenBuffer::releaseAfterStart(GstElement *encoder) {
#if defined(__SANITIZE_ADDRESS__)
    // Its allocator is not glibc's: no block to find, and looking would read its redzones.
    (void)encoder;
    return;
#endif
    static std::once_flag pinned;
    std::call_once(pinned, [] {
        // glibc mmaps blocks above a threshold that starts at 128 KiB and rises to the size of any
        // mmapped block freed: after one call's token buffer is freed, the next call's would come
        // from the heap, where it cannot be found. Pinned at the start value, every large block is
        // mmapped on its own, and unmapped (given back) as soon as it is freed.
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    });
    GstPad *pad = gst_element_get_static_pad(encoder, "sink");
    if (!pad) {
        return;
    }
    auto *watch = new Watch;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, &onCaps, watch,
                      [](gpointer data) { delete static_cast<Watch *>(data); });
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &onFirstFrame, watch, nullptr);
    gst_object_unref(pad);
}

std::uint64_t Vp8TokenBuffer::releasedBytes() {
    return released.load();
}

std::size_t Vp8TokenBuffer::bufferBytes(int width, int height) {
    const std::size_t macroblocks = std::size_t((width + 15) / 16) * std::size_t((height + 15) / 16);
    return macroblocks * kTokensPerMacroblock * kTokenBytes;
}

std::vector<Vp8TokenBuffer::Range> Vp8TokenBuffer::anonymousRegions() {
    std::vector<Range> regions;
    FILE *maps = std::fopen("/proc/self/maps", "re");
    if (!maps) {
        return regions;
    }
    char line[512];
    while (std::fgets(line, sizeof line, maps)) {
        std::uintptr_t begin = 0;
        std::uintptr_t end = 0;
        char permissions[5] = {};
        unsigned long long offset = 0;
        unsigned long inode = 0;
        int pathStart = 0;
        if (std::sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s %llx %*s %lu %n", &begin, &end, permissions,
                        &offset, &inode, &pathStart) >= 5 &&
            std::strcmp(permissions, "rw-p") == 0 && inode == 0 &&
            (pathStart == 0 || line[pathStart] == '\0' || line[pathStart] == '\n')) {
            regions.push_back({begin, end});  // named ones ([heap], [stack]) never hold such a block
        }
    }
    std::fclose(maps);
    return regions;
}

std::vector<std::uintptr_t> Vp8TokenBuffer::blocksFor(const std::vector<Range> &regions,
                                                      std::size_t bufferBytes) {
    const std::size_t page = pageSize();
    // glibc's mmapped block: header, tokens, rounded up to whole pages; allow a page of slack
    // rather than depend on its exact rounding.
    const std::size_t smallest = kTokenOffset + bufferBytes;
    const std::size_t largest = (smallest + 2 * page - 1) / page * page;
    std::vector<std::uintptr_t> blocks;
    std::vector<unsigned char> resident;
    for (const Range &region : regions) {
        const std::size_t length = region.end - region.begin;
        // Past kLargestRegion a mapping is address space held in reserve (AddressSanitizer's shadow
        // is terabytes), not blocks of malloc: a 4K frame's buffer is 200 MB.
        if (length < smallest || length > kLargestRegion) {
            continue;
        }
        // Only resident pages are read: reading one that is not would map a page in.
        resident.resize(length / page);
        if (mincore(reinterpret_cast<void *>(region.begin), length, resident.data()) != 0) {
            continue;
        }
        for (std::size_t i = 0; i < resident.size(); ++i) {
            if (!(resident[i] & 1)) {
                continue;
            }
            const std::uintptr_t at = region.begin + i * page;
            const std::uintptr_t size = peek(at + sizeof(std::uintptr_t));
            const std::size_t blockBytes = size & ~kFlagBits;
            if (peek(at) == 0 && (size & kFlagBits) == kIsMmapped && blockBytes >= smallest &&
                blockBytes <= largest && blockBytes % page == 0 && at + blockBytes <= region.end) {
                blocks.push_back(at);
            }
        }
    }
    return blocks;
}

std::size_t Vp8TokenBuffer::releaseIfZero(std::uintptr_t block, std::size_t bufferBytes) {
    const std::size_t page = pageSize();
    const std::size_t blockBytes = peek(block + sizeof(std::uintptr_t)) & ~kFlagBits;
    if (blockBytes < kTokenOffset + bufferBytes) {
        return 0;
    }
    // Everything after the header and libvpx's stored address: the tokens and the block's tail.
    // Plain reads (memcmp runs a page at a time, vectorised): nobody writes to a block found as
    // the one new block of its size while its encoder waits for this probe to return.
    static const std::vector<char> zeros(page, 0);
    const auto *first = reinterpret_cast<const char *>(block + kTokenOffset);
    if (std::memcmp(first, zeros.data(), page - kTokenOffset) != 0) {
        return 0;  // written already: not a buffer that has just been zeroed
    }
    for (std::uintptr_t at = block + page; at < block + blockBytes; at += page) {
        if (std::memcmp(reinterpret_cast<const char *>(at), zeros.data(), page) != 0) {
            return 0;
        }
    }
    // The first page keeps the block's header.
    const std::size_t length = blockBytes - page;
    if (madvise(reinterpret_cast<void *>(block + page), length, MADV_DONTNEED) != 0) {
        qCWarning(lcMedia) << "cannot release the VP8 token buffer's pages:" << std::strerror(errno);
        return 0;
    }
    released += length;
    return length;
}

}  // namespace confab
