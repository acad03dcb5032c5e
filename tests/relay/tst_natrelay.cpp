// SPDX-License-Identifier: GPL-3.0-or-later
// NAT: two confab-call peers in network namespaces with no route between them reach each other
// only through a coturn relay, with the TURN REST credentials confab-server hands out at login
// (--turn-secret). Needs root, iproute2 and coturn; skipped, never passed, without them.
#include "CannotRun.h"
#include "NatNetwork.h"
#include "ProcessPeers.h"
#include "TestTime.h"
#include "TurnServer.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

namespace {

constexpr int kStartMs = 20000;
const QString kSecret = QStringLiteral("relay-test-secret");

QString address(const char *text) {
    return QString::fromLatin1(text);
}

// The candidate types of a stats event's selected pair, ours first.
QString pairTypes(const QJsonObject &stats) {
    return stats.value(QStringLiteral("path")).toString() + QLatin1Char('/') +
           stats.value(QStringLiteral("remotePath")).toString();
}

}  // namespace

class TestNatRelay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        if (const QString reason = NatNetwork::unavailableReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        if (QStandardPaths::findExecutable(QStringLiteral("turnserver")).isEmpty()) {
            CONFAB_CANNOT_RUN(QStringLiteral("coturn's turnserver is not installed (apt install coturn)"));
        }
    }

    void callConnectsThroughTheRelay() {
        NatNetwork network;
        if (!buildNetwork(network)) {
            return;  // skipped or failed, with the reason
        }
        TurnServer turn;
        QString error;
        QVERIFY2(turn.start(network.launcher(NatNetwork::Place::Relay), address(NatNetwork::kRelayAddress),
                            kSecret, &error),
                 qPrintable(error));
        ServerProcess server;
        server.setLauncher(network.launcher(NatNetwork::Place::Relay));
        QVERIFY(server.start(
            {QStringLiteral("--host"), address(NatNetwork::kRelayAddress), QStringLiteral("--turn-secret"),
             kSecret, QStringLiteral("--turn-url"),
             QStringLiteral("turn:%1:%2").arg(address(NatNetwork::kRelayAddress)).arg(TurnServer::kPort)}));

        CallProcess bob(QStringLiteral("bob"));
        bob.setLauncher(network.launcher(NatNetwork::Place::PeerB));
        bob.start(server.url(), {QStringLiteral("--answer")});
        QVERIFY2(!bob.waitFor(QStringLiteral("logged-in"), kStartMs).isEmpty(),
                 qPrintable(bob.errorOutput()));
        CallProcess alice(QStringLiteral("alice"));
        alice.setLauncher(network.launcher(NatNetwork::Place::PeerA));
        alice.start(server.url(), {QStringLiteral("--call"), QStringLiteral("bob"),
                                   QStringLiteral("--duration"), QStringLiteral("6")});

        // Media both ways, through the relay.
        for (CallProcess *peer : {&alice, &bob}) {
            for (const char *event : {"first-remote-frame", "first-remote-audio"}) {
                QVERIFY2(!peer->waitFor(QString::fromLatin1(event), scaled(kStartMs)).isEmpty(),
                         qPrintable(QStringLiteral("no %1; stderr:\n%2\nTURN log:\n%3")
                                        .arg(QString::fromLatin1(event), peer->errorOutput(), turn.log())));
            }
        }
        const double callingT =
            stateEvent(alice, QStringLiteral("calling")).value(QStringLiteral("t")).toDouble();
        const double connectingT =
            stateEvent(alice, QStringLiteral("connecting")).value(QStringLiteral("t")).toDouble();
        const double connectedT =
            stateEvent(alice, QStringLiteral("connected")).value(QStringLiteral("t")).toDouble();
        QVERIFY(callingT > 0 && connectingT > 0 && connectedT > 0);
        qInfo(
            "through the relay: connected %.0f ms after alice called, %.0f ms after the answer (ICE and "
            "DTLS)",
            connectedT - callingT, connectedT - connectingT);

        QVERIFY(alice.waitForExit(scaled(kStartMs)));
        QVERIFY(bob.waitForExit(scaled(kStartMs)));
        QCOMPARE(alice.exitCode(), 0);
        QCOMPARE(bob.exitCode(), 0);
        QCOMPARE(alice.waitFor(QStringLiteral("ended"), 0).value(QStringLiteral("reason")).toString(),
                 QStringLiteral("hung-up"));

        const QList<QJsonObject> aliceStats = alice.events(QStringLiteral("stats"));
        const QList<QJsonObject> bobStats = bob.events(QStringLiteral("stats"));
        QVERIFY(!aliceStats.isEmpty() && !bobStats.isEmpty());
        const QJsonObject a = aliceStats.last();
        const QJsonObject b = bobStats.last();
        qInfo("selected pair (ours/theirs): alice %s, bob %s", qPrintable(pairTypes(a)),
              qPrintable(pairTypes(b)));
        // Both sides name the same pair, and it has a relay end: the only way between them.
        QCOMPARE(a.value(QStringLiteral("path")).toString(),
                 b.value(QStringLiteral("remotePath")).toString());
        QCOMPARE(a.value(QStringLiteral("remotePath")).toString(),
                 b.value(QStringLiteral("path")).toString());
        QVERIFY2(pairTypes(a).contains(QStringLiteral("relay")), qPrintable(pairTypes(a)));
        // The relay took the short-lived credentials confab-server made (user "<expiry>:<name>").
        for (const char *name : {"alice", "bob"}) {
            const QRegularExpression allocated(
                QStringLiteral("user <\\d+:%1>: incoming packet ALLOCATE processed, success")
                    .arg(QLatin1String(name)));
            QVERIFY2(allocated.match(turn.log()).hasMatch(), qPrintable(turn.log().right(3000)));
        }
        // Frames kept coming during the call, on both sides.
        for (const QJsonObject &stats : {a, b}) {
            QVERIFY(stats.value(QStringLiteral("videoFrames")).toInt() > 20);
            QVERIFY(stats.value(QStringLiteral("audioBuffers")).toInt() > 50);
        }
    }

    // The control: the same network without a TURN server. If this call connected, the namespaces
    // would not be separating the peers and the test above would prove nothing.
    void withoutRelayTheCallFailsAndSaysARelayIsMissing() {
        NatNetwork network;
        if (!buildNetwork(network)) {
            return;  // skipped or failed, with the reason
        }
        ServerProcess server;
        server.setLauncher(network.launcher(NatNetwork::Place::Relay));
        QVERIFY(server.start({QStringLiteral("--host"), address(NatNetwork::kRelayAddress)}));
        CallProcess bob(QStringLiteral("bob"));
        bob.setLauncher(network.launcher(NatNetwork::Place::PeerB));
        bob.start(server.url(), {QStringLiteral("--answer")});
        QVERIFY2(!bob.waitFor(QStringLiteral("logged-in"), kStartMs).isEmpty(),
                 qPrintable(bob.errorOutput()));
        CallProcess alice(QStringLiteral("alice"));
        alice.setLauncher(network.launcher(NatNetwork::Place::PeerA));
        alice.start(server.url(), {QStringLiteral("--call"), QStringLiteral("bob")});
        // ICE fails, or the 20 s connect timeout ends it. The side that gives up first says a relay
        // is missing; its `leave` may reach the other before that one's own checks give up.
        const QJsonObject aliceEnded = alice.waitFor(QStringLiteral("ended"), scaled(40000));
        const QJsonObject bobEnded = bob.waitFor(QStringLiteral("ended"), scaled(40000));
        QVERIFY2(!aliceEnded.isEmpty() && !bobEnded.isEmpty(),
                 qPrintable(alice.errorOutput() + bob.errorOutput()));
        QVERIFY(!alice.has(QStringLiteral("first-remote-frame")) &&
                !bob.has(QStringLiteral("first-remote-frame")));
        const QStringList reasons{aliceEnded.value(QStringLiteral("reason")).toString(),
                                  bobEnded.value(QStringLiteral("reason")).toString()};
        QVERIFY2(reasons.contains(QStringLiteral("no-relay")), qPrintable(reasons.join(QLatin1Char(' '))));
        for (const QString &reason : reasons) {
            QVERIFY2(reason == QStringLiteral("no-relay") || reason == QStringLiteral("connection-lost"),
                     qPrintable(reason));
        }
    }

