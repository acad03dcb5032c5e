// SPDX-License-Identifier: GPL-3.0-or-later
// Command line and single instance: what `confab [--server URL] [--name NAME] [--call PEER]` and
// `confab confab:PEER` ask for, and a second launch handing `--call` to the running window.
#include "LaunchRequest.h"
#include "MainWindow.h"
#include "SingleInstance.h"
#include "UiTestSupport.h"
#include "signaling/SignalingServer.h"

#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace confab;
using namespace confab::ui;

namespace {
constexpr int kTimeoutMs = 20000;

LaunchRequest parsed(const QStringList &arguments) {
    QString error;
    const auto request = LaunchRequest::parse(QStringList{QStringLiteral("confab")} + arguments, &error);
    if (!request) {
        qWarning("refused: %s", qPrintable(error));
        return {};
    }
    return *request;
}

bool refused(const QStringList &arguments) {
    QString error;
    const bool no = !LaunchRequest::parse(QStringList{QStringLiteral("confab")} + arguments, &error);
    return no && !error.isEmpty();
}
}  // namespace

class TestLaunch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void readsOptionsAndConfabLinks() {
        const LaunchRequest full = parsed(
            {QStringLiteral("--server"), QStringLiteral("wss://example.org:8443/"), QStringLiteral("--name"),
             QStringLiteral("alice"), QStringLiteral("--call"), QStringLiteral("bob")});
        QCOMPARE(full.server, QUrl(QStringLiteral("wss://example.org:8443/")));
        QCOMPARE(full.name, QStringLiteral("alice"));
        QCOMPARE(full.call, QStringLiteral("bob"));
        QVERIFY(parsed({}).isEmpty());
        QCOMPARE(parsed({QStringLiteral("confab:bob")}).call, QStringLiteral("bob"));
        QCOMPARE(parsed({QStringLiteral("confab://bob/")}).call, QStringLiteral("bob"));
        QCOMPARE(parsed({QStringLiteral("confab:J%C3%B6rg%20M")}).call, QStringLiteral("Jörg M"));
        // A link comes from a web page or another app: the window asks before calling.
        QVERIFY(parsed({QStringLiteral("confab:bob")}).callFromLink);
        QVERIFY(!full.callFromLink);
    }

    void refusesWhatMakesNoSense() {
        QVERIFY(refused({QStringLiteral("http://bob")}));
        QVERIFY(refused({QStringLiteral("confab:")}));
        QVERIFY(refused({QStringLiteral("confab:a"), QStringLiteral("confab:b")}));
        QVERIFY(refused({QStringLiteral("--server"), QStringLiteral("http://example.org/")}));
        QVERIFY(refused({QStringLiteral("--no-such-option")}));
    }

    void secondLaunchHandsCallToTheRunningWindow() {
        // The running instance: a window signed in to a test server, listening like main() does.
        SignalingServerOptions serverOptions;
        serverOptions.port = 0;
        SignalingServer server(serverOptions);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({server.url(), QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        TestPeer bob(QStringLiteral("bob"), server.url());
        QObject::connect(bob.controller.get(), &CallController::incomingCall, bob.controller.get(), [&bob] {
            QString e;
            bob.controller->accept(&e);
        });

        const QString key = QStringLiteral("confab-test-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        SingleInstance primary(key);
        QVERIFY2(primary.listen(&error), qPrintable(error));
        QSignalSpy received(&primary, &SingleInstance::argumentsReceived);
        QObject::connect(&primary, &SingleInstance::argumentsReceived, w.get(),
                         [&w](const QStringList &arguments) {
                             QString why;
                             if (const auto request = LaunchRequest::parse(arguments, &why)) {
                                 w->handle(*request);
                             }
                         });

        // The second launch: the real program, which must hand over and exit 0 without a window
        // of its own (were it to start one, --server points nowhere, so it would not exit).
        QProcess second;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CONFAB_INSTANCE_KEY"), key);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), f.dir.filePath(QStringLiteral("second-config")));
        second.setProcessEnvironment(env);
        second.start(qEnvironmentVariable("CONFAB_APP_BIN"),
                     {QStringLiteral("--call"), QStringLiteral("bob")});
        QVERIFY2(second.waitForStarted(kTimeoutMs), qPrintable(second.errorString()));
        // The event loop must run for the primary to answer: wait by polling, not blocking.
        QTRY_VERIFY_WITH_TIMEOUT(second.state() == QProcess::NotRunning, kTimeoutMs);
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.exitCode(), 0);
        QCOMPARE(received.size(), 1);
        QVERIFY(received.first().first().toStringList().contains(QStringLiteral("bob")));

        // --call from a terminal dials at once.
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Connected, kTimeoutMs);
        QCOMPARE(bob.controller->peer(), QStringLiteral("alice"));
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Idle, kTimeoutMs);
    }

    // A confab: link (from a web page, another app) asks before it dials.
    void aLinkAsksBeforeCalling() {
        SignalingServerOptions serverOptions;
        serverOptions.port = 0;
        SignalingServer server(serverOptions);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({server.url(), QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        TestPeer bob(QStringLiteral("bob"), server.url());
        QTRY_COMPARE_WITH_TIMEOUT(bob.client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);

        w->handle(parsed({QStringLiteral("confab:bob")}));
        QMessageBox *question = v.question("callQuestion");
        QVERIFY(question);
        QVERIFY(question->text().contains(QStringLiteral("bob")));
        QTest::qWait(300);
        QCOMPARE(bob.state(), CallState::Idle);  // nothing dialled yet
        question->findChild<QPushButton *>(QStringLiteral("no"))->click();
        QTest::qWait(300);
        QCOMPARE(bob.state(), CallState::Idle);
        QVERIFY(v.showsContacts());

        w->handle(parsed({QStringLiteral("confab:bob")}));
        question = v.question("callQuestion");
        QVERIFY(question);
        question->findChild<QPushButton *>(QStringLiteral("yes"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Ringing, kTimeoutMs);
        QVERIFY(v.showsCall());
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Idle, kTimeoutMs);
    }

    // `confab --name dave` while alice is signed in asks instead of switching, and each person
    // keeps a history of their own.
    void anotherNameAsksAndHistoriesStayApart() {
        SignalingServerOptions serverOptions;
        serverOptions.port = 0;
        SignalingServer server(serverOptions);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get());
        ShellView v(*w);
        w->start({server.url(), QStringLiteral("alice"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("alice")));
        {
            // alice misses a call from bob.
            TestPeer bob(QStringLiteral("bob"), server.url());
            QTRY_COMPARE_WITH_TIMEOUT(bob.client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
            QVERIFY2(bob.controller->call(QStringLiteral("alice"), &error), qPrintable(error));
            QTRY_VERIFY_WITH_TIMEOUT(v.incomingCallDialog()->isVisible(), kTimeoutMs);
            bob.controller->hangUp();
            QTRY_VERIFY_WITH_TIMEOUT(
                v.contactsPage()->recentList()->item(0)->text().contains(QStringLiteral("bob")), kTimeoutMs);
        }

        w->handle(parsed({QStringLiteral("--name"), QStringLiteral("dave")}));
        QMessageBox *question = v.question("switchAccountQuestion");
        QVERIFY(question);
        QVERIFY(question->text().contains(QStringLiteral("alice")));
        QVERIFY(question->text().contains(QStringLiteral("dave")));
        QVERIFY(v.signedInAs(QStringLiteral("alice")));  // not switched behind the user's back
        question->findChild<QPushButton *>(QStringLiteral("no"))->click();
        QTest::qWait(300);
        QVERIFY(v.signedInAs(QStringLiteral("alice")));

        w->handle(parsed({QStringLiteral("--name"), QStringLiteral("dave")}));
        question = v.question("switchAccountQuestion");
        QVERIFY(question);
        question->findChild<QPushButton *>(QStringLiteral("yes"))->click();
        QVERIFY(v.waitSignedInAs(QStringLiteral("dave")));
        // dave does not see alice's calls.
        QListWidget *recent = v.contactsPage()->recentList();
        for (int i = 0; i < recent->count(); ++i) {
            QVERIFY2(!recent->item(i)->text().contains(QStringLiteral("bob")),
                     qPrintable(recent->item(i)->text()));
        }
        QVERIFY(f.history(server.url(), QStringLiteral("dave")).isEmpty());
        QCOMPARE(f.history(server.url(), QStringLiteral("alice")).size(), 1);
    }

    void firstLaunchOwnsTheSocketEvenAfterACrash() {
        const QString key = QStringLiteral("confab-test-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        QString error;
        {
            SingleInstance first(key);
            QVERIFY(!first.handOver({QStringLiteral("confab")}, 500));  // nobody there
            QVERIFY2(first.listen(&error), qPrintable(error));
        }
        // A leftover socket file from a process that died without closing is no obstacle.
        QFile leftover(QDir::tempPath() + QLatin1Char('/') + key);
        if (!leftover.exists()) {
            QVERIFY(leftover.open(QIODevice::WriteOnly));
            leftover.close();
        }
        SingleInstance next(key);
        QVERIFY(!next.handOver({QStringLiteral("confab")}, 500));
        QVERIFY2(next.listen(&error), qPrintable(error));
    }
};

QTEST_MAIN(TestLaunch)
#include "tst_launch.moc"
