// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDebug>
#include <QProcess>
#include <QSize>
#include <QString>

// A colour as 8-bit red, green, blue (QColor would pull in QtGui).
struct Rgb {
    int red = 0;
    int green = 0;
    int blue = 0;
    bool valid = false;
};

inline QDebug operator<<(QDebug debug, const Rgb &c) {
    return debug.nospace() << "rgb(" << c.red << ", " << c.green << ", " << c.blue << ")";
}

// An X server of the test's own: Xvfb on a display number it picks itself (-displayfd, so two
// tests never race for one), gone when the test is.
class XvfbDisplay {
public:
    XvfbDisplay() = default;
    ~XvfbDisplay();
    XvfbDisplay(const XvfbDisplay &) = delete;
    XvfbDisplay &operator=(const XvfbDisplay &) = delete;

    // False with *error when Xvfb is missing or does not start.
    bool start(QSize screenSize, QString *error);
    QString name() const { return name_; }  // ":N"
    // What Xvfb printed on stderr so far, for failure messages.
    QString log() { return log_ += QString::fromLocal8Bit(process_.readAllStandardError()); }

private:
    QProcess process_;
    QString name_;
    QString log_;
};

// A top-level window filled with one colour, made with Xlib on its own connection: what a person
// would share. Its contents are the window background, which the server paints itself.
class SolidWindow {
public:
    SolidWindow(const QString &display, QSize size, Rgb colour, const QString &title);
    ~SolidWindow();
    SolidWindow(const SolidWindow &) = delete;
    SolidWindow &operator=(const SolidWindow &) = delete;

    bool isShown() const { return window_ != 0; }
    QString error() const { return error_; }
    quint64 id() const { return window_; }
    void resize(QSize size);
    // Destroys the window now (as closing it would), keeping the connection.
    void destroy();

private:
    void *display_ = nullptr;
    quint64 window_ = 0;
    QString error_;
};
