// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/ScreenSource.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace confab {

class X11WindowList;

// Checks an X11 share before it starts, and for a shared window, notices the window closing:
// ximagesrc would quietly capture the whole screen for a window id it cannot find, and once the
// window is gone it only meets X errors (which the process-wide handler logs and ignores), so
// the window is looked for every 500 ms. Screens and PipeWire streams need no watching (their
// capture fails on its own).
class SharedWindowWatch : public QObject {
    Q_OBJECT
public:
    // Null with *error when `source` cannot be shared (no X11 display, no such window). Installs
    // the logging Xlib error handler before any capture's first X request.
    static std::unique_ptr<SharedWindowWatch> prepare(const ScreenSource &source, QString *error);
    ~SharedWindowWatch() override;

    // Starts watching (a window share only; nothing to do otherwise).
    void start();

Q_SIGNALS:
    void windowClosed();

private:
    SharedWindowWatch(std::unique_ptr<X11WindowList> windows, quint64 window);
    void check();

    std::unique_ptr<X11WindowList> windows_;  // null: nothing to watch
    quint64 window_ = 0;
    QTimer timer_;
};

}  // namespace confab
