// SPDX-License-Identifier: GPL-3.0-or-later
// A peer killed or cut off mid-call. Killed, the other side ends the call within 5 s with a
// reason a person can read; cut off, the call is `reconnecting` within 5 s and ends, saying so,
// only when the reconnect window is over; a short outage does not end it at all:
//  - killed (SIGKILL): its signaling connection drops with it, and the server's `leave`
//    ("disconnected") ends the call at once;
//  - the network between the peers cut, both ways, while both still reach the server: each side's
//    own check (no media for 3 s, CallSession) makes the call reconnecting; with the cut lasting
//    past the 30 s window, both end it as "reconnect-timeout"; a 5 s cut: connected again after;
//  - cut one way only: the side that hears nothing is reconnecting; when the window is over its
//    `leave` ("reconnect-timeout") tells the other, which still received media.
// The cuts happen in network namespaces the test makes: site A (192.0.2.0/24) and site B
// (198.51.100.0/24) joined by a router namespace that runs confab-server; the router's nftables
// forward chain drops the peers' traffic while their TCP to the server (not forwarded) stays up.
// Needs root, iproute2 and nftables for the cuts; skipped, never passed, without them.
#include "CannotRun.h"
#include "ProcessCall.h"
#include "ProcessPeers.h"
#include "TestNamespaces.h"
#include "TestTime.h"

#include <QDateTime>
#include <QStandardPaths>
#include <QTest>

namespace {

constexpr int kStartMs = 20000;
const QString kRouter = QStringLiteral("router");
const QString kSiteA = QStringLiteral("a");
const QString kSiteB = QStringLiteral("b");

// When `peer` first printed the call-state `state` after `sinceMs`, in its `t`; -1 if it has not.
double stateAt(const CallProcess &peer, const QString &state, double sinceMs = 0) {
    for (const QJsonObject &event : peer.events(QStringLiteral("call-state"))) {
        if (event.value(QStringLiteral("state")).toString() == state &&
            event.value(QStringLiteral("t")).toDouble() > sinceMs) {
            return event.value(QStringLiteral("t")).toDouble();
        }
    }
    return -1;
}

double nowMs() {
    return double(QDateTime::currentMSecsSinceEpoch());
}

// Milliseconds from `sinceMs` (this process's wall clock) to an event the peer printed (its `t`).
double msAfter(const QJsonObject &event, double sinceMs) {
    return event.value(QStringLiteral("t")).toDouble() - sinceMs;
}

QString cutSkipReason() {
    if (const QString reason = TestNamespaces::unavailableReason(); !reason.isEmpty()) {
        return reason;
    }
    if (QStandardPaths::findExecutable(QStringLiteral("nft")).isEmpty()) {
        return QStringLiteral("nft (nftables) is not installed");
    }
    return {};
}

bool buildSites(TestNamespaces &namespaces, QString *error) {
    return namespaces.add(kRouter, error) && namespaces.add(kSiteA, error) && namespaces.add(kSiteB, error) &&
           namespaces.link(kRouter, QStringLiteral("to-a"), QStringLiteral("192.0.2.1/24"), kSiteA,
                           QStringLiteral("uplink"), QStringLiteral("192.0.2.2/24"), error) &&
           namespaces.link(kRouter, QStringLiteral("to-b"), QStringLiteral("198.51.100.1/24"), kSiteB,
                           QStringLiteral("uplink"), QStringLiteral("198.51.100.2/24"), error) &&
           namespaces.exec(kSiteA,
                           {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("add"),
                            QStringLiteral("default"), QStringLiteral("via"), QStringLiteral("192.0.2.1")},
                           error) &&
           namespaces.exec(kSiteB,
                           {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("add"),
                            QStringLiteral("default"), QStringLiteral("via"), QStringLiteral("198.51.100.1")},
                           error) &&
           namespaces.exec(kRouter,
                           {QStringLiteral("sh"), QStringLiteral("-c"),
                            QStringLiteral("echo 1 > /proc/sys/net/ipv4/ip_forward")},
                           error);
}

// Sites A and B, confab-server on the router between them, and alice in site A in a call with
// bob in site B on the direct (host) path: what each cut breaks.
// Members in this order so the peers go first, then the server, then the namespaces they ran in.
struct CallAcrossSites {
    TestNamespaces namespaces;
    ServerProcess server;
    ProcessCall call{kStartMs};

