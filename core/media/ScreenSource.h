// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSize>
#include <QString>

#include <memory>

namespace confab {

// What a screen share captures — a whole X11 screen, one X11 window, or a PipeWire stream the
// desktop portal opened (Wayland) — and the GStreamer source that captures it. A value: the
// PipeWire descriptor is shared and closed when the last copy goes.
class ScreenSource {
public:
    enum class Kind { X11Screen = 1, X11Window, PipeWire };

    // Frames are scaled down to fit `maxSize` (aspect kept) and sent at `fps`: sharp text needs
    // pixels more than motion does.
    static constexpr int kFps = 15;

    static ScreenSource x11Screen(const QString &displayName = {});
    static ScreenSource x11Window(quint64 windowId, const QString &title, const QString &displayName = {});
    // `fd` is borrowed: the source keeps a duplicate of its own.
    static ScreenSource pipeWire(int fd, quint32 node, const QString &title = {});

    Kind kind() const { return kind_; }
    quint64 windowId() const { return windowId_; }
    QString displayName() const { return displayName_; }
    quint32 pipeWireNode() const { return node_; }
    QString title() const { return title_; }

    // For the user: "the whole screen", "the window “Terminal”", "the screen you chose".
    QString describe() const;
    // A gst-launch description ending in raw I420 video no larger than maxSize, at kFps.
    // The capture element is named "screenshare-capture" so its errors can be told from the call's.
    QString launchDescription(QSize maxSize) const;

private:
    Kind kind_ = Kind::X11Screen;
    quint64 windowId_ = 0;
    QString displayName_;
    // A plain descriptor, not QDBusUnixFileDescriptor: confab-core (and so every headless peer
    // and the server) then does not link QtDBus; only the portal (confab-screencast) does.
    std::shared_ptr<const int> fd_;
    quint32 node_ = 0;
    QString title_;
};

}  // namespace confab
