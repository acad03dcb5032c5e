// SPDX-License-Identifier: GPL-3.0-or-later
// confab-screenshot-tour: drives the real main window through the moments users judge first —
// the contacts, a call that rings, an incoming call, a call with video — and saves each as a PNG,
// in a light or a dark style. Run by scripts/screenshot under Xvfb (a real X server, so the real
// xcb platform and style); the people online are in-process peers sending test patterns, the
// server is the app's embedded one.
//   confab-screenshot-tour OUTPUT_DIR light|dark
#include "FakeDevices.h"
#include "RecentCalls.h"
#include "TestPeer.h"
#include "UiTestSupport.h"
#include "VideoWidget.h"
#include "media/MediaWarmup.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStyleFactory>
#include <QTcpServer>
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
const QSize kWindow(1280, 800);

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

// Fusion's colours for a dark desktop, as a dark theme gives them to Qt apps.
QPalette darkPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::WindowText, QColor(0xe8, 0xea, 0xed));
    p.setColor(QPalette::Base, QColor(0x1f, 0x21, 0x24));
    p.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::ToolTipBase, QColor(0x1f, 0x21, 0x24));
    p.setColor(QPalette::ToolTipText, QColor(0xe8, 0xea, 0xed));
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa6));
    p.setColor(QPalette::Text, QColor(0xe8, 0xea, 0xed));
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
    p.setColor(QPalette::ButtonText, QColor(0xe8, 0xea, 0xed));
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, QColor(0x3b, 0x82, 0xf6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x8a, 0xb4, 0xf8));
    p.setColor(QPalette::Mid, QColor(0x44, 0x47, 0x4d));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x84, 0x8a));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x84, 0x8a));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x84, 0x8a));
    return p;
}

}  // namespace

int main(int argc, char *argv[]) {
    gst_init(&argc, &argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("confab"));
    QApplication::setApplicationDisplayName(QStringLiteral("Confab"));
    const QStringList args = QApplication::arguments();
    const QString outDir = args.value(1, QStringLiteral("docs/screenshots"));
    const QString theme = args.value(2, QStringLiteral("light"));
    QDir().mkpath(outDir);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    if (theme == QLatin1StringView("dark")) {
        QApplication::setPalette(darkPalette());
    }
    const auto file = [&](const char *name) {
        return QStringLiteral("%1/%2-%3.png").arg(outDir, QLatin1StringView(name), theme);
    };

    QTemporaryDir home;
    QSettings settings(home.filePath(QStringLiteral("confab.conf")), QSettings::IniFormat);
    const QString dataDir = home.filePath(QStringLiteral("data"));
    // A history to show: what a user sees after a day of calls, one of them missed and new.
    {
        RecentCalls history(
            MainWindow::historyPath(dataDir, AccountSettings::id({}, QStringLiteral("alice"))));
        const QDateTime now = QDateTime::currentDateTime();
        history.add({QStringLiteral("bob"), now.addDays(-1).addSecs(-3 * 3600),
                     RecentCall::Direction::Outgoing, RecentCall::Outcome::Answered, 754});
        history.add({QStringLiteral("carol"), now.addDays(-1).addSecs(-2000), RecentCall::Direction::Incoming,
                     RecentCall::Outcome::Missed, 0});
        history.markAllSeen();
        history.add({QStringLiteral("Jörg"), now.addSecs(-7200), RecentCall::Direction::Outgoing,
                     RecentCall::Outcome::NoAnswer, 0});
        history.add({QStringLiteral("dave"), now.addSecs(-5400), RecentCall::Direction::Incoming,
                     RecentCall::Outcome::Missed, 0});
        history.add({QStringLiteral("echo"), now.addSecs(-1200), RecentCall::Direction::Outgoing,
                     RecentCall::Outcome::Answered, 48});
    }

    MainWindow::Options options;
    options.settings = &settings;
    options.dataDir = dataDir;
    // A free port for the embedded server, so the other people know where to sign in.
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        options.embeddedPort = probe.serverPort();
    }
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
    const ShellView v(window);
    window.setGeometry(QRect(QPoint(0, 0), kWindow));
    window.show();
    window.activateWindow();
    window.start({{}, QStringLiteral("alice"), {}});
    if (!waitFor([&] { return v.signedInAs(QStringLiteral("alice")); }, "sign-in")) {
        return 1;
    }
    const QUrl server(QStringLiteral("ws://127.0.0.1:%1/").arg(options.embeddedPort));
    std::vector<std::unique_ptr<TestPeer>> people;
    for (const char *name : {"bob", "carol", "dave", "Jörg", "<b>mallory</b>"}) {
        people.push_back(std::make_unique<TestPeer>(QString::fromUtf8(name), server));
        // A 16:9 picture, as most cameras send: the stage keeps its shape.
        people.back()->controller->settings().media.width = 960;
        people.back()->controller->settings().media.height = 540;
    }
    TestPeer &carol = *people[1];
    if (!waitFor([&] { return v.contactsPage()->visibleUsers().size() == 6; }, "people online")) {
        return 1;
    }
    QListWidget *users = v.contactsPage()->userList();
    users->setCurrentItem(users->findItems(QStringLiteral("bob"), Qt::MatchExactly).value(0));
    users->setFocus();
    QTest::qWait(300);
    bool ok = save(screen(window.geometry()), file("main-window"));

    // alice calls dave, whose phone rings: his avatar and name, large, while there is no picture.
    v.contactsPage()->filterField()->setText(QStringLiteral("dave"));
    v.contactsPage()->callButton()->click();
    if (!waitFor([&] { return v.callState() == QStringLiteral("Ringing…"); }, "dave's phone to ring")) {
        return 1;
    }
    QTest::qWait(600);
    ok = save(screen(window.geometry()), file("calling")) && ok;
    v.callButton("hangUpButton")->click();
    if (!waitFor([&] { return v.showsContacts(); }, "the cancelled call")) {
        return 1;
    }
    window.statusBar()->clearMessage();

    // carol calls.
    QString error;
    carol.controller->call(QStringLiteral("alice"), &error);
    IncomingCallDialog *incoming = v.incomingCallDialog();
    if (!waitFor([&] { return incoming->isVisible(); }, "the incoming call")) {
        return 1;
    }
    incoming->adjustSize();
    incoming->move(window.geometry().center() - incoming->rect().center());
    QTest::qWait(400);
    ok = save(screen(window.geometry()), file("incoming-call")) && ok;

    // alice answers with video; wait for both pictures and a few seconds of statistics.
    incoming->acceptVideoButton()->click();
    if (!waitFor([&] { return v.callState() == QStringLiteral("Connected"); }, "the call to connect") ||
        !waitFor([&] { return !v.callPage()->remoteVideo()->showsPlaceholder(); }, "remote video") ||
        !waitFor([&] { return !v.callPage()->localVideo()->showsPlaceholder(); }, "the self-view")) {
        return 1;
    }
    carol.controller->sendChat(QStringLiteral("Hi Alice! Can you see the ball?"));
    v.callButton("chatButton")->click();
    v.callButton("statsButton")->click();
    // Past the call's start-up seconds, which the quality indicator leaves out (CallQuality).
    QTest::qWait(6500);
    // The pointer rests away from the buttons, as after a moment in a call.
    ok = save(screen(window.geometry()), file("call")) && ok;

    v.callButton("hangUpButton")->click();
    waitFor([&] { return v.showsContacts(); }, "hang-up");
    people.clear();
    MediaWarmup::wait();  // the embedded echo's warm-up thread
    return ok ? 0 : 1;
}
