// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "MainWindow.h"
#include "TestPeer.h"

#include <QImage>
#include <QSettings>
#include <QTemporaryDir>

#include <memory>

// Shared by the shell's tests: a MainWindow on a temporary settings file and history, sending
// small test media, with no sound device needed.
struct ShellFixture {
    QTemporaryDir dir;

    QString settingsPath() const { return dir.filePath(QStringLiteral("confab.conf")); }
    QString historyPath() const { return dir.filePath(QStringLiteral("recent-calls.json")); }

    std::unique_ptr<QSettings> openSettings() const {
        return std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
    }

    // `settings` must outlive the window.
    std::unique_ptr<confab::ui::MainWindow> window(QSettings *settings, quint16 embeddedPort = 0) const {
        confab::ui::MainWindow::Options options;
        options.settings = settings;
        options.recentCallsPath = historyPath();
        options.call.media = smallMedia();
        options.embeddedPort = embeddedPort;
        options.ringSink = QStringLiteral("fakesink sync=true");
        auto w = std::make_unique<confab::ui::MainWindow>(options);
        w->show();
        return w;
    }
};

// True when most of the frame's border (away from the moving ball) has the colour of the test
// pattern's background, 0x305080 (LocalMedia: videotestsrc pattern=ball), within codec error.
inline bool showsTestPatternBackground(const QImage &frame) {
    if (frame.isNull()) {
        return false;
    }
    int matching = 0;
    int total = 0;
    for (int x = 2; x < frame.width() - 2; x += frame.width() / 16) {
        for (int y : {2, frame.height() - 3}) {
            const QColor c = frame.pixelColor(x, y);
            ++total;
            if (qAbs(c.red() - 0x30) < 28 && qAbs(c.green() - 0x50) < 28 && qAbs(c.blue() - 0x80) < 28) {
                ++matching;
            }
        }
    }
    return matching * 4 >= total * 3;
}
