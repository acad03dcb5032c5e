// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/Y4mFile.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace confab {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("confab::Y4mFile", text);
}

// Generous: real headers are under 100 bytes, a frame's line is "FRAME\n".
constexpr qint64 kMaxHeaderLine = 4096;
constexpr qint64 kMaxFrameLine = 256;
constexpr int kMaxSide = 16384;

// "N:D" with both positive (or both 0 where `zeroAllowed`).
bool parseRatio(const QByteArray &text, int *numerator, int *denominator, bool zeroAllowed) {
    const QList<QByteArray> parts = text.split(':');
    if (parts.size() != 2) {
        return false;
    }
    bool numberOk = false;
    bool denominatorOk = false;
    *numerator = parts[0].toInt(&numberOk);
    *denominator = parts[1].toInt(&denominatorOk);
    if (!numberOk || !denominatorOk) {
        return false;
    }
    if (zeroAllowed && *numerator == 0 && *denominator == 0) {
        return true;
    }
    return *numerator > 0 && *denominator > 0;
}

}  // namespace

Y4mFile::~Y4mFile() {
    close();
}

void Y4mFile::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

bool Y4mFile::open(const QString &path, QString *error) {
    close();
    path_ = path;
    loops_ = 0;
    fd_ = ::open(path.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
        *error = tr("Cannot read %1: %2.").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    QByteArray start(kMaxHeaderLine, Qt::Uninitialized);
    const ssize_t got = ::pread(fd_, start.data(), start.size(), 0);
    const qsizetype end = got > 0 ? start.left(got).indexOf('\n') : -1;
    if (end < 0) {
        *error = tr("%1 is not a YUV4MPEG2 file.").arg(path);
        close();
        return false;
    }
    if (!parseHeader(start.left(end), error)) {
        close();
        return false;
    }
    firstFrame_ = end + 1;
    next_ = firstFrame_;
    struct stat info {};
    const qint64 header = frameHeaderAt(firstFrame_);
    const qint64 size = qint64(width_) * height_ + 2 * qint64((width_ + 1) / 2) * ((height_ + 1) / 2);
    if (header == 0 || ::fstat(fd_, &info) != 0 || info.st_size < firstFrame_ + header + size) {
        *error = tr("%1 holds no whole frame.").arg(path);
        close();
        return false;
    }
    return true;
}

bool Y4mFile::parseHeader(const QByteArray &line, QString *error) {
    const QList<QByteArray> fields = line.split(' ');
    if (fields.isEmpty() || fields[0] != "YUV4MPEG2") {
        *error = tr("%1 is not a YUV4MPEG2 file.").arg(path_);
        return false;
    }
    width_ = height_ = fpsNumerator_ = fpsDenominator_ = 0;
    parNumerator_ = parDenominator_ = 1;
    for (qsizetype i = 1; i < fields.size(); ++i) {
        const QByteArray &field = fields[i];
        if (field.isEmpty()) {
            continue;
        }
        const QByteArray value = field.mid(1);
        bool ok = true;
        switch (field[0]) {
            case 'W':
                width_ = value.toInt(&ok);
                break;
            case 'H':
                height_ = value.toInt(&ok);
                break;
            case 'F':
                ok = parseRatio(value, &fpsNumerator_, &fpsDenominator_, false);
                break;
            case 'A':
                ok = parseRatio(value, &parNumerator_, &parDenominator_, true);
                if (ok && parNumerator_ == 0) {
                    parNumerator_ = parDenominator_ = 1;  // unknown: square pixels
                }
                break;
            case 'C':
                // 4:2:0 at 8 bits, whatever the chroma siting; not 420p10, 422, 444, mono, ...
                ok = value == "420" || value == "420jpeg" || value == "420paldv" || value == "420mpeg2";
                if (!ok) {
                    *error = tr("%1 has frames in colour space %2; only 4:2:0 is read directly.")
                                 .arg(path_, QString::fromLatin1(value));
                    return false;
                }
                break;
            default:  // I (interlacing: the frames are shown as they are), X (comments)
                break;
        }
        if (!ok) {
            *error = tr("%1 has a malformed header field: %2.").arg(path_, QString::fromLatin1(field));
            return false;
        }
    }
    if (width_ <= 0 || height_ <= 0 || fpsNumerator_ <= 0) {
        *error = tr("%1 does not give its frame size and rate.").arg(path_);
        return false;
    }
    if (width_ > kMaxSide || height_ > kMaxSide) {
        *error = tr("%1 has frames too large to play (%2x%3).").arg(path_).arg(width_).arg(height_);
        return false;
    }
    return true;
}

qint64 Y4mFile::frameHeaderAt(off_t offset) const {
    char line[kMaxFrameLine];
    const ssize_t got = ::pread(fd_, line, sizeof line, offset);
    if (got < 6 || std::memcmp(line, "FRAME", 5) != 0) {
        return 0;
    }
    const void *newline = std::memchr(line, '\n', size_t(got));
    return newline ? static_cast<const char *>(newline) - line + 1 : 0;
}

bool Y4mFile::readAt(off_t offset, void *data, qint64 bytes) const {
    auto *into = static_cast<char *>(data);
    while (bytes > 0) {
        const ssize_t got = ::pread(fd_, into, size_t(bytes), offset);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return false;
        }
        into += got;
        offset += got;
        bytes -= got;
    }
    return true;
}

bool Y4mFile::readFrameAtNext(const Plane planes[3]) {
    const qint64 header = frameHeaderAt(next_);
    if (header == 0) {
        return false;
    }
    off_t offset = next_ + header;
    for (int p = 0; p < 3; ++p) {
        const int width = p == 0 ? width_ : (width_ + 1) / 2;
        const int height = p == 0 ? height_ : (height_ + 1) / 2;
        if (planes[p].stride == width) {  // rows back to back, as in the file: one read
            if (!readAt(offset, planes[p].data, qint64(width) * height)) {
                return false;
            }
            offset += off_t(width) * height;
            continue;
        }
        for (int row = 0; row < height; ++row, offset += width) {
            if (!readAt(offset, planes[p].data + qint64(row) * planes[p].stride, width)) {
                return false;
            }
        }
    }
    next_ = offset;
    return true;
}

bool Y4mFile::readFrame(const Plane planes[3], QString *error) {
    if (fd_ < 0) {
        *error = tr("%1 is not open.").arg(path_);
        return false;
    }
    if (readFrameAtNext(planes)) {
        return true;
    }
    // The end, or an incomplete last frame: the first frame again.
    const bool wasFirst = next_ == firstFrame_;
    next_ = firstFrame_;
    if (!wasFirst && readFrameAtNext(planes)) {
        ++loops_;
        return true;
    }
    *error = tr("%1 cannot be read any more.").arg(path_);
    return false;
}

}  // namespace confab
