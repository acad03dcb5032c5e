// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AccountSettings.h"
#include "CallWindow.h"
#include "ContactsPage.h"
#include "IncomingCallDialog.h"
#include "MainWindow.h"
#include "RecentCalls.h"
#include "SignInPage.h"
#include "TestPeer.h"

#include <QAbstractButton>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// Shared by the shell's tests: a MainWindow on a temporary settings file and data directory,
// sending small test media, with no sound device needed.
struct ShellFixture {
    QTemporaryDir dir;

    QString settingsPath() const { return dir.filePath(QStringLiteral("confab.conf")); }
    QString dataDir() const { return dir.filePath(QStringLiteral("data")); }

    std::unique_ptr<QSettings> openSettings() const {
        return std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
    }

    confab::ui::MainWindow::Options options(QSettings *settings, quint16 embeddedPort = 0) const {
        confab::ui::MainWindow::Options options;
        options.settings = settings;
        options.dataDir = dataDir();
        options.call.media = smallMedia();
        options.embeddedPort = embeddedPort;
        options.ringSink = QStringLiteral("fakesink sync=true");
        return options;
    }

    // `settings` must outlive the window.
    std::unique_ptr<confab::ui::MainWindow> window(QSettings *settings, quint16 embeddedPort = 0) const {
        auto w = std::make_unique<confab::ui::MainWindow>(options(settings, embeddedPort));
        w->show();
        return w;
    }

    // The call history of `name` on `server` (empty: this computer), as saved on disk.
    QList<confab::ui::RecentCall> history(const QUrl &server, const QString &name) const {
        const QString id =
            confab::ui::AccountSettings::id(server.isEmpty() ? QString() : server.toString(), name);
        return confab::ui::RecentCalls(confab::ui::MainWindow::historyPath(dataDir(), id)).entries();
    }
};

// A MainWindow as a person sees it: its pages, dialogs and status bar, found by type and object
// name (the window hands out none of its parts).
class ShellView {
public:
    explicit ShellView(confab::ui::MainWindow &window) : w_(window) {}

    template <typename T>
    T *part(const char *name = nullptr) const {
        return name ? w_.findChild<T *>(QString::fromLatin1(name)) : w_.findChild<T *>();
    }
    confab::ui::SignInPage *signInPage() const { return part<confab::ui::SignInPage>(); }
    confab::ui::ContactsPage *contactsPage() const { return part<confab::ui::ContactsPage>(); }
    confab::ui::CallWindow *callPage() const { return part<confab::ui::CallWindow>(); }
    confab::ui::IncomingCallDialog *incomingCallDialog() const {
        return part<confab::ui::IncomingCallDialog>();
    }
    QWidget *currentPage() const { return part<QStackedWidget>("pages")->currentWidget(); }
    bool showsSignIn() const { return currentPage() == signInPage(); }
    bool showsContacts() const { return currentPage() == contactsPage(); }
    bool showsCall() const { return currentPage() == callPage(); }
    QString connectionText() const { return part<QLabel>("connection")->text(); }
    QString statusMessage() const { return w_.statusBar()->currentMessage(); }
    // What the call lacks or works around (no camera, …), as the banner over the pages says it.
    QString noticeText() const { return part<QLabel>("noticeBanner")->text(); }
    // The call page's state line: "Ringing…", "Connected", …
    QString callState() const {
        return callPage()->findChild<QLabel *>(QStringLiteral("stateLabel"))->text();
    }
    QAbstractButton *callButton(const char *name) const {
        return callPage()->findChild<QAbstractButton *>(QString::fromLatin1(name));
    }
    // An open question box ("End the call?", "Call bob?"), or null.
    QMessageBox *question(const char *name) const {
        auto *box = part<QMessageBox>(name);
        return box && box->isVisible() ? box : nullptr;
    }
    // Online (or do not disturb) as `name`, with the contacts shown.
    bool signedInAs(const QString &name) const {
        return showsContacts() && (connectionText() == QStringLiteral("Online as %1").arg(name) ||
                                   connectionText().endsWith(QStringLiteral("signed in as %1").arg(name)));
    }
    bool waitSignedInAs(const QString &name, int timeoutMs = 20000) const {
        return QTest::qWaitFor([&] { return signedInAs(name); }, timeoutMs);
    }

private:
    confab::ui::MainWindow &w_;
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
