// SPDX-License-Identifier: GPL-3.0-or-later
// A real call between two confab-call processes signed in to different nodes of a cluster: the
// offer, answer and candidates cross Redis, and then audio, video and chat flow peer to peer.
#include "CannotRun.h"
#include "ClusterServerProcess.h"
#include "ProcessCall.h"
#include "ProcessPeers.h"
#include "RawWebSocketClient.h"
#include "RedisServerProcess.h"
#include "TestTime.h"

#include <QJsonArray>
#include <QTest>

namespace {

constexpr int kStartMs = 20000;

}  // namespace

class TestClusterCall : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void usersOnDifferentNodesHoldAVideoAudioAndChatCall() {
        if (!RedisServerProcess::available()) {
            CONFAB_CANNOT_RUN(QStringLiteral(
                "redis-server is not installed (apt-get install redis-server; scripts/deps.sh lists it)"));
        }
        RedisServerProcess redis;
        QVERIFY(redis.start());
        ClusterServerProcess nodeA(QStringLiteral("A"));
        ClusterServerProcess nodeB(QStringLiteral("B"));
        QVERIFY(nodeA.start(redis.url(), 6));
        QVERIFY(nodeB.start(redis.url(), 6));

        ProcessCall call(scaled(kStartMs));
        QVERIFY(call.startBob(nodeB.url(), {QStringLiteral("--chat"), QStringLiteral("hi alice")}));
        // alice calls as soon as she is signed in: node A must know bob by then.
        auto watcher = RawWebSocketClient::connectedTo(nodeA.url());
        watcher->sendJson({{QStringLiteral("type"), QStringLiteral("login")},
                           {QStringLiteral("name"), QStringLiteral("watcher")}});
        QVERIFY(watcher->take(QStringLiteral("login")).value(QStringLiteral("success")).toBool());
        bool bobOnNodeA = watcher->take(QStringLiteral("users"))
                              .value(QStringLiteral("users"))
                              .toArray()
                              .contains(QStringLiteral("bob"));
        QVERIFY(bobOnNodeA || QTest::qWaitFor(
                                  [&] {
                                      while (watcher->pendingCount(QStringLiteral("presence")) > 0) {
                                          bobOnNodeA |= watcher->take(QStringLiteral("presence"))
                                                            .value(QStringLiteral("online"))
                                                            .toArray()
                                                            .contains(QStringLiteral("bob"));
                                      }
                                      return bobOnNodeA;
                                  },
                                  scaled(10000)));

        call.startAlice(nodeA.url(), {QStringLiteral("--duration"), QStringLiteral("4"),
                                      QStringLiteral("--chat"), QStringLiteral("hi bob")});
        auto [alice, bob] = call.peers();
        for (CallProcess *peer : {&alice, &bob}) {
            for (const char *event : {"first-remote-frame", "first-remote-audio"}) {
                const QJsonObject first = peer->waitFor(QString::fromLatin1(event), scaled(kStartMs));
                QVERIFY2(!first.isEmpty(), qPrintable(QStringLiteral("%1: %2").arg(QString::fromLatin1(event),
                                                                                   peer->errorOutput())));
            }
        }
        QCOMPARE(
            bob.waitFor(QStringLiteral("chat"), scaled(kStartMs)).value(QStringLiteral("text")).toString(),
            QStringLiteral("hi bob"));
        QCOMPARE(
            alice.waitFor(QStringLiteral("chat"), scaled(kStartMs)).value(QStringLiteral("text")).toString(),
            QStringLiteral("hi alice"));
        QVERIFY(alice.waitForExit(scaled(kStartMs)));
        QVERIFY(bob.waitForExit(scaled(kStartMs)));
        QCOMPARE(alice.exitCode(), 0);
        QCOMPARE(bob.exitCode(), 0);
        // alice's hang-up reached bob across the nodes.
        QCOMPARE(bob.waitFor(QStringLiteral("ended"), 0).value(QStringLiteral("reason")).toString(),
                 QStringLiteral("remote-hung-up"));
        for (CallProcess *peer : {&alice, &bob}) {
            const QList<QJsonObject> stats = peer->events(QStringLiteral("stats"));
            QVERIFY(!stats.isEmpty());
            QVERIFY(stats.last().value(QStringLiteral("videoFrames")).toInt() > 20);
            QVERIFY(stats.last().value(QStringLiteral("audioBuffers")).toInt() > 50);
        }
    }
};

QTEST_GUILESS_MAIN(TestClusterCall)
#include "tst_clustercall.moc"