private:
    // Makes the network and checks its premise; false when the test has ended (skipped, or failed
    // with the reason): a QSKIP or QVERIFY in a helper ends only the helper.
    [[nodiscard]] bool buildNetwork(NatNetwork &network) {
        bool built = false;
        buildNetworkOrEnd(network, &built);
        return built;
    }

    void buildNetworkOrEnd(NatNetwork &network, bool *built) {
        QString error;
        bool refused = false;
        if (!network.create(&error, &refused)) {
            if (refused) {
                CONFAB_CANNOT_RUN(QStringLiteral("cannot create network namespaces here: ") + error);
            }
            QFAIL(qPrintable(error));
        }
        // The premise: each peer reaches the server, not the other peer.
        QVERIFY(network.hasRoute(NatNetwork::Place::PeerA, address(NatNetwork::kRelayAddress)));
        QVERIFY(network.hasRoute(NatNetwork::Place::PeerB, address(NatNetwork::kRelayAddress)));
        QVERIFY(!network.hasRoute(NatNetwork::Place::PeerA, address(NatNetwork::kPeerBAddress)));
        QVERIFY(!network.hasRoute(NatNetwork::Place::PeerB, address(NatNetwork::kPeerAAddress)));
        *built = true;
    }

    static QJsonObject stateEvent(const CallProcess &peer, const QString &state) {
        for (const QJsonObject &e : peer.events(QStringLiteral("call-state"))) {
            if (e.value(QStringLiteral("state")).toString() == state) {
                return e;
            }
        }
        return {};
    }
};

QTEST_GUILESS_MAIN(TestNatRelay)
#include "tst_natrelay.moc"
