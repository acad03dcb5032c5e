// SPDX-License-Identifier: GPL-3.0-or-later
// Vp8TokenBuffer: libvpx's zero-filled token buffer is found and its pages given back, the encoded
// stream stays the same bit for bit, and memory that does not look exactly like that buffer (the
// wrong size or flags, a page not resident, one byte written) is never touched.
#include "media/Vp8TokenBuffer.h"
#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <QCryptographicHash>
#include <QTest>

#include <cstring>
#include <utility>

#include <sys/mman.h>
#include <unistd.h>

using confab::GErrorPtr;
using confab::GstPtr;
using confab::out;
using confab::Vp8TokenBuffer;

namespace {

const std::size_t kPage = std::size_t(sysconf(_SC_PAGESIZE));

// Anonymous memory of the test's own, unmapped when it goes.
struct Mapping {
    std::size_t length;
    std::uintptr_t begin;
    explicit Mapping(std::size_t bytes)
        : length(bytes),
          begin(reinterpret_cast<std::uintptr_t>(
              mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))) {}
    Mapping(Mapping &&other) noexcept : length(std::exchange(other.length, 0)), begin(other.begin) {}
    Mapping(const Mapping &) = delete;
    Mapping &operator=(const Mapping &) = delete;
    ~Mapping() {
        if (length > 0) {
            munmap(reinterpret_cast<void *>(begin), length);
        }
    }
    Vp8TokenBuffer::Range range() const { return {begin, begin + length}; }
    // Writes what glibc puts at the start of a block it mmapped on its own.
    void writeHeader(std::uintptr_t at, std::uintptr_t sizeWord) const {
        reinterpret_cast<std::uintptr_t *>(at)[0] = 0;
        reinterpret_cast<std::uintptr_t *>(at)[1] = sizeWord;
    }
    void touchAll() const { std::memset(reinterpret_cast<void *>(begin), 0, length); }
    // All resident, holding one mmapped block of `blockBytes` (a header, then zeros).
    static Mapping residentBlock(std::size_t blockBytes) {
        Mapping memory(blockBytes);
        memory.touchAll();
        memory.writeHeader(memory.begin, blockBytes | 0x2);
        return memory;
    }
};

bool resident(std::uintptr_t page) {
    unsigned char in = 0;
    return mincore(reinterpret_cast<void *>(page), kPage, &in) == 0 && (in & 1);
}

// The block glibc would make for a buffer of `bytes`: header, libvpx's offset, whole pages.
std::size_t blockFor(std::size_t bytes) {
    return (32 + bytes + 8 + kPage - 1) / kPage * kPage;
}

// Encodes `frames` frames of a moving test pattern at `width` × `height` with the call's VP8
// settings; returns the SHA-256 of everything the encoder produced.
QByteArray encode(int width, int height, int frames, bool release) {
    const QString description =
        QStringLiteral(
            "videotestsrc num-buffers=%1 pattern=ball ! video/x-raw,format=I420,width=%2,height=%3,"
            "framerate=30/1 ! queue ! vp8enc name=venc deadline=1 end-usage=cbr lag-in-frames=0 "
            "buffer-size=1000 buffer-initial-size=500 buffer-optimal-size=600 undershoot=100 "
            "overshoot=15 min-quantizer=2 max-quantizer=56 cpu-used=16 error-resilient=default "
            "keyframe-max-dist=3000 threads=1 target-bitrate=1500000 ! fakesink name=sink")
            .arg(frames)
            .arg(width)
            .arg(height);
    GErrorPtr error;
    GstPtr<GstElement> pipeline(gst_parse_launch(description.toUtf8().constData(), out(error)));
    if (!pipeline) {
        return {};
    }
    GstPtr<GstElement> encoder(gst_bin_get_by_name(GST_BIN(pipeline.get()), "venc"));
    if (release) {
        Vp8TokenBuffer::releaseAfterStart(encoder.get());
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    GstPtr<GstPad> output(gst_element_get_static_pad(encoder.get(), "src"));
    gst_pad_add_probe(
        output.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad *, GstPadProbeInfo *info, gpointer data) {
            GstMapInfo map;
            if (gst_buffer_map(GST_PAD_PROBE_INFO_BUFFER(info), &map, GST_MAP_READ)) {
                static_cast<QCryptographicHash *>(data)->addData(
                    QByteArrayView(reinterpret_cast<const char *>(map.data), qsizetype(map.size)));
                gst_buffer_unmap(GST_PAD_PROBE_INFO_BUFFER(info), &map);
            }
            return GST_PAD_PROBE_OK;
        },
        &hash, nullptr);
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    GstPtr<GstBus> bus(gst_element_get_bus(pipeline.get()));
    GstMessage *message = gst_bus_timed_pop_filtered(bus.get(), 60 * GST_SECOND,
                                                     GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    const bool ended = message && GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS;
    if (message) {
        gst_message_unref(message);
    }
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    return ended ? hash.result() : QByteArray();
}

// AddressSanitizer's allocator replaces glibc's: libvpx's buffer then has no glibc block header,
// is never found, and nothing is released (the stream is still checked).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

}  // namespace

