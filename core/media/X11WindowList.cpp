// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/X11WindowList.h"

#include "util/Logging.h"

#include <QByteArray>

#include <mutex>

// Xlib last: its macros (None, Bool, Status, Window…) would clash with Qt's headers.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

namespace confab {

namespace {

::Display *xDisplay(void *display) {
    return static_cast<::Display *>(display);
}

int logXError(::Display *display, XErrorEvent *event) {
    char text[256] = {};
    XGetErrorText(display, event->error_code, text, sizeof text);
    // Expected while sharing a window that has just been closed; the window watch ends the share.
    qCDebug(lcMedia) << "X error ignored:" << text << "request" << int(event->request_code) << "resource"
                     << Qt::hex << event->resourceid;
    return 0;
}

// Errors from our own requests (a window that vanished between listing and asking) end up in the
// logging handler; each request's result says whether it worked.
QString textProperty(::Display *display, ::Window window, Atom property, Atom type) {
    Atom actualType = 0;
    int format = 0;
    unsigned long count = 0;
    unsigned long remaining = 0;
    unsigned char *data = nullptr;
    if (XGetWindowProperty(display, window, property, 0, 1024, False, type, &actualType, &format, &count,
                           &remaining, &data) != Success ||
        !data) {
        return {};
    }
    QString text =
        format == 8 ? QString::fromUtf8(reinterpret_cast<const char *>(data), int(count)) : QString();
    XFree(data);
    return text;
}

QList<::Window> windowListProperty(::Display *display, ::Window root, Atom property) {
    Atom actualType = 0;
    int format = 0;
    unsigned long count = 0;
    unsigned long remaining = 0;
    unsigned char *data = nullptr;
    QList<::Window> windows;
    if (XGetWindowProperty(display, root, property, 0, 4096, False, XA_WINDOW, &actualType, &format, &count,
                           &remaining, &data) == Success &&
        data && format == 32) {
        const auto *ids = reinterpret_cast<const unsigned long *>(data);  // format 32 is long in Xlib
        for (unsigned long i = 0; i < count; ++i) {
            windows.append(::Window(ids[i]));
        }
    }
    if (data) {
        XFree(data);
    }
    return windows;
}

}  // namespace

void X11WindowList::installErrorHandler() {
    static std::once_flag once;
    std::call_once(once, [] {
        XInitThreads();  // ximagesrc uses its connection from a streaming thread
        XSetErrorHandler(&logXError);
    });
}

X11WindowList::X11WindowList(const QString &displayName) {
    installErrorHandler();
    const QByteArray name = displayName.toLocal8Bit();
    display_ = XOpenDisplay(name.isEmpty() ? nullptr : name.constData());
    if (!display_) {
        qCDebug(lcMedia) << "no X display" << (name.isEmpty() ? qgetenv("DISPLAY") : name);
    }
}

X11WindowList::~X11WindowList() {
    if (display_) {
        XCloseDisplay(xDisplay(display_));
    }
}

QList<X11WindowList::Screen> X11WindowList::screens() const {
    QList<Screen> screens;
    if (!display_) {
        return screens;
    }
    ::Display *display = xDisplay(display_);
    for (int i = 0; i < ScreenCount(display); ++i) {
        screens.append(Screen{i, QSize(DisplayWidth(display, i), DisplayHeight(display, i))});
    }
    return screens;
}

QString X11WindowList::windowTitle(quint64 id) const {
    if (!display_) {
        return {};
    }
    ::Display *display = xDisplay(display_);
    const Atom netWmName = XInternAtom(display, "_NET_WM_NAME", False);
    const Atom utf8 = XInternAtom(display, "UTF8_STRING", False);
    QString title = textProperty(display, ::Window(id), netWmName, utf8);
    if (title.isEmpty()) {
        title = textProperty(display, ::Window(id), XA_WM_NAME, XA_STRING);
    }
    return title;
}

QList<X11WindowList::Window> X11WindowList::windows() const {
    QList<Window> result;
    if (!display_) {
        return result;
    }
    ::Display *display = xDisplay(display_);
    const ::Window root = DefaultRootWindow(display);
    QList<::Window> candidates =
        windowListProperty(display, root, XInternAtom(display, "_NET_CLIENT_LIST_STACKING", False));
    if (candidates.isEmpty()) {
        candidates = windowListProperty(display, root, XInternAtom(display, "_NET_CLIENT_LIST", False));
    }
    if (candidates.isEmpty()) {
        ::Window rootReturn = 0;
        ::Window parent = 0;
        ::Window *children = nullptr;
        unsigned int count = 0;
        if (XQueryTree(display, root, &rootReturn, &parent, &children, &count) && children) {
            for (unsigned int i = 0; i < count; ++i) {
                candidates.append(children[i]);  // bottom to top
            }
            XFree(children);
        }
    }
    for (const ::Window window : std::as_const(candidates)) {
        XWindowAttributes attributes;
        if (!XGetWindowAttributes(display, window, &attributes) || attributes.map_state != IsViewable ||
            attributes.c_class != InputOutput || attributes.width < 8 || attributes.height < 8) {
            continue;
        }
        const QString title = windowTitle(window);
        if (title.isEmpty()) {
            continue;  // helper windows without a name; a person cannot pick those anyway
        }
        result.append(Window{quint64(window), title, QSize(attributes.width, attributes.height)});
    }
    return result;
}

bool X11WindowList::windowExists(quint64 id) const {
    if (!display_ || id == 0) {
        return false;
    }
    XWindowAttributes attributes;
    // A destroyed window makes this fail with BadWindow, which the logging handler swallows.
    return XGetWindowAttributes(xDisplay(display_), ::Window(id), &attributes) != 0;
}

}  // namespace confab
