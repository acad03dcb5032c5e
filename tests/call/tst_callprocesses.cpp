// SPDX-License-Identifier: GPL-3.0-or-later
// confab-call and confab-server as separate processes over loopback: what a user of the command
// line sees, and what happens when a process is killed outright.
#include "ProcessCall.h"
#include "ProcessPeers.h"
#include "TestTime.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

#include <csignal>

namespace {

constexpr int kStartMs = 20000;

bool reconnecting(const CallProcess &peer) {
    for (const QJsonObject &event : peer.events(QStringLiteral("call-state"))) {
        if (event.value(QStringLiteral("state")).toString() == QLatin1StringView("reconnecting")) {
            return true;
        }
    }
    return false;
}

}  // namespace

class TestCallProcesses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void twoPeersHoldAVideoAudioAndChatCall() {
        ProcessCall call(kStartMs);
        QVERIFY(call.startWithServer({QStringLiteral("--duration"), QStringLiteral("4"),
                                      QStringLiteral("--chat"), QStringLiteral("hi bob")},
                                     {QStringLiteral("--chat"), QStringLiteral("hi alice")}));
        auto [alice, bob] = call.peers();
        // Video and audio both ways within 5 s of the call starting on each side.
        for (CallProcess *peer : {&alice, &bob}) {
            for (const char *event : {"first-remote-frame", "first-remote-audio"}) {
                const QJsonObject first = peer->waitFor(QString::fromLatin1(event), kStartMs);
                QVERIFY2(!first.isEmpty(), event);
                QVERIFY2(first.value(QStringLiteral("ms")).toInt() < scaled(5000), event);
            }
        }
        QCOMPARE(bob.waitFor(QStringLiteral("chat"), kStartMs).value(QStringLiteral("text")).toString(),
                 QStringLiteral("hi bob"));
        QCOMPARE(alice.waitFor(QStringLiteral("chat"), kStartMs).value(QStringLiteral("text")).toString(),
                 QStringLiteral("hi alice"));
        QVERIFY(alice.waitForExit(kStartMs));
        QVERIFY(bob.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 0);
        QCOMPARE(bob.exitCode(), 0);
        QCOMPARE(alice.waitFor(QStringLiteral("ended"), 0).value(QStringLiteral("reason")).toString(),
                 QStringLiteral("hung-up"));
        QCOMPARE(bob.waitFor(QStringLiteral("ended"), 0).value(QStringLiteral("reason")).toString(),
                 QStringLiteral("remote-hung-up"));
        // Frames kept coming during the call, on both sides.
        for (CallProcess *peer : {&alice, &bob}) {
            const QList<QJsonObject> stats = peer->events(QStringLiteral("stats"));
            QVERIFY(!stats.isEmpty());
            QVERIFY(stats.last().value(QStringLiteral("videoFrames")).toInt() > 20);
            QVERIFY(stats.last().value(QStringLiteral("audioBuffers")).toInt() > 50);
            QCOMPARE(stats.last().value(QStringLiteral("path")).toString(), QStringLiteral("host"));
        }
    }

    void echoServiceSendsCallersTheirOwnMedia() {
        ServerProcess server;
        QVERIFY(server.start());
        CallProcess echo(QStringLiteral("echo"));
        echo.start(server.url(), {QStringLiteral("--echo")});
        QVERIFY(!echo.waitFor(QStringLiteral("logged-in"), kStartMs).isEmpty());
        // Two callers one after the other: the echo serves each.
        for (const QString &name : {QStringLiteral("alice"), QStringLiteral("bob")}) {
            CallProcess caller(name);
            caller.start(server.url(), {QStringLiteral("--call"), QStringLiteral("echo"), QStringLiteral("--duration"),
                                        QStringLiteral("5"), QStringLiteral("--chat"), QStringLiteral("ping")});
            QVERIFY(!caller.waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty());
            QVERIFY(!caller.waitFor(QStringLiteral("first-remote-audio"), kStartMs).isEmpty());
            QCOMPARE(caller.waitFor(QStringLiteral("chat"), kStartMs).value(QStringLiteral("text")).toString(),
                     QStringLiteral("ping"));
            QVERIFY(caller.waitForExit(kStartMs));
            QCOMPARE(caller.exitCode(), 0);
            const QList<QJsonObject> stats = caller.events(QStringLiteral("stats"));
            QVERIFY(!stats.isEmpty());
            QVERIFY2(stats.last().value(QStringLiteral("videoFrames")).toInt() > 10,
                     qPrintable(QString::number(stats.last().value(QStringLiteral("videoFrames")).toInt())));
        }
    }

    // SIGTERM (systemd stopping an echo service, a user's Ctrl+C) in the middle of a call: the call's
    // pipeline goes before gst_deinit(), which otherwise waited for its threads for ever.
    void echoServiceStopsPromptlyWhenTerminatedMidCall() {
        ServerProcess server;
        QVERIFY(server.start());
        CallProcess echo(QStringLiteral("echo"));
        echo.start(server.url(), {QStringLiteral("--echo")});
        QVERIFY(!echo.waitFor(QStringLiteral("logged-in"), kStartMs).isEmpty());
        CallProcess alice(QStringLiteral("alice"));
        alice.start(server.url(), {QStringLiteral("--call"), QStringLiteral("echo")});
        QVERIFY(!alice.waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty());
        QVERIFY(::kill(pid_t(echo.pid()), SIGTERM) == 0);
        QVERIFY2(echo.waitForExit(kStartMs), "confab-call did not exit after SIGTERM during a call");
        QCOMPARE(echo.exitCode(), 130);
        const QJsonObject ended = alice.waitFor(QStringLiteral("ended"), kStartMs);
        QVERIFY2(!ended.isEmpty(), qPrintable(alice.errorOutput()));
        QVERIFY(alice.waitForExit(kStartMs));
    }

    void killedPeerWithoutAServerIsReconnectingWithinFiveSecondsThenEndsAfterTheWindow() {
        // Without a server nothing tells a killed peer from a network outage: the call waits for
        // the reconnect window (2 s here) and then ends saying so.
        ProcessCall call(kStartMs);
        QVERIFY(call.startWithServer({QStringLiteral("--reconnect-window"), QStringLiteral("2")}));
        auto [alice, bob] = call.peers();
        QVERIFY(!alice.waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty());
        call.server().kill();
        // The call is peer to peer: it goes on without the server.
        QVERIFY(!alice.waitFor(QStringLiteral("notice"), kStartMs).isEmpty());
        const int statsBefore = int(alice.events(QStringLiteral("stats")).size());
        QTRY_VERIFY_WITH_TIMEOUT(alice.events(QStringLiteral("stats")).size() > statsBefore + 1, kStartMs);
        QVERIFY(!alice.has(QStringLiteral("ended")));
        QElapsedTimer sinceKill;
        bob.kill();
        sinceKill.start();
        QTRY_VERIFY_WITH_TIMEOUT(reconnecting(alice), kStartMs);
        QVERIFY2(sinceKill.elapsed() < scaled(5000), qPrintable(QString::number(sinceKill.elapsed())));
        QVERIFY(!alice.has(QStringLiteral("ended")));
        const QJsonObject ended = alice.waitFor(QStringLiteral("ended"), kStartMs);
        QVERIFY(!ended.isEmpty());
        QVERIFY2(sinceKill.elapsed() >= 2000, qPrintable(QString::number(sinceKill.elapsed())));
        QCOMPARE(ended.value(QStringLiteral("reason")).toString(), QStringLiteral("reconnect-timeout"));
    }

    void missingCameraAndMicrophoneAreNotErrors() {
        // This machine has neither: the call goes ahead with a test pattern and silence, and says so.
        ProcessCall call(kStartMs);
        QVERIFY(call.startWithServer({QStringLiteral("--video"), QStringLiteral("camera"),
                                      QStringLiteral("--audio"), QStringLiteral("mic"),
                                      QStringLiteral("--duration"), QStringLiteral("2")}));
        auto [alice, bob] = call.peers();
        QVERIFY(!bob.waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty());
        QVERIFY(alice.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 0);
        QStringList notices;
        for (const QJsonObject &notice : alice.events(QStringLiteral("notice"))) {
            notices.append(notice.value(QStringLiteral("message")).toString());
        }
        QVERIFY2(notices.contains(QStringLiteral("No camera was found; sending a test pattern.")),
                 qPrintable(notices.join(QLatin1Char('|'))));
        QVERIFY2(notices.contains(QStringLiteral("No microphone was found; sending silence.")),
                 qPrintable(notices.join(QLatin1Char('|'))));
    }

    void unreachableServerFailsWithAMessage() {
        CallProcess alice(QStringLiteral("alice"));
        alice.start(QUrl(QStringLiteral("ws://127.0.0.1:1/")), {QStringLiteral("--call"), QStringLiteral("bob")});
        QVERIFY(alice.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 1);
        QVERIFY2(alice.errorOutput().contains(QStringLiteral("Cannot reach the server")), qPrintable(alice.errorOutput()));
    }

    void takenNameFailsWithAMessage() {
        ServerProcess server;
        QVERIFY(server.start());
        CallProcess first(QStringLiteral("alice"));
        first.start(server.url(), {QStringLiteral("--answer")});
        QVERIFY(!first.waitFor(QStringLiteral("logged-in"), kStartMs).isEmpty());
        CallProcess second(QStringLiteral("alice"));
        second.start(server.url(), {QStringLiteral("--call"), QStringLiteral("bob")});
        QVERIFY(second.waitForExit(kStartMs));
        QCOMPARE(second.exitCode(), 1);
        QVERIFY2(second.errorOutput().contains(QStringLiteral("already taken")), qPrintable(second.errorOutput()));
    }

    void callingSomeoneOfflineFailsWithAMessage() {
        ServerProcess server;
        QVERIFY(server.start());
        CallProcess alice(QStringLiteral("alice"));
        alice.start(server.url(), {QStringLiteral("--call"), QStringLiteral("nobody")});
        QVERIFY(alice.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 1);
        QVERIFY2(alice.errorOutput().contains(QStringLiteral("nobody is not online")), qPrintable(alice.errorOutput()));
    }
};

QTEST_GUILESS_MAIN(TestCallProcesses)
#include "tst_callprocesses.moc"
