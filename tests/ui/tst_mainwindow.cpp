// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop shell over a real in-process server and real calls, driven as a person drives it
// (clicks, keys, what the window shows): signing in and its failures, presence and filtering,
// placing and answering calls, hanging up from either side, names shown literally,
// do-not-disturb, closing the window during a call, and what survives a restart (settings, call
// history). The call flow's own rules are tested without a window in tst_callflow.
#include "AboutDialog.h"
#include "InProcessCall.h"
#include "SettingsDialog.h"
#include "UiTestSupport.h"
#include "VideoWidget.h"
#include "confab/Version.h"
#include "media/MediaWarmup.h"
#include "signaling/PasswordFile.h"
#include "signaling/SignalingServer.h"

#include <QAction>
#include <QCheckBox>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QToolButton>

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
        InProcessCall::waitSignedIn(*p, kTimeoutMs);
        return p;
    }

    static void autoAccept(TestPeer &callee) {
        QObject::connect(callee.controller.get(), &CallController::incomingCall, callee.controller.get(),
                         [&callee] {
                             QString error;
                             callee.controller->accept(&error);
                         });
    }

    // alice (the window) calls `peer` by typing the name and pressing the Call button.
    static void callByTyping(const ShellView &v, const QString &peer) {
        QLineEdit *filter = v.contactsPage()->filterField();
        filter->clear();
        QTest::keyClicks(filter, peer);
        QTRY_VERIFY_WITH_TIMEOUT(v.contactsPage()->callButton()->isEnabled(), kTimeoutMs);
        QTest::mouseClick(v.contactsPage()->callButton(), Qt::LeftButton);
    }

    // alice signed in, bob online and answering at once, in a call with video both ways.
    struct InCall {
        ShellFixture f;
        std::unique_ptr<QSettings> settings;
        std::unique_ptr<MainWindow> w;
        std::unique_ptr<TestPeer> bob;
    };
    std::unique_ptr<InCall> inCallWithBob() {
        auto call = std::make_unique<InCall>();
        call->settings = call->f.openSettings();
        call->w = call->f.window(call->settings.get());
        ShellView v(*call->w);
        call->w->start({url_, QStringLiteral("alice"), {}});
        if (!v.waitSignedInAs(QStringLiteral("alice"))) {
            return nullptr;
        }
        call->bob = peer(QStringLiteral("bob"));
        autoAccept(*call->bob);
        if (!QTest::qWaitFor([&] { return v.contactsPage()->visibleUsers().contains(QStringLiteral("bob")); },
                             kTimeoutMs)) {
            return nullptr;
        }
        callByTyping(v, QStringLiteral("bob"));
        if (!call->bob->waitFor(
                [&] {
                    return call->bob->state() == CallState::Connected &&
                           v.callState() == QStringLiteral("Connected");
                },
                kTimeoutMs)) {
            return nullptr;
        }
        return call;
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
        ShellView v(*w);
        w->start({});
        QVERIFY(v.showsSignIn());
        QCOMPARE(v.connectionText(), QStringLiteral("Offline"));

        v.signInPage()->serverField()->setText(url_.toString());
        v.signInPage()->nameField()->clear();
        QTest::keyClicks(v.signInPage()->nameField(), QStringLiteral("alice"));
        QTest::mouseClick(v.signInPage()->signInButton(), Qt::LeftButton);
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        QCOMPARE(v.connectionText(), QStringLiteral("Online as alice"));
        QVERIFY(w->windowTitle().contains(QStringLiteral("alice")));
    }

    void refusedNameIsExplainedOnTheSignInPage() {
        auto bob = peer(QStringLiteral("bob"));
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("bob"), {}});
        QTRY_VERIFY_WITH_TIMEOUT(!v.signInPage()->errorText().isEmpty(), kTimeoutMs);
        QVERIFY(v.showsSignIn());
        QVERIFY2(v.signInPage()->errorText().contains(QStringLiteral("refused the name")),
                 qPrintable(v.signInPage()->errorText()));
        QVERIFY(v.signInPage()->signInButton()->isEnabled());
        QCOMPARE(v.signInPage()->signInButton()->text(), QStringLiteral("&Sign in"));
        QCOMPARE(v.connectionText(), QStringLiteral("Offline"));
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
        ShellView v(*w);
        // The server token's field waits until a server asks.
        QVERIFY(!v.signInPage()->tokenField()->isVisibleTo(v.signInPage()));
        w->start({guarded.url(), QStringLiteral("alice"), {}});
        QTRY_VERIFY_WITH_TIMEOUT(v.signInPage()->errorText().contains(QStringLiteral("asks for a password")),
                                 kTimeoutMs);
        QVERIFY(v.signInPage()->passwordField()->hasFocus());
        QVERIFY(v.signInPage()->tokenField()->isVisible());

        QTest::keyClicks(v.signInPage()->passwordField(), QStringLiteral("wrong"));
        QTest::keyClick(v.signInPage()->passwordField(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(
            v.signInPage()->errorText().contains(QStringLiteral("did not accept the password")), kTimeoutMs);

        v.signInPage()->passwordField()->clear();
        QTest::keyClicks(v.signInPage()->passwordField(), QStringLiteral("correct horse"));
        QTest::keyClick(v.signInPage()->passwordField(), Qt::Key_Return);
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
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
        ShellView v(*w);
        w->start({QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort)), QStringLiteral("alice"), {}});
        QTRY_VERIFY_WITH_TIMEOUT(v.signInPage()->errorText().contains(QStringLiteral("Trying again")),
                                 kTimeoutMs);
        QVERIFY(v.showsSignIn());
        QCOMPARE(v.connectionText(), QStringLiteral("Reconnecting…"));
        // The button now cancels.
        QTest::mouseClick(v.signInPage()->signInButton(), Qt::LeftButton);
        QCOMPARE(v.connectionText(), QStringLiteral("Offline"));
        QCOMPARE(v.signInPage()->signInButton()->text(), QStringLiteral("&Sign in"));
    }

    void droppedConnectionReconnectsAndSaysSoInTheStatusBar() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("dora"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("dora")));
        const quint16 port = server_->port();
        server_.reset();  // the server goes away
        QTRY_COMPARE_WITH_TIMEOUT(v.connectionText(), QStringLiteral("Reconnecting…"), kTimeoutMs);
        QVERIFY2(v.statusMessage().contains(QStringLiteral("Reconnecting")), qPrintable(v.statusMessage()));
        QVERIFY(v.showsContacts());  // still on the contacts, greyed
        QVERIFY(!v.contactsPage()->userList()->isEnabled());
        startServer(port);
        QTRY_COMPARE_WITH_TIMEOUT(v.connectionText(), QStringLiteral("Online as dora"), kTimeoutMs);
        QCOMPARE(v.statusMessage(), QStringLiteral("Reconnected."));
        QVERIFY(v.contactsPage()->userList()->isEnabled());
    }

    void presenceListUpdatesAndFiltersAsYouType() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        ContactsPage *page = v.contactsPage();
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
        ShellView v(*w);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        const QString html = QStringLiteral("<b>x</b>&amp;");
        auto mallory = peer(html);
        QTRY_COMPARE_WITH_TIMEOUT(v.contactsPage()->visibleUsers(), QStringList{html}, kTimeoutMs);
        QCOMPARE(v.contactsPage()->userList()->item(0)->text(), html);

        QString error;
        QVERIFY2(mallory->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(v.incomingCallDialog()->isVisible(), kTimeoutMs);
        QLabel *caller = v.incomingCallDialog()->callerLabel();
        QCOMPARE(caller->text(), html);
        QCOMPARE(caller->textFormat(), Qt::PlainText);
        QTest::mouseClick(v.incomingCallDialog()->declineButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(mallory->state(), CallState::Idle, kTimeoutMs);
        // Also literal in the call history and the status bar.
        QTRY_VERIFY_WITH_TIMEOUT(v.contactsPage()->recentList()->count() == 1, kTimeoutMs);
        QVERIFY(v.contactsPage()->recentList()->item(0)->text().contains(html));
    }

    void placedCallShowsTheCalleesVideoAndHangUpReturnsToContacts() {
        auto call = inCallWithBob();
        QVERIFY(call);
        ShellView v(*call->w);
        QVERIFY(v.showsCall());
        // bob's test pattern, decoded and in the call page's remote video widget.
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(v.callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(call->bob->videoFrames > 5, kTimeoutMs);  // and alice's reaches bob

        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(call->bob->state(), CallState::Idle, kTimeoutMs);
        const QList<RecentCall> history = call->f.history(url_, QStringLiteral("alice"));
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.first().peer, QStringLiteral("bob"));
        QCOMPARE(history.first().outcome, RecentCall::Outcome::Answered);
        QCOMPARE(history.first().direction, RecentCall::Direction::Outgoing);
    }

    void remoteHangUpReturnsToContacts() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        auto bob = peer(QStringLiteral("bob"));
        autoAccept(*bob);
        QTRY_VERIFY_WITH_TIMEOUT(v.contactsPage()->visibleUsers().contains(QStringLiteral("bob")),
                                 kTimeoutMs);
        // By Enter on the name this time.
        QListWidget *list = v.contactsPage()->userList();
        QListWidgetItem *item = list->findItems(QStringLiteral("bob"), Qt::MatchExactly).value(0);
        QVERIFY(item);
        list->setCurrentItem(item);
        QTest::keyClick(list, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Connected, kTimeoutMs);
        QVERIFY(v.showsCall());
        bob->controller->hangUp();
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(v.statusMessage().contains(QStringLiteral("bob hung up")), kTimeoutMs);
    }

    // The whole window, not only the call view, goes down to 480 px wide, in a call and out of it.
    void theWindowGoesDownTo480PixelsWide() {
        auto call = inCallWithBob();
        QVERIFY(call);
        ShellView v(*call->w);
        call->w->resize(480, 640);
        QTRY_COMPARE(call->w->width(), 480);
        QVERIFY(v.callPage()->width() <= 480);
        QVERIFY(v.callButton("hangUpButton")->isVisible());
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
        call->w->resize(480, 640);
        QTRY_COMPARE(call->w->width(), 480);
        QVERIFY(v.contactsPage()->callButton()->isVisible());
    }

    void fullScreenFromTheCallPageEndsWithTheCall() {
        auto call = inCallWithBob();
        QVERIFY(call);
        MainWindow *w = call->w.get();
        ShellView v(*w);
        QTest::mouseClick(v.callButton("fullScreenButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(w->isFullScreen(), kTimeoutMs);
        QVERIFY(!w->menuBar()->isVisible());
        QVERIFY(!w->statusBar()->isVisible());
        call->bob->controller->hangUp();
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!w->isFullScreen(), kTimeoutMs);
        QVERIFY(w->menuBar()->isVisible());
        QVERIFY(w->statusBar()->isVisible());
    }

    void incomingCallCanBeAcceptedWithVideo() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        auto bob = peer(QStringLiteral("bob"));
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(v.incomingCallDialog()->isVisible(), kTimeoutMs);
        QCOMPARE(v.incomingCallDialog()->caller(), QStringLiteral("bob"));
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Ringing, kTimeoutMs);
        QVERIFY(v.showsContacts());  // not the call page before it is answered

        QTest::mouseClick(v.incomingCallDialog()->acceptVideoButton(), Qt::LeftButton);
        QVERIFY(!v.incomingCallDialog()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Connected, kTimeoutMs);
        QVERIFY(v.showsCall());
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(v.callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(bob->videoFrames > 5, kTimeoutMs);
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
        const QList<RecentCall> history = f.history(url_, QStringLiteral("alice"));
        QCOMPARE(history.first().outcome, RecentCall::Outcome::Answered);
        QCOMPARE(history.first().direction, RecentCall::Direction::Incoming);
    }

    void incomingCallCanBeAcceptedAudioOnly() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        auto bob = peer(QStringLiteral("bob"));
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(v.incomingCallDialog()->isVisible(), kTimeoutMs);
        QTest::mouseClick(v.incomingCallDialog()->acceptAudioButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Connected, kTimeoutMs);
        // bob hears alice's tone and alice sees bob, but bob gets no video: alice sends none.
        QTRY_VERIFY_WITH_TIMEOUT(bob->lastAudioPeak > 1000, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(v.callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        QCOMPARE(bob->videoFrames.load(), 0);
        // The camera button does not offer to stop a video that is not sent.
        QAbstractButton *camera = v.callButton("cameraButton");
        QVERIFY(!camera->isEnabled());
        QVERIFY2(camera->accessibleName().contains(QStringLiteral("no video")),
                 qPrintable(camera->accessibleName()));
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Idle, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
    }

    void incomingCallCanBeDeclined() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(v.incomingCallDialog()->isVisible(), kTimeoutMs);
        // Escape declines.
        QTest::keyClick(v.incomingCallDialog(), Qt::Key_Escape);
        QVERIFY(bobEnded.wait(kTimeoutMs));
        QCOMPARE(bobEnded.first().first().value<CallEndReason>(), CallEndReason::Declined);
        QVERIFY(v.showsContacts());
        QCOMPARE(v.statusMessage(), QStringLiteral("You declined the call from bob."));
        QCOMPARE(f.history(url_, QStringLiteral("alice")).first().outcome, RecentCall::Outcome::Declined);
    }

    // Do not disturb, switched on from the status bar: others are not told "online" by the
    // window, a call it declines is a missed call (not "you declined"), and the choice is kept.
    void doNotDisturbDeclinesSaysSoAndRecordsAMissedCall() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        v.part<QAction>("doNotDisturbDeclines")->trigger();
        v.part<QToolButton>("doNotDisturbButton")->click();
        QVERIFY(v.part<QAction>("doNotDisturbAction")->isChecked());
        QVERIFY2(!v.connectionText().startsWith(QStringLiteral("Online")), qPrintable(v.connectionText()));
        QVERIFY2(v.connectionText().contains(QStringLiteral("Do not disturb")),
                 qPrintable(v.connectionText()));

        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QString error;
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QVERIFY(bobEnded.wait(kTimeoutMs));
        QCOMPARE(bobEnded.first().first().value<CallEndReason>(), CallEndReason::Declined);
        QVERIFY(!v.incomingCallDialog()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!v.statusMessage().isEmpty(), kTimeoutMs);
        QVERIFY2(!v.statusMessage().contains(QStringLiteral("You declined")), qPrintable(v.statusMessage()));
        QVERIFY2(v.statusMessage().contains(QStringLiteral("do not disturb")), qPrintable(v.statusMessage()));
        QCOMPARE(f.history(url_, QStringLiteral("alice")).first().outcome, RecentCall::Outcome::Missed);

        // Silence: the dialog shows and says why there is no ring.
        v.part<QAction>("doNotDisturbSilences")->trigger();
        QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(v.incomingCallDialog()->isVisible(), kTimeoutMs);
        QVERIFY(v.incomingCallDialog()
                    ->findChild<QLabel *>(QStringLiteral("note"))
                    ->text()
                    .contains(QStringLiteral("do not disturb")));
        bob->controller->hangUp();  // gives up: a missed call
        QTRY_VERIFY_WITH_TIMEOUT(!v.incomingCallDialog()->isVisible(), kTimeoutMs);
        QCOMPARE(f.history(url_, QStringLiteral("alice")).first().outcome, RecentCall::Outcome::Missed);
        // The choice is remembered for this account.
        auto again = f.openSettings();
        QCOMPARE(AccountSettings::load(*again).doNotDisturb, true);
        QCOMPARE(AccountSettings::load(*again).doNotDisturbAction,
                 AccountSettings::DoNotDisturbAction::Silence);
    }

    void settingsSurviveARestartAndSignInAutomatically() {
        ShellFixture f;
        {
            auto settings = f.openSettings();
            settings->setValue(QStringLiteral("account/autoSignIn"), false);
            settings->setValue(QStringLiteral("account/name"), QStringLiteral("erin"));
            auto w = f.window(settings.get());
            ShellView v(*w);
            w->start({});
            QVERIFY(v.showsSignIn());
            v.signInPage()->serverField()->setText(url_.toString());
            v.signInPage()->nameField()->setText(QStringLiteral("erin"));
            v.signInPage()->findChild<QCheckBox *>(QStringLiteral("autoSignIn"))->setChecked(true);
            QTest::mouseClick(v.signInPage()->signInButton(), Qt::LeftButton);
            QVERIFY(v.waitSignedInAs(QStringLiteral("erin")));
        }
        // A new process, as far as settings go: a new QSettings on the same file.
        auto settings = f.openSettings();
        QCOMPARE(settings->value(QStringLiteral("server/url")).toString(), url_.toString());
        QCOMPARE(settings->value(QStringLiteral("account/name")).toString(), QStringLiteral("erin"));
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({});
        QVERIFY(v.waitSignedInAs(QStringLiteral("erin")));
        QVERIFY2(v.contactsPage()
                     ->findChild<QLabel *>(QStringLiteral("signedInAs"))
                     ->text()
                     .contains(url_.toString()),
                 "signed in on the server given, not on this computer");
    }

    void withoutCameraOrMicrophoneTheCallGoesAheadAndSaysWhatIsMissing() {
        // The app's own set-up: devices as stored by the Settings dialog. This machine has neither
        // a camera nor a microphone (as tests/call/tst_callprocesses also relies on).
        ShellFixture f;
        auto settings = f.openSettings();
        MainWindow::Options options = f.options(settings.get());
        options.useStoredCallSettings = true;
        MainWindow w(options);
        ShellView v(w);
        w.show();
        w.start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        auto bob = peer(QStringLiteral("bob"));
        autoAccept(*bob);
        QTRY_VERIFY_WITH_TIMEOUT(v.contactsPage()->visibleUsers().contains(QStringLiteral("bob")),
                                 kTimeoutMs);
        callByTyping(v, QStringLiteral("bob"));
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Connected, kTimeoutMs);
        QVERIFY2(v.noticeText().contains(QStringLiteral("No camera was found")), qPrintable(v.noticeText()));
        QVERIFY2(v.noticeText().contains(QStringLiteral("No microphone was found")),
                 qPrintable(v.noticeText()));
        QTRY_VERIFY_WITH_TIMEOUT(bob->videoFrames > 5, kTimeoutMs);  // the test pattern instead
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
        QVERIFY(!v.part<QLabel>("noticeBanner")->isVisible());
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

    void helpMenuShowsVersionAndLicence() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        QAction *about = nullptr;
        for (QAction *menu : w->menuBar()->actions()) {
            for (QAction *item : menu->menu()->actions()) {
                if (item->text() == QStringLiteral("&About Confab")) {
                    about = item;
                }
            }
        }
        QVERIFY(about);
        about->trigger();
        auto *dialog = w->findChild<AboutDialog *>();
        QVERIFY(dialog && dialog->isVisible());
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("version"))
                    ->text()
                    .contains(QString::fromLatin1(kVersion)));
        const QString licence = dialog->findChild<QLabel *>(QStringLiteral("licence"))->text();
        QVERIFY2(licence.contains(QString::fromLatin1(kLicense)), qPrintable(licence));
        QVERIFY2(licence.contains(AboutDialog::licenceUrl().toString(QUrl::FullyEncoded)),
                 qPrintable(licence));
        dialog->reject();
    }

    // Closing the window during a call asks first; "keep calling" keeps it, "end call" ends it.
    void closingTheWindowDuringACallAsksFirst() {
        auto call = inCallWithBob();
        QVERIFY(call);
        MainWindow *w = call->w.get();
        ShellView v(*w);
        QVERIFY(!w->close());  // refused for now: a question instead
        QMessageBox *question = v.question("endCallQuestion");
        QVERIFY(question);
        QVERIFY(question->text().contains(QStringLiteral("bob")));
        QCOMPARE(call->bob->state(), CallState::Connected);
        question->findChild<QPushButton *>(QStringLiteral("no"))->click();
        QVERIFY(w->isVisible());
        QTest::qWait(200);
        QCOMPARE(call->bob->state(), CallState::Connected);

        QVERIFY(!w->close());
        question = v.question("endCallQuestion");
        QVERIFY(question);
        question->findChild<QPushButton *>(QStringLiteral("yes"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(call->bob->state(), CallState::Idle, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), kTimeoutMs);  // no tray here: the window closes
    }

    void missedCallSurvivesARestartAndIsCountedAlikeInTitleAndList() {
        ShellFixture f;
        {
            auto settings = f.openSettings();
            auto w = f.window(settings.get());
            ShellView v(*w);
            w->start({url_, QStringLiteral("alice"), {}});
            QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
            auto bob = peer(QStringLiteral("bob"));
            QString error;
            for (int i = 0; i < 2; ++i) {
                QVERIFY2(bob->controller->call(QStringLiteral("alice"), &error), qPrintable(error));
                QTRY_VERIFY_WITH_TIMEOUT(v.incomingCallDialog()->isVisible(), kTimeoutMs);
                bob->controller->hangUp();  // bob gives up before alice answers
                QTRY_VERIFY_WITH_TIMEOUT(!v.incomingCallDialog()->isVisible(), kTimeoutMs);
            }
            QTRY_COMPARE_WITH_TIMEOUT(f.history(url_, QStringLiteral("alice")).size(), 2, kTimeoutMs);
        }
        // Seen: the older of the two, before this run; only the newer is new.
        {
            const QString path = MainWindow::historyPath(
                f.dataDir(), AccountSettings::id(url_.toString(), QStringLiteral("alice")));
            RecentCalls history(path);
            history.markAllSeen();
            RecentCall older = history.entries().last();
            history.clear();
            history.add(older);
            history.markAllSeen();
            older.startedAt = older.startedAt.addSecs(60);
            history.add(older);
        }
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        const QList<RecentCall> calls = f.history(url_, QStringLiteral("alice"));
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.first().peer, QStringLiteral("bob"));
        QCOMPARE(calls.first().outcome, RecentCall::Outcome::Missed);
        QCOMPARE(calls.first().direction, RecentCall::Direction::Incoming);
        QListWidgetItem *item = v.contactsPage()->recentList()->item(0);
        QVERIFY(item->text().contains(QStringLiteral("Missed")));
        QVERIFY(item->font().bold());                                      // new
        QVERIFY(!v.contactsPage()->recentList()->item(1)->font().bold());  // seen before
        // The same count in the title and over the list.
        QVERIFY2(w->windowTitle().endsWith(QStringLiteral("(1 missed)")), qPrintable(w->windowTitle()));
        QCOMPARE(v.contactsPage()->findChild<QLabel *>(QStringLiteral("recentHeading"))->text(),
                 QStringLiteral("&Recent calls (1 missed)"));
        w->activateWindow();
        QTRY_VERIFY_WITH_TIMEOUT(w->isActiveWindow(), kTimeoutMs);
        w->start({url_, QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        QTRY_VERIFY_WITH_TIMEOUT(!w->windowTitle().contains(QStringLiteral("missed")), kTimeoutMs);
        QCOMPARE(v.contactsPage()->findChild<QLabel *>(QStringLiteral("recentHeading"))->text(),
                 QStringLiteral("&Recent calls"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