    // True once media flows both ways; false after a warning saying what failed. No retry: the
    // caller here used to gather no ICE candidate in about one set-up in six, its fresh link not
    // yet marked running when libnice looked; CallSession now waits for an interface it can use
    // (networkReady()), so a set-up that stalls is a failure again.
    bool start(const QStringList &arguments = {}) {
        QString error;
        if (!buildSites(namespaces, &error)) {
            qWarning("cannot build the sites: %s", qPrintable(error));
            return false;
        }
        server.setLauncher(namespaces.launcher(kRouter));
        if (!server.start({QStringLiteral("--host"), QStringLiteral("0.0.0.0")})) {
            qWarning("confab-server on the router did not print its address in time");
            return false;
        }
        const int port = server.url().port();
        if (!call.startBob(QUrl(QStringLiteral("ws://198.51.100.1:%1/").arg(port)), arguments,
                           namespaces.launcher(kSiteB))) {
            return false;
        }
        call.startAlice(QUrl(QStringLiteral("ws://192.0.2.1:%1/").arg(port)), arguments,
                        namespaces.launcher(kSiteA));
        for (CallProcess *peer : call.both()) {
            const bool flowing =
                !peer->waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty() &&
                peer->waitFor(QStringLiteral("stats"), kStartMs).value(QStringLiteral("path")).toString() ==
                    QStringLiteral("host");
            if (!flowing) {
                qWarning("the call did not connect on the host path; alice: %s; bob: %s",
                         qPrintable(call.alice().errorOutput().right(400)),
                         qPrintable(call.bob().errorOutput().right(400)));
                return false;
            }
        }
        return true;
    }

    // The router's forward chain: `rule` empty drops everything between the sites; otherwise only
    // what matches it. False after a warning saying what failed.
    bool cut(const QString &rule) {
        const QString policy = rule.isEmpty() ? QStringLiteral("drop") : QStringLiteral("accept");
        QString error;
        const bool done =
            namespaces.exec(kRouter, {QStringLiteral("nft"), QStringLiteral("add table inet confab_fault")},
                            &error) &&
            namespaces.exec(
                kRouter,
                {QStringLiteral("nft"),
                 QStringLiteral("add chain inet confab_fault forward { type filter hook forward priority "
                                "0; policy %1; }")
                     .arg(policy)},
                &error) &&
            (rule.isEmpty() || namespaces.exec(kRouter,
                                               {QStringLiteral("nft"),
                                                QStringLiteral("add rule inet confab_fault forward ") + rule},
                                               &error));
        if (!done) {
            qWarning("cannot cut the network: %s", qPrintable(error));
        }
        return done;
    }

    // Ends the cut.
    bool restore() {
        QString error;
        const bool done = namespaces.exec(
            kRouter, {QStringLiteral("nft"), QStringLiteral("delete table inet confab_fault")}, &error);
        if (!done) {
            qWarning("cannot restore the network: %s", qPrintable(error));
        }
        return done;
    }
};

}  // namespace

class TestPeerLoss : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedPeerIsReportedByTheServerWithinFiveSeconds() {
        ProcessCall call(kStartMs);
        QVERIFY(call.startWithServer());
        auto [alice, bob] = call.peers();
        QVERIFY(!alice.waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty());
        QVERIFY(!alice.waitFor(QStringLiteral("stats"), kStartMs).isEmpty());

