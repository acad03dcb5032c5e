// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSize>
#include <QString>

namespace confab {

// What an X11 display offers to share: its screens and its top-level windows by title, read with
// Xlib on a short-lived connection of our own. Also the Xlib error handler every X11 share needs:
// Xlib's default one exits the process on the first error, and ximagesrc gets BadWindow/BadDrawable
// as soon as the window it captures is closed.
class X11WindowList {
public:
    struct Window {
        quint64 id = 0;
        QString title;
        QSize size;
    };
    struct Screen {
        int number = 0;
        QSize size;
    };

    // Opens `displayName` (empty: $DISPLAY); isOpen() is false when there is no X server to talk to.
    explicit X11WindowList(const QString &displayName = {});
    ~X11WindowList();
    X11WindowList(const X11WindowList &) = delete;
    X11WindowList &operator=(const X11WindowList &) = delete;

    bool isOpen() const { return display_ != nullptr; }
    QList<Screen> screens() const;
    // Mapped top-level windows with a title, topmost last: the window manager's client list when
    // there is one, else the root window's mapped children (no window manager, e.g. Xvfb).
    QList<Window> windows() const;
    // False once the window is destroyed (or when `id` never was one).
    bool windowExists(quint64 id) const;
    QString windowTitle(quint64 id) const;

    // Replaces Xlib's exit-on-error handler with one that logs, process-wide and once. Call before
    // any X11 capture starts; harmless where there is no X server.
    static void installErrorHandler();

private:
    void *display_ = nullptr;  // Display*, kept out of this header: Xlib's macros clash with Qt's
};

}  // namespace confab
