// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <sys/types.h>
#include <cstdint>

namespace confab {

// A YUV4MPEG2 (Y4M) file of 8-bit 4:2:0 frames, read frame by frame into memory the caller owns,
// in a loop: after the last frame comes the first again.
//
// FileSource reads a Y4M clip this way, straight into the frames of a buffer pool, so that playing
// it allocates nothing per frame. Through filesrc and y4mdec every 720p frame was a new 1.4 MB
// block (GstAdapter joins filesrc's 4 KiB reads into one), and glibc kept freed ones resident in
// the file thread's arena: 9.5-11 MiB there against ~4 MiB for the pool's frames
// (docs/performance.md, "Memory of a peer sending the clip").
//
// The format: one header line, "YUV4MPEG2 W<width> H<height> F<num>:<den>" and optional
// parameters (I interlacing, A pixel aspect, C colour space, X comments), then for every frame a
// line "FRAME" (with optional parameters) and the Y, U and V planes, packed. Only 4:2:0 colour
// spaces are read (no C, or C420, C420jpeg, C420paldv, C420mpeg2): FileSource gives any other
// file to GStreamer's own parser.
//
// One thread at a time: open() on one, then readFrame() on the streaming thread that plays it.
class Y4mFile {
public:
    struct Plane {
        uint8_t *data;
        int stride;  // bytes from one row to the next
    };

    Y4mFile() = default;
    ~Y4mFile();
    Y4mFile(const Y4mFile &) = delete;
    Y4mFile &operator=(const Y4mFile &) = delete;

    // Opens `path` (closing what was open), reads its header and checks that it holds at least one
    // whole frame; false with *error (a sentence) otherwise. The next frame read is the first.
    bool open(const QString &path, QString *error);

    int width() const { return width_; }
    int height() const { return height_; }
    int fpsNumerator() const { return fpsNumerator_; }
    int fpsDenominator() const { return fpsDenominator_; }
    // 1:1 when the header leaves it unknown (A0:0 or no A).
    int parNumerator() const { return parNumerator_; }
    int parDenominator() const { return parDenominator_; }
    // How many times reading went back to the first frame.
    int loops() const { return loops_; }

    // Reads the next frame into Y, U and V (`planes[0..2]`, whose rows are each at least the
    // plane's width). After the last whole frame (an incomplete one at the end is skipped) it goes
    // back to the first. False with *error when not even the first frame can be read any more
    // (the file was truncated or a read failed).
    bool readFrame(const Plane planes[3], QString *error);

private:
    bool parseHeader(const QByteArray &line, QString *error);
    // The length of the "FRAME..." line at `offset`, or 0 if there is none (the end).
    qint64 frameHeaderAt(off_t offset) const;
    // Reads `bytes` at `offset` into `data`; false on a short read or an error.
    bool readAt(off_t offset, void *data, qint64 bytes) const;
    // The frame at next_ into `planes`, next_ then after it; false at the end or on an error.
    bool readFrameAtNext(const Plane planes[3]);
    void close();

    int fd_ = -1;
    QString path_;
    int width_ = 0;
    int height_ = 0;
    int fpsNumerator_ = 0;
    int fpsDenominator_ = 0;
    int parNumerator_ = 1;
    int parDenominator_ = 1;
    off_t firstFrame_ = 0;
    off_t next_ = 0;
    int loops_ = 0;
};

}  // namespace confab
