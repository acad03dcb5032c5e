// SPDX-License-Identifier: GPL-3.0-or-later
// confab-screenshot-tour: drives the real main window through the moments users judge first —
// the contacts, an incoming call, a call with video — and saves each as a PNG. Run by
// scripts/screenshot under Xvfb (a real X server, so the real xcb platform and style); the people
// online are in-process peers sending test patterns, the server is the app's embedded one.
#include "CallWindow.h"
#include "ContactsPage.h"
#include "FakeDevices.h"
#include "IncomingCallDialog.h"
#include "MainWindow.h"
#include "RecentCalls.h"
#include "TestPeer.h"
#include "VideoWidget.h"
#include "media/MediaWarmup.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <cstdio>
#include <functional>
#include <memory>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 20000;

bool waitFor(const std::function<bool()> &condition, const char *what) {
    if (QTest::qWaitFor(condition, kTimeoutMs)) {
        return true;
    }
    std::fprintf(stderr, "confab-screenshot-tour: timed out waiting for %s\n", what);
    return false;
}

bool save(const QPixmap &pixmap, const QString &path) {
    if (pixmap.isNull() || !pixmap.save(path)) {
        std::fprintf(stderr, "confab-screenshot-tour: could not save %s\n", qPrintable(path));
        return false;
    }
    std::printf("%s\n", qPrintable(path));
    return true;
}

// The whole screen: the window and any dialog over it (Xvfb has no window manager, so no frames).
QPixmap screen(const QRect &area) {
    return QGuiApplication::primaryScreen()->grabWindow(0, area.x(), area.y(), area.width(), area.height());
}

}  // namespace

int main(int argc, char *argv[]) {
    gst_init(&argc, &argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("confab"));
    QApplication::setApplicationDisplayName(QStringLiteral("Confab"));
    const QStringList args = QApplication::arguments();
    const QString outDir = args.size() > 1 ? args.at(1) : QStringLiteral("docs/screenshots");
    QDir().mkpath(outDir);

    QTemporaryDir home;
    QSettings settings(home.filePath(QStringLiteral("confab.conf")), QSettings::IniFormat);
    // A history to show: what a user sees after a day of calls, one of them missed.
    const QString historyPath = home.filePath(QStringLiteral("recent-calls.json"));
    {
        RecentCalls history(historyPath);
        const QDateTime now = QDateTime::currentDateTime();
        history.add({QStringLiteral("bob"), now.addDays(-1).addSecs(-3 * 3600),
                     RecentCall::Direction::Outgoing, RecentCall::Outcome::Answered, 754});
        history.add({QStringLiteral("dave"), now.addSecs(-5400), RecentCall::Direction::Incoming,
                     RecentCall::Outcome::Missed, 0});
        history.add({QStringLiteral("echo"), now.addSecs(-1200), RecentCall::Direction::Outgoing,
                     RecentCall::Outcome::Answered, 48});
    }

    MainWindow::Options options;
    options.settings = &settings;
    options.recentCallsPath = historyPath;
    options.embeddedPort = 0;
    options.ringSink = QStringLiteral("fakesink sync=true");
    options.call.media.width = 640;
    options.call.media.height = 480;
    // No camera here: a stand-in camera whose picture (colour bars) tells the self-view apart from
    // the other side's test pattern (a ball).
    FakeDevices::install();
    FakeDevices::plug(QStringLiteral("Screenshot Camera"), "Video/Source",
                      QStringLiteral("videotestsrc is-live=true pattern=smpte"));
    options.call.media.video = VideoSourceKind::Camera;
    options.call.media.cameraDevice = QStringLiteral("Screenshot Camera");
    MainWindow window(options);
    const QSize size(960, 640);
    window.setGeometry(QRect(QPoint(0, 0), size));
    window.show();
    window.start({{}, QStringLiteral("alice"), {}});
    if (!waitFor([&] { return window.signaling()->state() == SignalingClient::State::LoggedIn; },
                 "sign-in")) {
        return 1;
    }
    const QUrl server = window.signaling()->url();
    std::vector<std::unique_ptr<TestPeer>> people;
    for (const char *name : {"bob", "carol", "dave", "Jörg", "<b>mallory</b>"}) {
        people.push_back(std::make_unique<TestPeer>(QString::fromUtf8(name), server));
        people.back()->controller->settings().media.width = 640;
        people.back()->controller->settings().media.height = 480;
    }
    TestPeer &carol = *people[1];
    if (!waitFor([&] { return window.contactsPage()->visibleUsers().size() == 6; }, "people online")) {
        return 1;
    }
    QListWidget *users = window.contactsPage()->userList();
    users->setCurrentItem(users->findItems(QStringLiteral("bob"), Qt::MatchExactly).value(0));
    users->setFocus();
    QTest::qWait(300);
    bool ok = save(screen(window.geometry()), outDir + QStringLiteral("/main-window.png"));

    // carol calls.
    QString error;
    carol.controller->call(QStringLiteral("alice"), &error);
    IncomingCallDialog *incoming = window.incomingCallDialog();
    if (!waitFor([&] { return incoming->isVisible(); }, "the incoming call")) {
        return 1;
    }
    incoming->adjustSize();
    incoming->move(window.geometry().center() - incoming->rect().center());
    QTest::qWait(400);
    ok = save(screen(window.geometry()), outDir + QStringLiteral("/incoming-call.png")) && ok;

    // alice answers with video; wait for both pictures and a few seconds of statistics.
    incoming->acceptVideoButton()->click();
    if (!waitFor([&] { return window.controller()->state() == CallState::Connected; },
                 "the call to connect") ||
        !waitFor([&] { return !window.callPage()->remoteVideo()->lastFrame().isNull(); }, "remote video")) {
        return 1;
    }
    carol.controller->sendChat(QStringLiteral("Hi Alice! Can you see the ball?"));
    if (auto *chat = window.callPage()->findChild<QToolButton *>(QStringLiteral("chatButton"))) {
        chat->setChecked(true);
    }
    if (auto *stats = window.callPage()->findChild<QToolButton *>(QStringLiteral("statsButton"))) {
        stats->setChecked(true);
    }
    QTest::qWait(3500);
    ok = save(screen(window.geometry()), outDir + QStringLiteral("/call.png")) && ok;

    window.controller()->hangUp();
    waitFor([&] { return window.controller()->state() == CallState::Idle; }, "hang-up");
    people.clear();
    MediaWarmup::wait();  // the embedded echo's warm-up thread
    return ok ? 0 : 1;
}
