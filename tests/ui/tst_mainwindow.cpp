// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop shell over a real in-process server and real calls: signing in and its failures,
// presence and filtering, placing and answering calls, hanging up from either side, names shown
// literally, do-not-disturb, and what survives a restart (settings, call history).
#include "CallWindow.h"
#include "ContactsPage.h"
#include "IncomingCallDialog.h"
#include "MainWindow.h"
#include "RingTone.h"
#include "SettingsDialog.h"
#include "SignInPage.h"
#include "UiTestSupport.h"
#include "VideoWidget.h"
#include "media/MediaWarmup.h"
#include "signaling/PasswordFile.h"
#include "signaling/SignalingServer.h"

#include <QAbstractButton>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTcpServer>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 20000;

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;
    QUrl url_;

    void startServer(quint16 port = 0) {
        SignalingServerOptions options;
        options.port = port;
        options.presenceBatchMilliseconds = 20;
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
        url_ = server_->url();
    }

    std::unique_ptr<TestPeer> peer(const QString &name) {
        auto p = std::make_unique<TestPeer>(name, url_);
        if (!QTest::qWaitFor([&] { return p->client.state() == SignalingClient::State::LoggedIn; },
                             kTimeoutMs)) {
            qWarning("peer %s did not sign in", qPrintable(name));
        }
        return p;
    }

    static bool signedIn(MainWindow &w) {
        return QTest::qWaitFor(
            [&] {
                return w.signaling()->state() == SignalingClient::State::LoggedIn &&
                       w.pages()->currentWidget() == w.contactsPage();
            },
            kTimeoutMs);
    }

    static void autoAccept(TestPeer &callee) {
        QObject::connect(callee.controller.get(), &CallController::incomingCall, callee.controller.get(),
                         [&callee] {
                             QString error;
                             callee.controller->accept(&error);
                         });
    }

    // alice (the window) calls bob by typing his name and pressing the Call button.
    static void callByTyping(MainWindow &w, const QString &peer) {
        QLineEdit *filter = w.contactsPage()->filterField();
        filter->clear();
        QTest::keyClicks(filter, peer);
        QTRY_VERIFY_WITH_TIMEOUT(w.contactsPage()->callButton()->isEnabled(), kTimeoutMs);
        QTest::mouseClick(w.contactsPage()->callButton(), Qt::LeftButton);
    }

