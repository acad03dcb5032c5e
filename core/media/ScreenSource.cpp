// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/ScreenSource.h"

#include "util/Logging.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace confab {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("confab::ScreenSource", text);
}

}  // namespace

ScreenSource ScreenSource::x11Screen(const QString &displayName) {
    ScreenSource source;
    source.kind_ = Kind::X11Screen;
    source.displayName_ = displayName;
    return source;
}

ScreenSource ScreenSource::x11Window(quint64 windowId, const QString &title, const QString &displayName) {
    ScreenSource source;
    source.kind_ = Kind::X11Window;
    source.windowId_ = windowId;
    source.title_ = title;
    source.displayName_ = displayName;
    return source;
}

ScreenSource ScreenSource::pipeWire(int fd, quint32 node, const QString &title) {
    ScreenSource source;
    source.kind_ = Kind::PipeWire;
    const int own = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
    if (own < 0) {
        // pipewiresrc then fails to connect, and the share ends with that error as a sentence.
        qCWarning(lcMedia) << "screen share: the PipeWire descriptor could not be duplicated:"
                           << (fd >= 0 ? std::strerror(errno) : "none given");
    }
    source.fd_ = std::shared_ptr<const int>(new int(own), [](const int *owned) {
        if (*owned >= 0) {
            ::close(*owned);
        }
        delete owned;
    });
    source.node_ = node;
    source.title_ = title;
    return source;
}

QString ScreenSource::describe() const {
    switch (kind_) {
        case Kind::X11Screen:
            return tr("the whole screen");
        case Kind::X11Window:
            return title_.isEmpty() ? tr("a window") : tr("the window “%1”").arg(title_);
        case Kind::PipeWire:
            return title_.isEmpty() ? tr("the screen or window you chose") : title_;
    }
    return {};
}

QString ScreenSource::launchDescription(QSize maxSize) const {
    // Scaled to fit with square pixels: videoscale keeps the aspect ratio when both sides are free.
    const QString fit = QStringLiteral(
                            "videoconvert ! videoscale ! capsfilter caps=\"video/x-raw,format=I420,"
                            "width=(int)[16,%1],height=(int)[16,%2],pixel-aspect-ratio=(fraction)1/1\"")
                            .arg(maxSize.width())
                            .arg(maxSize.height());
    if (kind_ == Kind::PipeWire) {
        // PipeWire sends frames only when the picture changes; keepalive repeats the last one so
        // the encoder (and a receiver's jitter buffer) never starves, videorate evens the rate out.
        // pipewiresrc connects with a duplicate of the descriptor; ours stays open for the share.
        return QStringLiteral(
                   "pipewiresrc name=screenshare-capture fd=%1 path=%2 always-copy=true "
                   "keepalive-time=500 do-timestamp=true ! videorate ! capsfilter "
                   "caps=\"video/x-raw,framerate=%3/1\" ! %4")
            .arg(fd_ ? *fd_ : -1)
            .arg(node_)
            .arg(kFps)
            .arg(fit);
    }
    // use-damage=false: XDamage saves nothing here (we encode whole frames anyway) and has been
    // the source of stale-picture bugs. The capture rate is set at the source so nothing is
    // grabbed only to be dropped.
    QString capture = QStringLiteral("ximagesrc name=screenshare-capture use-damage=false show-pointer=true");
    // Display names look like ":1" or "host:0.1"; anything else would break the description.
    static const QRegularExpression kDisplayNamePattern(QStringLiteral("^[A-Za-z0-9:._/-]+$"));
    if (kDisplayNamePattern.match(displayName_).hasMatch()) {
        capture += QStringLiteral(" display-name=%1").arg(displayName_);
    }
    if (kind_ == Kind::X11Window) {
        capture += QStringLiteral(" xid=%1").arg(windowId_);
    }
    return QStringLiteral("%1 ! capsfilter caps=\"video/x-raw,framerate=%2/1\" ! %3")
        .arg(capture)
        .arg(kFps)
        .arg(fit);
}

}  // namespace confab
