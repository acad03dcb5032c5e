// SPDX-License-Identifier: GPL-3.0-or-later
// The signaling server restarted in the middle of a call: both clients sign in again on their
// own within 5 s of the server being back, and the call, whose media goes peer to peer, never
// stops: frames keep arriving on both sides before, during and after the outage. The hang-up at
// the end goes through the new server.
#include "ProcessCall.h"
#include "ProcessPeers.h"
#include "TestTime.h"

#include <QDateTime>
#include <QTest>

namespace {

constexpr int kStartMs = 20000;
// How long the server stays away: longer than a stats interval (1 s), so each side reports media
// that arrived while there was no server at all.
constexpr int kOutageMs = 1500;

double nowMs() {
    return double(QDateTime::currentMSecsSinceEpoch());
}

double t(const QJsonObject &event) {
    return event.value(QStringLiteral("t")).toDouble();
}

int videoFrames(const QJsonObject &stats) {
    return stats.value(QStringLiteral("videoFrames")).toInt();
}

// The last stats event printed in [fromMs, toMs) (this machine's wall clock); empty if none.
QJsonObject lastStatsBetween(const CallProcess &peer, double fromMs, double toMs) {
    QJsonObject found;
    for (const QJsonObject &stats : peer.events(QStringLiteral("stats"))) {
        if (t(stats) >= fromMs && t(stats) < toMs) {
            found = stats;
        }
    }
    return found;
}

}  // namespace

class TestServerRestart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void callSurvivesAServerRestartAndClientsSignBackIn() {
        ProcessCall call(kStartMs);
        // Long enough for the whole outage and what follows; alice then hangs up.
        QVERIFY(call.startWithServer({QStringLiteral("--duration"), QString::number(scaled(15000) / 1000)}));
        auto [alice, bob] = call.peers();
        ServerProcess &server = call.server();
        const int port = server.url().port();
        for (CallProcess *peer : {&alice, &bob}) {
            QVERIFY2(!peer->waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty(),
                     qPrintable(peer->errorOutput()));
            QVERIFY(!peer->waitFor(QStringLiteral("stats"), kStartMs).isEmpty());
        }

        const double killedAt = nowMs();
        server.kill();
        for (CallProcess *peer : {&alice, &bob}) {
            QVERIFY(!peer->waitFor(QStringLiteral("notice"), kStartMs).isEmpty());  // "connection … lost"
        }
        QTest::qWait(kOutageMs);  // the fault itself: no server for this long
        // The same port: last --port wins in confab-server's command line.
        QVERIFY(server.start({QStringLiteral("--port"), QString::number(port)}));
        const double restartedAt = nowMs();

        for (CallProcess *peer : {&alice, &bob}) {
            QVERIFY2(QTest::qWaitFor([&] { return peer->events(QStringLiteral("logged-in")).size() >= 2; },
                                     scaled(10000)),
                     qPrintable(peer->errorOutput()));
            const double signedInAt = t(peer->events(QStringLiteral("logged-in")).at(1));
            qInfo(
                "%s signed in again %.0f ms after the server came back (%.0f ms after it was killed)",
                qPrintable(
                    peer->events(QStringLiteral("logged-in")).at(1).value(QStringLiteral("name")).toString()),
                signedInAt - restartedAt, signedInAt - killedAt);
            QVERIFY2(signedInAt - restartedAt < scaled(5000),
                     qPrintable(QString::number(signedInAt - restartedAt)));
        }

        // Media before, during and after the outage, on both sides.
        for (CallProcess *peer : {&alice, &bob}) {
            const double signedInAt = t(peer->events(QStringLiteral("logged-in")).at(1));
            QVERIFY(QTest::qWaitFor(
                [&] { return !lastStatsBetween(*peer, signedInAt + 2000, signedInAt + 60000).isEmpty(); },
                scaled(10000)));
            const QJsonObject before = lastStatsBetween(*peer, 0, killedAt);
            const QJsonObject during = lastStatsBetween(*peer, killedAt, signedInAt);
            const QJsonObject after = lastStatsBetween(*peer, signedInAt + 2000, signedInAt + 60000);
            QVERIFY2(!during.isEmpty(), "no stats while the server was away");
            qInfo("video frames received: %d before the outage, %d during it, %d two seconds after",
                  videoFrames(before), videoFrames(during), videoFrames(after));
            QVERIFY(videoFrames(during) > videoFrames(before));
            QVERIFY(videoFrames(after) > videoFrames(during));
            QVERIFY(after.value(QStringLiteral("audioBuffers")).toInt() >
                    during.value(QStringLiteral("audioBuffers")).toInt());
            QVERIFY2(!peer->has(QStringLiteral("ended")), "the call ended with the server");
        }

        // alice's hang-up (her --duration) reaches bob through the new server.
        QCOMPARE(
            alice.waitFor(QStringLiteral("ended"), scaled(30000)).value(QStringLiteral("reason")).toString(),
            QStringLiteral("hung-up"));
        QCOMPARE(bob.waitFor(QStringLiteral("ended"), kStartMs).value(QStringLiteral("reason")).toString(),
                 QStringLiteral("remote-hung-up"));
        QVERIFY(alice.waitForExit(kStartMs));
        QVERIFY(bob.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 0);
        QCOMPARE(bob.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestServerRestart)
#include "tst_serverrestart.moc"