private Q_SLOTS:
    // The embedded echo (a HeadlessPeer) warms media up on a thread of its own: join it.
    void cleanupTestCase() { MediaWarmup::wait(); }

    void initTestCase() {
        gst_init(nullptr, nullptr);
        startServer();
    }

    void signsInFromThePageAndShowsContacts() {
        ShellFixture f;
        auto settings = f.openSettings();
        settings->setValue(QStringLiteral("account/name"), QStringLiteral("someone"));
        settings->setValue(QStringLiteral("account/autoSignIn"), false);
        auto w = f.window(settings.get());
        w->start({});
        QCOMPARE(w->pages()->currentWidget(), w->signInPage());
        QCOMPARE(w->signaling()->state(), SignalingClient::State::Disconnected);

        w->signInPage()->serverField()->setText(url_.toString());
        w->signInPage()->nameField()->clear();
        QTest::keyClicks(w->signInPage()->nameField(), QStringLiteral("alice"));
        QTest::mouseClick(w->signInPage()->signInButton(), Qt::LeftButton);
        QVERIFY(signedIn(*w));
        QCOMPARE(w->signaling()->name(), QStringLiteral("alice"));
        QCOMPARE(w->connectionText(), QStringLiteral("Online as alice"));
        QVERIFY(w->windowTitle().contains(QStringLiteral("alice")));
    }

    void refusedNameIsExplainedOnTheSignInPage() {
        auto bob = peer(QStringLiteral("bob"));
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("bob"), {}});
        QTRY_VERIFY_WITH_TIMEOUT(!w->signInPage()->errorText().isEmpty(), kTimeoutMs);
        QCOMPARE(w->pages()->currentWidget(), w->signInPage());
        QVERIFY2(w->signInPage()->errorText().contains(QStringLiteral("refused the name")),
                 qPrintable(w->signInPage()->errorText()));
        QVERIFY(w->signInPage()->signInButton()->isEnabled());
        QCOMPARE(w->signInPage()->signInButton()->text(), QStringLiteral("&Sign in"));
        QCOMPARE(w->signaling()->state(), SignalingClient::State::Disconnected);
    }

    void serverThatWantsAPasswordIsAskedForIt() {
        ShellFixture f;
        const QString users = f.dir.filePath(QStringLiteral("users"));
        QString error;
        QVERIFY2(
            PasswordFile::setUser(users, QStringLiteral("alice"), QByteArrayLiteral("correct horse"), &error),
            qPrintable(error));
        SignalingServerOptions options;
        options.port = 0;
        options.usersFile = users;
        SignalingServer guarded(options);
        QVERIFY2(guarded.start(&error), qPrintable(error));

        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({guarded.url(), QStringLiteral("alice"), {}});
        QTRY_VERIFY_WITH_TIMEOUT(w->signInPage()->errorText().contains(QStringLiteral("asks for a password")),
                                 kTimeoutMs);
        QVERIFY(w->signInPage()->passwordField()->hasFocus());

        QTest::keyClicks(w->signInPage()->passwordField(), QStringLiteral("wrong"));
        QTest::keyClick(w->signInPage()->passwordField(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(
            w->signInPage()->errorText().contains(QStringLiteral("did not accept the password")), kTimeoutMs);

        w->signInPage()->passwordField()->clear();
        QTest::keyClicks(w->signInPage()->passwordField(), QStringLiteral("correct horse"));
        QTest::keyClick(w->signInPage()->passwordField(), Qt::Key_Return);
        QVERIFY(signedIn(*w));
        // Never written down.
        QFile file(f.settingsPath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("horse"));
    }

    void unreachableServerIsExplainedAndCanBeCancelled() {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = probe.serverPort();
        probe.close();  // nothing listens there now
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort)), QStringLiteral("alice"), {}});
        QTRY_VERIFY_WITH_TIMEOUT(w->signInPage()->errorText().contains(QStringLiteral("Trying again")),
                                 kTimeoutMs);
        QCOMPARE(w->pages()->currentWidget(), w->signInPage());
        QCOMPARE(w->connectionText(), QStringLiteral("Reconnecting…"));
        // The button now cancels.
        QTest::mouseClick(w->signInPage()->signInButton(), Qt::LeftButton);
        QCOMPARE(w->signaling()->state(), SignalingClient::State::Disconnected);
        QCOMPARE(w->signInPage()->signInButton()->text(), QStringLiteral("&Sign in"));
    }

    void droppedConnectionReconnectsAndSaysSoInTheStatusBar() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("dora"), {}});
        QVERIFY(signedIn(*w));
        const quint16 port = server_->port();
        server_.reset();  // the server goes away
        QTRY_COMPARE_WITH_TIMEOUT(w->connectionText(), QStringLiteral("Reconnecting…"), kTimeoutMs);
        QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("Reconnecting")),
                 qPrintable(w->statusBar()->currentMessage()));
        QCOMPARE(w->pages()->currentWidget(), w->contactsPage());  // still on the contacts, greyed
        QVERIFY(!w->contactsPage()->userList()->isEnabled());
        startServer(port);
        QTRY_COMPARE_WITH_TIMEOUT(w->connectionText(), QStringLiteral("Online as dora"), kTimeoutMs);
        QCOMPARE(w->statusBar()->currentMessage(), QStringLiteral("Reconnected."));
        QVERIFY(w->contactsPage()->userList()->isEnabled());
    }

    void presenceListUpdatesAndFiltersAsYouType() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        ContactsPage *page = w->contactsPage();
        QVERIFY(page->visibleUsers().isEmpty());

        auto carol = peer(QStringLiteral("carol"));
        auto dave = peer(QStringLiteral("dave"));
        auto caroline = peer(QStringLiteral("Caroline"));
        QTRY_COMPARE_WITH_TIMEOUT(
            page->visibleUsers(),
            (QStringList{QStringLiteral("carol"), QStringLiteral("Caroline"), QStringLiteral("dave")}),
            kTimeoutMs);
        QTest::keyClicks(page->filterField(), QStringLiteral("CAR"));
        QCOMPARE(page->visibleUsers(), (QStringList{QStringLiteral("carol"), QStringLiteral("Caroline")}));
        QTest::keyClicks(page->filterField(), QStringLiteral("oli"));
        QCOMPARE(page->visibleUsers(), QStringList{QStringLiteral("Caroline")});
        QCOMPARE(page->callTarget(), QStringLiteral("Caroline"));  // the one match
        page->filterField()->clear();
        QTest::keyClicks(page->filterField(), QStringLiteral("zed"));
        QVERIFY(page->visibleUsers().isEmpty());
        QCOMPARE(page->callTarget(), QStringLiteral("zed"));  // a typed name is a target too
        page->filterField()->clear();

        dave.reset();  // signs out
        QTRY_COMPARE_WITH_TIMEOUT(page->visibleUsers(),
                                  (QStringList{QStringLiteral("carol"), QStringLiteral("Caroline")}),
                                  kTimeoutMs);
    }

    void htmlInNamesIsShownLiterally() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        const QString html = QStringLiteral("<b>x</b>&amp;");
        auto mallory = peer(html);
        QTRY_COMPARE_WITH_TIMEOUT(w->contactsPage()->visibleUsers(), QStringList{html}, kTimeoutMs);
        QCOMPARE(w->contactsPage()->userList()->item(0)->text(), html);

        QString error;
        QVERIFY2(mallory->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(w->incomingCallDialog()->isVisible(), kTimeoutMs);
        QLabel *caller = w->incomingCallDialog()->callerLabel();
        QCOMPARE(caller->text(), html);
        QCOMPARE(caller->textFormat(), Qt::PlainText);
        QTest::mouseClick(w->incomingCallDialog()->declineButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(mallory->state(), CallState::Idle, kTimeoutMs);
        // Also literal in the call history and the status bar.
        QTRY_VERIFY_WITH_TIMEOUT(w->contactsPage()->recentList()->count() == 1, kTimeoutMs);
        QVERIFY(w->contactsPage()->recentList()->item(0)->text().contains(html));
    }

    void placedCallShowsTheCalleesVideoAndHangUpReturnsToContacts() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        auto bob = peer(QStringLiteral("bob"));
        autoAccept(*bob);
        QTRY_VERIFY_WITH_TIMEOUT(w->contactsPage()->visibleUsers().contains(QStringLiteral("bob")),
                                 kTimeoutMs);

        callByTyping(*w, QStringLiteral("bob"));
        QCOMPARE(w->pages()->currentWidget(), w->callPage());
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        // bob's test pattern, decoded and in the call page's remote video widget.
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(w->callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(bob->videoFrames > 5, kTimeoutMs);  // and alice's reaches bob

        auto *hangUp = w->callPage()->findChild<QAbstractButton *>(QStringLiteral("hangUpButton"));
        QVERIFY(hangUp);
        QTest::mouseClick(hangUp, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(w->pages()->currentWidget(), w->contactsPage(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Idle, kTimeoutMs);
        QCOMPARE(w->recentCalls()->entries().size(), 1);
        QCOMPARE(w->recentCalls()->entries().first().peer, QStringLiteral("bob"));
        QCOMPARE(w->recentCalls()->entries().first().outcome, RecentCall::Outcome::Answered);
        QCOMPARE(w->recentCalls()->entries().first().direction, RecentCall::Direction::Outgoing);
    }

    void remoteHangUpReturnsToContacts() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        auto bob = peer(QStringLiteral("bob"));
        autoAccept(*bob);
        QTRY_VERIFY_WITH_TIMEOUT(w->contactsPage()->visibleUsers().contains(QStringLiteral("bob")),
                                 kTimeoutMs);
        // By double-click on the name this time.
        QListWidget *list = w->contactsPage()->userList();
        QListWidgetItem *item = list->findItems(QStringLiteral("bob"), Qt::MatchExactly).value(0);
        QVERIFY(item);
        list->setCurrentItem(item);
        QTest::keyClick(list, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        QCOMPARE(w->pages()->currentWidget(), w->callPage());
        bob->controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w->pages()->currentWidget(), w->contactsPage(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(w->statusBar()->currentMessage().contains(QStringLiteral("bob hung up")),
                                 kTimeoutMs);
    }

    void fullScreenFromTheCallPageEndsWithTheCall() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        auto bob = peer(QStringLiteral("bob"));
        autoAccept(*bob);
        QTRY_VERIFY_WITH_TIMEOUT(w->contactsPage()->visibleUsers().contains(QStringLiteral("bob")),
                                 kTimeoutMs);
        callByTyping(*w, QStringLiteral("bob"));
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        auto *fullScreen = w->callPage()->findChild<QAbstractButton *>(QStringLiteral("fullScreenButton"));
        QVERIFY(fullScreen);
        QTest::mouseClick(fullScreen, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(w->isFullScreen(), kTimeoutMs);
        QVERIFY(!w->menuBar()->isVisible());
        QVERIFY(!w->statusBar()->isVisible());
        bob->controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w->pages()->currentWidget(), w->contactsPage(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!w->isFullScreen(), kTimeoutMs);
        QVERIFY(w->menuBar()->isVisible());
        QVERIFY(w->statusBar()->isVisible());
    }

    void incomingCallCanBeAcceptedWithVideo() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        auto bob = peer(QStringLiteral("bob"));
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(w->incomingCallDialog()->isVisible(), kTimeoutMs);
        QCOMPARE(w->incomingCallDialog()->caller(), QStringLiteral("bob"));
        QVERIFY(w->ringTone()->isRinging());
        QVERIFY(w->ringTone()->isAudible());  // fakesink here: the pipeline plays
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Ringing, kTimeoutMs);

        QTest::mouseClick(w->incomingCallDialog()->acceptVideoButton(), Qt::LeftButton);
        QVERIFY(!w->ringTone()->isRinging());
        QVERIFY(!w->incomingCallDialog()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        QCOMPARE(w->pages()->currentWidget(), w->callPage());
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(w->callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(bob->videoFrames > 5, kTimeoutMs);
        w->controller()->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w->pages()->currentWidget(), w->contactsPage(), kTimeoutMs);
        QCOMPARE(w->recentCalls()->entries().first().outcome, RecentCall::Outcome::Answered);
        QCOMPARE(w->recentCalls()->entries().first().direction, RecentCall::Direction::Incoming);
    }

    void incomingCallCanBeAcceptedAudioOnly() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        auto bob = peer(QStringLiteral("bob"));
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(w->incomingCallDialog()->isVisible(), kTimeoutMs);
        QTest::mouseClick(w->incomingCallDialog()->acceptAudioButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        // bob hears alice's tone and alice sees bob, but bob gets no video: alice sends none.
        QTRY_VERIFY_WITH_TIMEOUT(bob->lastAudioPeak > 1000, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(w->callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        QCOMPARE(bob->videoFrames.load(), 0);
        // The camera button does not offer to stop a video that is not sent.
        auto *camera = w->callPage()->findChild<QAbstractButton *>(QStringLiteral("cameraButton"));
        QVERIFY(camera);
        QVERIFY(!camera->isEnabled());
        QVERIFY2(camera->accessibleName().contains(QStringLiteral("no video")),
                 qPrintable(camera->accessibleName()));
        w->controller()->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Idle, kTimeoutMs);
        // The next call sends video again.
        QCOMPARE(w->controller()->settings().media.video, VideoSourceKind::Test);
    }

    void incomingCallCanBeDeclined() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(w->incomingCallDialog()->isVisible(), kTimeoutMs);
        // Escape declines.
        QTest::keyClick(w->incomingCallDialog(), Qt::Key_Escape);
        QVERIFY(bobEnded.wait(kTimeoutMs));
        QCOMPARE(bobEnded.first().first().value<CallEndReason>(), CallEndReason::Declined);
        QVERIFY(!w->ringTone()->isRinging());
        QCOMPARE(w->pages()->currentWidget(), w->contactsPage());
        QCOMPARE(w->recentCalls()->entries().first().outcome, RecentCall::Outcome::Declined);
    }

    void doNotDisturbDeclinesAndRecordsAMissedCall() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        w->setDoNotDisturb(true, AccountSettings::DoNotDisturbAction::Decline);
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QVERIFY(bobEnded.wait(kTimeoutMs));
        QCOMPARE(bobEnded.first().first().value<CallEndReason>(), CallEndReason::Declined);
        QVERIFY(!w->incomingCallDialog()->isVisible());
        QCOMPARE(w->recentCalls()->entries().first().outcome, RecentCall::Outcome::Missed);

        // Silence: the dialog shows, no ring.
        w->setDoNotDisturb(true, AccountSettings::DoNotDisturbAction::Silence);
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(w->incomingCallDialog()->isVisible(), kTimeoutMs);
        QVERIFY(!w->ringTone()->isRinging());
        bob->controller->hangUp();  // gives up: a missed call
        QTRY_VERIFY_WITH_TIMEOUT(!w->incomingCallDialog()->isVisible(), kTimeoutMs);
        QCOMPARE(w->recentCalls()->entries().first().outcome, RecentCall::Outcome::Missed);
        // The choice is remembered.
        auto again = f.openSettings();
        QCOMPARE(AccountSettings::load(*again).doNotDisturb, true);
        QCOMPARE(AccountSettings::load(*again).doNotDisturbAction,
                 AccountSettings::DoNotDisturbAction::Silence);
    }

    void settingsSurviveARestartAndSignInAutomatically() {
        ShellFixture f;
        {
            auto settings = f.openSettings();
            auto w = f.window(settings.get());
            w->start({});  // first start: would use the embedded server; sign in elsewhere instead
            w->signInPage()->setBusy(false);
            w->signaling()->disconnectFromServer();
            w->signInPage()->serverField()->setText(url_.toString());
            w->signInPage()->nameField()->setText(QStringLiteral("erin"));
            QTest::mouseClick(w->signInPage()->signInButton(), Qt::LeftButton);
            QVERIFY(signedIn(*w));
        }
        // A new process, as far as settings go: a new QSettings on the same file.
        auto settings = f.openSettings();
        QCOMPARE(settings->value(QStringLiteral("server/url")).toString(), url_.toString());
        QCOMPARE(settings->value(QStringLiteral("account/name")).toString(), QStringLiteral("erin"));
        auto w = f.window(settings.get());
        w->start({});
        QVERIFY(signedIn(*w));
        QCOMPARE(w->signaling()->name(), QStringLiteral("erin"));
        QCOMPARE(w->signaling()->url(), url_);
        QVERIFY(!w->embeddedService());
    }

    void withoutCameraOrMicrophoneTheCallGoesAheadAndSaysWhatIsMissing() {
        // The app's own set-up: devices as stored by the Settings dialog. This machine has neither
        // a camera nor a microphone (as tests/call/tst_callprocesses also relies on).
        ShellFixture f;
        auto settings = f.openSettings();
        MainWindow::Options options;
        options.settings = settings.get();
        options.recentCallsPath = f.historyPath();
        options.embeddedPort = 0;
        options.ringSink = QStringLiteral("fakesink");
        options.useStoredCallSettings = true;
        MainWindow w(options);
        w.show();
        w.start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(w));
        auto bob = peer(QStringLiteral("bob"));
        autoAccept(*bob);
        QTRY_VERIFY_WITH_TIMEOUT(w.contactsPage()->visibleUsers().contains(QStringLiteral("bob")),
                                 kTimeoutMs);
        callByTyping(w, QStringLiteral("bob"));
        QTRY_COMPARE_WITH_TIMEOUT(w.controller()->state(), CallState::Connected, kTimeoutMs);
        QVERIFY2(w.noticeText().contains(QStringLiteral("No camera was found")), qPrintable(w.noticeText()));
        QVERIFY2(w.noticeText().contains(QStringLiteral("No microphone was found")),
                 qPrintable(w.noticeText()));
        QTRY_VERIFY_WITH_TIMEOUT(bob->videoFrames > 5, kTimeoutMs);  // the test pattern instead
        w.controller()->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w.pages()->currentWidget(), w.contactsPage(), kTimeoutMs);
        QVERIFY(w.noticeText().isEmpty());
    }

    void settingsMenuOpensTheSettingsDialog() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        QVERIFY(!w->findChild<SettingsDialog *>());
        w->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        QTest::keyClick(w.get(), Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(
            w->findChild<SettingsDialog *>() && w->findChild<SettingsDialog *>()->isVisible(), kTimeoutMs);
        w->findChild<SettingsDialog *>()->reject();
    }

    void everyShellControlHasAnAccessibleNameAndTakesTheKeyboard() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        const QList<QWidget *> roots{w->signInPage(), w->contactsPage(), w->incomingCallDialog(),
                                     w->statusBar()};
        int checked = 0;
        for (QWidget *root : roots) {
            const QList<QWidget *> widgets = root->findChildren<QWidget *>();
            for (QWidget *widget : widgets) {
                const bool control = qobject_cast<QAbstractButton *>(widget) ||
                                     qobject_cast<QLineEdit *>(widget) || qobject_cast<QListWidget *>(widget);
                if (!control || (widget->parent() && qobject_cast<QLineEdit *>(widget->parent()))) {
                    continue;  // a line edit's own clear button is reached by the edit's keys
                }
                ++checked;
                QVERIFY2(!widget->accessibleName().isEmpty(), widget->metaObject()->className());
                QVERIFY2(
                    widget->focusPolicy() & Qt::TabFocus,
                    qPrintable(widget->accessibleName() + QStringLiteral(" cannot be reached with Tab")));
            }
        }
        QVERIFY(checked >= 12);
    }

    void missedCallSurvivesARestart() {
        ShellFixture f;
        {
            auto settings = f.openSettings();
            auto w = f.window(settings.get());
            w->start({url_, QStringLiteral("alice"), {}});
            QVERIFY(signedIn(*w));
            auto bob = peer(QStringLiteral("bob"));
            QString error;
            QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
            QTRY_VERIFY_WITH_TIMEOUT(w->incomingCallDialog()->isVisible(), kTimeoutMs);
            bob->controller->hangUp();  // bob gives up before alice answers
            QTRY_VERIFY_WITH_TIMEOUT(!w->incomingCallDialog()->isVisible(), kTimeoutMs);
            QTRY_COMPARE_WITH_TIMEOUT(w->recentCalls()->entries().size(), 1, kTimeoutMs);
        }
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        const QList<RecentCall> calls = w->recentCalls()->entries();
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.first().peer, QStringLiteral("bob"));
        QCOMPARE(calls.first().outcome, RecentCall::Outcome::Missed);
        QCOMPARE(calls.first().direction, RecentCall::Direction::Incoming);
        QListWidgetItem *item = w->contactsPage()->recentList()->item(0);
        QVERIFY(item->text().contains(QStringLiteral("Missed")));
        QVERIFY(item->font().bold());
        // Not seen yet: said in the title until the contacts page is looked at.
        QVERIFY2(w->windowTitle().endsWith(QStringLiteral("(1 missed)")), qPrintable(w->windowTitle()));
        w->activateWindow();
        QTRY_VERIFY_WITH_TIMEOUT(w->isActiveWindow(), kTimeoutMs);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(signedIn(*w));
        QTRY_VERIFY_WITH_TIMEOUT(!w->windowTitle().contains(QStringLiteral("missed")), kTimeoutMs);
        QCOMPARE(w->recentCalls()->unseenMissedCount(), 0);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
