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
#include <QProcess>
#include <QSignalSpy>
#include <QStackedWidget>
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
        w->start({server.url(), QStringLiteral("alice"), {}});
        QTRY_COMPARE_WITH_TIMEOUT(w->signaling()->state(), SignalingClient::State::LoggedIn, kTimeoutMs);
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

        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        QCOMPARE(w->controller()->peer(), QStringLiteral("bob"));
        w->controller()->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Idle, kTimeoutMs);
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