        const double killedAt = nowMs();
        bob.kill();
        const QJsonObject ended = alice.waitFor(QStringLiteral("ended"), kStartMs);
        QVERIFY2(!ended.isEmpty(), qPrintable(alice.errorOutput()));
        qInfo("killed peer: call ended %.0f ms after the kill: %s", msAfter(ended, killedAt),
              qPrintable(ended.value(QStringLiteral("message")).toString()));
        QVERIFY2(msAfter(ended, killedAt) < scaled(5000),
                 qPrintable(QString::number(msAfter(ended, killedAt))));
        QCOMPARE(ended.value(QStringLiteral("reason")).toString(), QStringLiteral("peer-vanished"));
        QCOMPARE(ended.value(QStringLiteral("message")).toString(),
                 QStringLiteral("bob vanished: their connection is gone."));
        // The server's leave ended it, not alice's own silence check (that logs this line).
        QVERIFY2(!alice.errorOutput().contains(QStringLiteral("No media from the other side")),
                 qPrintable(alice.errorOutput()));
        QVERIFY(alice.waitForExit(kStartMs));
        QCOMPARE(alice.exitCode(), 1);
        QVERIFY(alice.errorOutput().contains(QStringLiteral("bob vanished")));
    }

    void networkCutBothWaysIsReconnectingThenEndsOnBothSidesAfterTheWindow() {
        if (const QString reason = cutSkipReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        CallAcrossSites sites;
        QVERIFY(sites.start());  // the default window: 30 s
        auto [alice, bob] = sites.call.peers();

        const double cutAt = nowMs();
        QVERIFY(sites.cut({}));
        for (CallProcess *peer : {&alice, &bob}) {
            const QJsonObject ended = peer->waitFor(QStringLiteral("ended"), 40000 + kStartMs);
            QVERIFY2(!ended.isEmpty(), qPrintable(peer->errorOutput()));
            const double reconnectingAt = stateAt(*peer, QStringLiteral("reconnecting"));
            const QString reason = ended.value(QStringLiteral("reason")).toString();
            qInfo("cut both ways: reconnecting %.0f ms, ended %.0f ms after the cut, %s: %s",
                  reconnectingAt - cutAt, msAfter(ended, cutAt), qPrintable(reason),
                  qPrintable(ended.value(QStringLiteral("message")).toString()));
            QVERIFY2(reconnectingAt > 0 && reconnectingAt - cutAt < scaled(5000),
                     qPrintable(QString::number(reconnectingAt - cutAt)));
            QVERIFY2(msAfter(ended, cutAt) >= 30000, qPrintable(QString::number(msAfter(ended, cutAt))));
            QCOMPARE(reason, QStringLiteral("reconnect-timeout"));
            QVERIFY(peer->waitForExit(kStartMs));
            QCOMPARE(peer->exitCode(), 1);
            expectSignalingStayedUp(*peer, cutAt);
        }
        QVERIFY(alice.errorOutput().contains(QStringLiteral("No media from the other side")) ||
                bob.errorOutput().contains(QStringLiteral("No media from the other side")));
    }

    void networkCutOneWayIsReconnectingThenEndsOnBothSidesAfterTheWindow() {
        if (const QString reason = cutSkipReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        CallAcrossSites sites;
        QVERIFY(sites.start({QStringLiteral("--reconnect-window"), QStringLiteral("3")}));
        auto [alice, bob] = sites.call.peers();

        // Bob's packets no longer reach alice; alice's still reach bob.
        const double cutAt = nowMs();
        QVERIFY(sites.cut(QStringLiteral("iifname \"to-b\" drop")));
        const QJsonObject aliceEnded = alice.waitFor(QStringLiteral("ended"), kStartMs);
        const QJsonObject bobEnded = bob.waitFor(QStringLiteral("ended"), kStartMs);
        QVERIFY2(!aliceEnded.isEmpty(), qPrintable(alice.errorOutput()));
        QVERIFY2(!bobEnded.isEmpty(), qPrintable(bob.errorOutput()));
        const double reconnectingAt = stateAt(alice, QStringLiteral("reconnecting"));
        QVERIFY2(reconnectingAt > 0 && reconnectingAt - cutAt < scaled(5000),
                 qPrintable(QString::number(reconnectingAt - cutAt)));
        for (const QJsonObject &ended : {aliceEnded, bobEnded}) {
            qInfo("cut one way: call ended %.0f ms after the cut, %s: %s", msAfter(ended, cutAt),
                  qPrintable(ended.value(QStringLiteral("reason")).toString()),
                  qPrintable(ended.value(QStringLiteral("message")).toString()));
            QVERIFY2(msAfter(ended, cutAt) < scaled(5000) + 3000 + 1000,
                     qPrintable(QString::number(msAfter(ended, cutAt))));
            // Alice hears nothing and gives up after the window; bob learns it from her leave.
            QCOMPARE(ended.value(QStringLiteral("reason")).toString(), QStringLiteral("reconnect-timeout"));
        }
        QCOMPARE(bobEnded.value(QStringLiteral("message")).toString(),
                 QStringLiteral("The connection to alice was lost and could not be restored in time."));
        for (CallProcess *peer : {&alice, &bob}) {
            QVERIFY(peer->waitForExit(kStartMs));
            QCOMPARE(peer->exitCode(), 1);
            expectSignalingStayedUp(*peer, cutAt);
        }
    }

    void aFiveSecondCutIsReconnectingDuringItAndConnectedAfter() {
        if (const QString reason = cutSkipReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        CallAcrossSites sites;
        QVERIFY(sites.start());
        auto [alice, bob] = sites.call.peers();

        const double cutAt = nowMs();
        QVERIFY(sites.cut({}));
        QTest::qWait(5000);
        QVERIFY(sites.restore());
        const double restoredAt = nowMs();
        for (CallProcess *peer : {&alice, &bob}) {
            QTRY_VERIFY_WITH_TIMEOUT(stateAt(*peer, QStringLiteral("connected"), cutAt) > 0 ||
                                         peer->has(QStringLiteral("ended")),
                                     scaled(10000));
            QVERIFY2(!peer->has(QStringLiteral("ended")), qPrintable(peer->errorOutput().right(3000)));
            const double reconnectingAt = stateAt(*peer, QStringLiteral("reconnecting"));
            const double connectedAgainAt = stateAt(*peer, QStringLiteral("connected"), cutAt);
            qInfo("5 s cut: reconnecting %.0f ms after the cut, connected %.0f ms after it ended",
                  reconnectingAt - cutAt, connectedAgainAt - restoredAt);
            QVERIFY2(reconnectingAt > cutAt && reconnectingAt < restoredAt,
                     qPrintable(QString::number(reconnectingAt - cutAt)));
            QVERIFY(connectedAgainAt > reconnectingAt);
        }
        // Media flows again both ways: a second's stats, all of it after the restore, with data in.
        const auto receiving = [restoredAt](const CallProcess &peer) {
            for (const QJsonObject &stats : peer.events(QStringLiteral("stats"))) {
                if (stats.value(QStringLiteral("t")).toDouble() > restoredAt + 1100 &&
                    stats.value(QStringLiteral("receiveKbps")).toInt() > 0) {
                    return true;
                }
            }
            return false;
        };
        for (CallProcess *peer : {&alice, &bob}) {
            QTRY_VERIFY_WITH_TIMEOUT(receiving(*peer), scaled(6000));
            QVERIFY(!peer->has(QStringLiteral("ended")));
        }
    }

private:
    // The cut was between the peers only: neither lost the server (it would print a notice).
    void expectSignalingStayedUp(const CallProcess &peer, double cutAt) {
        for (const QJsonObject &notice : peer.events(QStringLiteral("notice"))) {
            QVERIFY2(msAfter(notice, cutAt) < 0,
                     qPrintable(notice.value(QStringLiteral("message")).toString()));
        }
    }
};

QTEST_GUILESS_MAIN(TestPeerLoss)
#include "tst_peerloss.moc"