class TestVp8TokenBuffer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void theBufferHoldsEveryMacroblocksTokens() {
        QCOMPARE(Vp8TokenBuffer::bufferBytes(1280, 720), std::size_t(3600) * 384 * 16);  // 21,600 KiB
        QCOMPARE(Vp8TokenBuffer::bufferBytes(640, 480), std::size_t(1200) * 384 * 16);
        QCOMPARE(Vp8TokenBuffer::bufferBytes(1920, 1080),
                 std::size_t(120 * 68) * 384 * 16);  // rows rounded up
    }

    void onlyAnMmappedBlockOfTheBuffersSizeIsFound() {
        const std::size_t bytes = 64 * kPage;
        const std::size_t block = blockFor(bytes);
        Mapping memory(4 * block);
        memory.touchAll();
        const std::uintptr_t good = memory.begin;
        memory.writeHeader(good, block | 0x2);
        memory.writeHeader(good + block, block | 0x1);                    // in the heap, not mmapped
        memory.writeHeader(good + 2 * block, (block + 8 * kPage) | 0x2);  // another size
        const std::vector<std::uintptr_t> found = Vp8TokenBuffer::blocksFor({memory.range()}, bytes);
        QCOMPARE(found, std::vector<std::uintptr_t>{good});
        QVERIFY(Vp8TokenBuffer::blocksFor({memory.range()}, 2 * bytes).empty());
    }

    void pagesThatAreNotResidentAreNotRead() {
        const std::size_t bytes = 16 * kPage;
        const std::size_t block = blockFor(bytes);
        Mapping memory(2 * block);
        memory.writeHeader(memory.begin, block | 0x2);  // only the first page is resident
        const std::uintptr_t untouched = memory.begin + block;
        QVERIFY(!resident(untouched));
        QCOMPARE(Vp8TokenBuffer::blocksFor({memory.range()}, bytes),
                 std::vector<std::uintptr_t>{memory.begin});
        QVERIFY(!resident(untouched));  // looked past, not read in
    }

    void aZeroBufferIsReleasedAndReadsBackAsZeros() {
        const std::size_t bytes = 64 * kPage;
        const std::size_t block = blockFor(bytes);
        const Mapping memory = Mapping::residentBlock(block);
        const std::uint64_t before = Vp8TokenBuffer::releasedBytes();
        QCOMPARE(Vp8TokenBuffer::releaseIfZero(memory.begin, bytes), block - kPage);
        QCOMPARE(Vp8TokenBuffer::releasedBytes() - before, std::uint64_t(block - kPage));
        QVERIFY(resident(memory.begin));  // the header's page stays
        QVERIFY(!resident(memory.begin + kPage));
        QVERIFY(!resident(memory.begin + block - kPage));
        const auto *tokens = reinterpret_cast<const unsigned char *>(memory.begin + 32);
        QVERIFY(std::all_of(tokens, tokens + bytes, [](unsigned char b) { return b == 0; }));
    }

    void aBufferWithAnyByteWrittenIsLeftAlone() {
        const std::size_t bytes = 64 * kPage;
        const std::size_t block = blockFor(bytes);
        const Mapping memory = Mapping::residentBlock(block);
        reinterpret_cast<unsigned char *>(memory.begin)[block - 1] = 7;  // the very last byte
        QCOMPARE(Vp8TokenBuffer::releaseIfZero(memory.begin, bytes), std::size_t(0));
        QVERIFY(resident(memory.begin + kPage));
        QCOMPARE(reinterpret_cast<unsigned char *>(memory.begin)[block - 1], 7);
    }

    void theEncodedStreamIsTheSameWithTheBufferReleased() {
        const QByteArray kept = encode(1280, 720, 60, false);
        QVERIFY(!kept.isEmpty());
        const std::uint64_t before = Vp8TokenBuffer::releasedBytes();
        const QByteArray released = encode(1280, 720, 60, true);
        QCOMPARE(released.toHex(), kept.toHex());
        if (kAddressSanitizer) {
            QSKIP("AddressSanitizer's allocator makes no glibc blocks to find");
        }
        // The whole 720p buffer but the page holding the block's header.
        QVERIFY2(Vp8TokenBuffer::releasedBytes() - before >= Vp8TokenBuffer::bufferBytes(1280, 720) - kPage,
                 qPrintable(QString::number(Vp8TokenBuffer::releasedBytes() - before)));
    }

    void everyEncoderInTheProcessHasItsBufferReleased() {
        // A second call in the same process: glibc would have raised its mmap threshold to the
        // first buffer's size when that was freed, and put the next buffer in the heap.
        if (kAddressSanitizer) {
            QSKIP("AddressSanitizer's allocator makes no glibc blocks to find");
        }
        for (int call = 0; call < 2; ++call) {
            const std::uint64_t before = Vp8TokenBuffer::releasedBytes();
            QVERIFY(!encode(640, 480, 10, true).isEmpty());
            QVERIFY2(
                Vp8TokenBuffer::releasedBytes() - before >= Vp8TokenBuffer::bufferBytes(640, 480) - kPage,
                qPrintable(QStringLiteral("call %1").arg(call)));
        }
    }
};

QTEST_GUILESS_MAIN(TestVp8TokenBuffer)
#include "tst_vp8tokenbuffer.moc"
