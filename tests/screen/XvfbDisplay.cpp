// SPDX-License-Identifier: GPL-3.0-or-later
#include "XvfbDisplay.h"

#include <QStandardPaths>
#include <QTest>

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <sys/prctl.h>

#include <csignal>

XvfbDisplay::~XvfbDisplay() {
    if (process_.state() != QProcess::NotRunning) {
        process_.terminate();
        if (!process_.waitForFinished(5000)) {
            process_.kill();
            process_.waitForFinished(5000);
        }
    }
}

bool XvfbDisplay::start(QSize screenSize, QString *error) {
    const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
    if (xvfb.isEmpty()) {
        *error = QStringLiteral("Xvfb is needed (package xvfb, in CONFAB_TEST_PACKAGES)");
        return false;
    }
    process_.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
    // -displayfd 1: Xvfb picks a free display number and writes it on stdout once it is ready.
    process_.start(xvfb, {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"),
                          QStringLiteral("0"),
                          QStringLiteral("%1x%2x24").arg(screenSize.width()).arg(screenSize.height()),
                          QStringLiteral("-nolisten"), QStringLiteral("tcp"), QStringLiteral("-br"),
                          // Without it the server resets when its last client goes (between two
                          // tests) and refuses connections for a moment while it does.
                          QStringLiteral("-noreset")});
    if (!process_.waitForStarted(10000)) {
        *error = QStringLiteral("Xvfb did not start: %1").arg(process_.errorString());
        return false;
    }
    if (!QTest::qWaitFor([this] { return process_.canReadLine(); }, 20000)) {
        *error = QStringLiteral("Xvfb did not report its display: %1")
                     .arg(QString::fromLocal8Bit(process_.readAllStandardError()));
        return false;
    }
    name_ = QLatin1Char(':') + QString::fromLatin1(process_.readLine().trimmed());
    return true;
}

SolidWindow::SolidWindow(const QString &display, QSize size, Rgb colour, const QString &title) {
    ::Display *x = XOpenDisplay(display.toLocal8Bit().constData());
    display_ = x;
    if (!x) {
        error_ = QStringLiteral("cannot open X display %1").arg(display);
        return;
    }
    const int screen = DefaultScreen(x);
    // A 24-bit TrueColor visual: the pixel value is the RGB value.
    const unsigned long pixel = (unsigned long)(colour.red << 16 | colour.green << 8 | colour.blue);
    const ::Window window =
        XCreateSimpleWindow(x, RootWindow(x, screen), 0, 0, size.width(), size.height(), 0, pixel, pixel);
    XStoreName(x, window, title.toUtf8().constData());
    XSelectInput(x, window, ExposureMask);
    XMapRaised(x, window);
    // Mapped and painted before anyone captures it: no window manager, so the first Expose says so.
    XEvent event;
    XWindowEvent(x, window, ExposureMask, &event);
    XSync(x, False);
    window_ = window;
}

SolidWindow::~SolidWindow() {
    destroy();
    if (display_) {
        XCloseDisplay(static_cast<::Display *>(display_));
    }
}

void SolidWindow::resize(QSize size) {
    if (display_ && window_) {
        XResizeWindow(static_cast<::Display *>(display_), ::Window(window_), size.width(), size.height());
        XSync(static_cast<::Display *>(display_), False);
    }
}

void SolidWindow::destroy() {
    if (display_ && window_) {
        XDestroyWindow(static_cast<::Display *>(display_), ::Window(window_));
        XSync(static_cast<::Display *>(display_), False);
        window_ = 0;
    }
}
