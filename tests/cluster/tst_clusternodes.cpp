// SPDX-License-Identifier: GPL-3.0-or-later
// confab-server nodes sharing one Redis (confab-server --redis), as separate processes on
// loopback: users signed in to different nodes call each other, see one presence list, cannot
// take each other's names, hear `leave` when a node dies, and the cluster survives a Redis restart.
#include "CannotRun.h"
#include "ClusterServerProcess.h"
#include "RawWebSocketClient.h"
#include "RedisServerProcess.h"

#include "signaling/SignalingClient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace {

// Short, so that a dead node is noticed in seconds; long enough for a loaded machine to keep up
// (nodes refresh every third of it and are taken for dead after all of it).
constexpr int kPresenceTtlSeconds = 4;

int waitMs() {
    return RawWebSocketClient::defaultTimeoutMs();
}

QJsonObject offerTo(const QString &name, const QString &sdp = QStringLiteral("v=0\r\n")) {
    return {{QStringLiteral("type"), QStringLiteral("offer")},
            {QStringLiteral("name"), name},
            {QStringLiteral("offer"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("offer")}, {QStringLiteral("sdp"), sdp}}}};
}

QJsonObject message(const QString &type, const QString &name, QJsonObject fields = {}) {
    fields.insert(QStringLiteral("type"), type);
    fields.insert(QStringLiteral("name"), name);
    return fields;
}

QJsonObject loginAs(const QString &name) {
    return {{QStringLiteral("type"), QStringLiteral("login")}, {QStringLiteral("name"), name}};
}

QSet<QString> namesIn(const QJsonValue &list) {
    QSet<QString> names;
    for (const QJsonValue &name : list.toArray()) {
        names.insert(name.toString());
    }
    return names;
}

// What one client believes is online: its `users` list and every `presence` change since, applied
// in the order they came. Consumes those messages from the client; leaves the others pending.
class PresenceView {
public:
    explicit PresenceView(RawWebSocketClient *client) : client_(client) {}

    const QSet<QString> &online() {
        for (;;) {
            const QStringList types = client_->pendingTypes();
            const auto first = std::find_if(types.cbegin(), types.cend(), [](const QString &type) {
                return type == QStringLiteral("users") || type == QStringLiteral("presence");
            });
            if (first == types.cend()) {
                return online_;
            }
            const QJsonObject update = client_->take(*first, 0);
            if (*first == QStringLiteral("users")) {
                online_ = namesIn(update.value(QStringLiteral("users")));
            } else {
                online_ += namesIn(update.value(QStringLiteral("online")));
                online_ -= namesIn(update.value(QStringLiteral("offline")));
            }
        }
    }

private:
    RawWebSocketClient *client_;
    QSet<QString> online_;
};

// A client signed in by hand (RawWebSocketClient::login consumes the users list, which the
// presence tests want to see).
std::unique_ptr<RawWebSocketClient> signIn(const QUrl &url, const QString &name) {
    auto client = RawWebSocketClient::connectedTo(url);
    client->sendJson(loginAs(name));
    const QJsonObject reply = client->take(QStringLiteral("login"));
    if (!reply.value(QStringLiteral("success")).toBool()) {
        qWarning("%s could not sign in: %s", qPrintable(name),
                 qPrintable(reply.value(QStringLiteral("message")).toString()));
    }
    return client;
}

// Signs `name` in on `url` again and again (a new connection each time) until a login is not
// refused with a code in `retryOn`; returns that last login reply and, on success, the client.
QJsonObject signInUntil(const QUrl &url, const QString &name, const QStringList &retryOn, int timeoutMs,
                        std::unique_ptr<RawWebSocketClient> *signedIn = nullptr) {
    QElapsedTimer elapsed;
    elapsed.start();
    QJsonObject reply;
    do {
        auto client = RawWebSocketClient::connectedTo(url);
        client->sendJson(loginAs(name));
        reply = client->take(QStringLiteral("login"));
        if (reply.value(QStringLiteral("success")).toBool()) {
            if (signedIn) {
                *signedIn = std::move(client);
            }
            return reply;
        }
        if (!retryOn.contains(reply.value(QStringLiteral("code")).toString())) {
            return reply;
        }
        QTest::qWait(100);
    } while (elapsed.elapsed() < timeoutMs);
    return reply;
}

}  // namespace

class TestClusterNodes : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<RedisServerProcess> redis_;
    std::vector<std::unique_ptr<ClusterServerProcess>> nodes_;

    // Redis and `count` nodes, all online in the cluster.
    bool startCluster(int count, const QStringList &nodeArguments = {}) {
        redis_ = std::make_unique<RedisServerProcess>();
        if (!redis_->start()) {
            return false;
        }
        for (int i = 0; i < count; ++i) {
            nodes_.push_back(std::make_unique<ClusterServerProcess>(QStringLiteral("node %1").arg(i)));
            if (!nodes_.back()->start(redis_->url(), kPresenceTtlSeconds, nodeArguments)) {
                return false;
            }
        }
        return true;
    }
    QUrl node(int i) const { return nodes_.at(size_t(i))->url(); }

private Q_SLOTS:
    void init() {
        if (!RedisServerProcess::available()) {
            CONFAB_CANNOT_RUN(QStringLiteral(
                "redis-server is not installed (apt-get install redis-server; scripts/deps.sh lists it)"));
        }
    }
    void cleanup() {
        nodes_.clear();
        redis_.reset();
    }

    void callSignalingCrossesNodesWithTheSenderAsName() {
        QVERIFY(startCluster(2));
        auto alice = signIn(node(0), QStringLiteral("alice"));
        auto bob = signIn(node(1), QStringLiteral("bob"));
        // bob's node has to have told alice's that bob is here.
        PresenceView seenByAlice(alice.get());
        QTRY_VERIFY_WITH_TIMEOUT(seenByAlice.online().contains(QStringLiteral("bob")), waitMs());

        const QJsonObject offer =
            offerTo(QStringLiteral("bob"), QStringLiteral("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"));
        alice->sendJson(offer);
        QJsonObject relayed = offer;
        relayed.insert(QStringLiteral("name"), QStringLiteral("alice"));
        QCOMPARE(bob->take(QStringLiteral("offer")), relayed);

        const QJsonObject answer{
            {QStringLiteral("type"), QStringLiteral("answer")},
            {QStringLiteral("name"), QStringLiteral("alice")},
            {QStringLiteral("answer"), QJsonObject{{QStringLiteral("type"), QStringLiteral("answer")},
                                                   {QStringLiteral("sdp"), QStringLiteral("v=0\r\n")}}}};
        bob->sendJson(answer);
        QCOMPARE(alice->take(QStringLiteral("answer")).value(QStringLiteral("name")).toString(),
                 QStringLiteral("bob"));
        // Trickled candidates keep their order across the nodes.
        for (int i = 0; i < 20; ++i) {
            alice->sendJson(message(
                QStringLiteral("candidate"), QStringLiteral("bob"),
                {{QStringLiteral("candidate"),
                  QJsonObject{
                      {QStringLiteral("candidate"),
                       QStringLiteral("candidate:%1 1 udp 1 127.0.0.1 %2 typ host").arg(i).arg(5000 + i)},
                      {QStringLiteral("sdpMid"), QStringLiteral("0")},
                      {QStringLiteral("sdpMLineIndex"), 0}}}}));
        }
        for (int i = 0; i < 20; ++i) {
            const QJsonObject candidate = bob->take(QStringLiteral("candidate"));
            QCOMPARE(candidate.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
            QVERIFY(candidate.value(QStringLiteral("candidate"))
                        .toObject()
                        .value(QStringLiteral("candidate"))
                        .toString()
                        .startsWith(QStringLiteral("candidate:%1 ").arg(i)));
        }
        bob->sendJson(message(QStringLiteral("leave"), QStringLiteral("alice"),
                              {{QStringLiteral("reason"), QStringLiteral("hangup")}}));
        QCOMPARE(alice->take(QStringLiteral("leave")),
                 message(QStringLiteral("leave"), QStringLiteral("bob"),
                         {{QStringLiteral("reason"), QStringLiteral("hangup")}}));

        // Someone online nowhere is still an error for the sender.
        alice->sendJson(offerTo(QStringLiteral("nobody")));
        const QJsonObject error = alice->take(QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("user-offline"));
        QCOMPARE(error.value(QStringLiteral("name")).toString(), QStringLiteral("nobody"));
    }

    void presenceListsAgreeOnEveryNode() {
        QVERIFY(startCluster(3));
        std::vector<std::unique_ptr<RawWebSocketClient>> clients;
        std::vector<std::unique_ptr<PresenceView>> views;
        QSet<QString> everyone;
        for (int n = 0; n < 3; ++n) {
            for (int u = 0; u < 3; ++u) {
                const QString name = QStringLiteral("user%1-on-node%2").arg(u).arg(n);
                clients.push_back(signIn(node(n), name));
                views.push_back(std::make_unique<PresenceView>(clients.back().get()));
                everyone.insert(name);
            }
        }
        // Every client, wherever it signed in, comes to see all nine.
        for (size_t i = 0; i < views.size(); ++i) {
            QTRY_COMPARE_WITH_TIMEOUT(views[i]->online(), everyone, waitMs());
        }
        // A late arrival on any node gets the whole list at once.
        for (int n = 0; n < 3; ++n) {
            auto late = RawWebSocketClient::connectedTo(node(n));
            late->sendJson(loginAs(QStringLiteral("late%1").arg(n)));
            QVERIFY(late->take(QStringLiteral("login")).value(QStringLiteral("success")).toBool());
            QSet<QString> expected = everyone;
            expected.insert(QStringLiteral("late%1").arg(n));
            PresenceView lateView(late.get());
            QTRY_COMPARE_WITH_TIMEOUT(lateView.online(), expected, waitMs());
            late->close();
            QVERIFY(late->waitClosed());
        }
        // Signing out on one node is seen on all of them.
        clients[4]->close();
        everyone.remove(QStringLiteral("user1-on-node1"));
        for (size_t i = 0; i < views.size(); ++i) {
            if (i != 4) {
                QTRY_COMPARE_WITH_TIMEOUT(views[i]->online(), everyone, waitMs());
            }
        }
    }

    void aNameIsSignedInOnOneNodeAtMost() {
        QVERIFY(startCluster(2));
        auto alice = signIn(node(0), QStringLiteral("alice"));
        auto impostor = RawWebSocketClient::connectedTo(node(1));
        impostor->sendJson(loginAs(QStringLiteral("alice")));
        const QJsonObject refused = impostor->take(QStringLiteral("login"));
        QCOMPARE(refused.value(QStringLiteral("success")).toBool(true), false);
        QCOMPARE(refused.value(QStringLiteral("code")).toString(), QStringLiteral("name-taken"));
        // The first alice is undisturbed, and once she signs out the name is free on the other node.
        QVERIFY(alice->sync());
        QVERIFY(alice->isOpen());
        alice->close();
        QVERIFY(alice->waitClosed());
        // The name is freed when she signs out (its key deleted), well before it would expire.
        const QJsonObject second =
            signInUntil(node(1), QStringLiteral("alice"), {QStringLiteral("name-taken")}, 2000);
        QVERIFY2(second.value(QStringLiteral("success")).toBool(),
                 QJsonDocument(second).toJson().constData());
    }

    void aKilledNodesUsersGoOfflineAndTheirPeersHearLeave() {
        QVERIFY(startCluster(3));
        auto alice = signIn(node(0), QStringLiteral("alice"));
        auto carol = signIn(node(2), QStringLiteral("carol"));
        auto bob = signIn(node(1), QStringLiteral("bob"));
        PresenceView seenByAlice(alice.get());
        PresenceView seenByCarol(carol.get());
        QTRY_VERIFY_WITH_TIMEOUT(seenByAlice.online().contains(QStringLiteral("bob")), waitMs());
        QTRY_VERIFY_WITH_TIMEOUT(seenByCarol.online().contains(QStringLiteral("bob")), waitMs());
        alice->sendJson(offerTo(QStringLiteral("bob")));
        QVERIFY(!bob->take(QStringLiteral("offer")).isEmpty());

        QElapsedTimer sinceKill;
        nodes_[1]->kill();
        sinceKill.start();
        // alice was in a call with bob: she hears leave; carol was not: she only sees him go.
        const QJsonObject leave = alice->take(QStringLiteral("leave"), RawWebSocketClient::scaledMs(30000));
        QCOMPARE(leave, message(QStringLiteral("leave"), QStringLiteral("bob"),
                                {{QStringLiteral("reason"), QStringLiteral("disconnected")}}));
        QVERIFY2(sinceKill.elapsed() < RawWebSocketClient::scaledMs(30000),
                 qPrintable(QString::number(sinceKill.elapsed())));
        QTRY_VERIFY_WITH_TIMEOUT(!seenByAlice.online().contains(QStringLiteral("bob")), waitMs());
        QTRY_VERIFY_WITH_TIMEOUT(!seenByCarol.online().contains(QStringLiteral("bob")), waitMs());
        QCOMPARE(carol->pendingCount(QStringLiteral("leave")), 0);
        // bob's name is free again: he signs in on a surviving node.
        const QJsonObject again = signInUntil(node(2), QStringLiteral("bob"), {QStringLiteral("name-taken")},
                                              RawWebSocketClient::scaledMs(30000), &bob);
        QVERIFY2(again.value(QStringLiteral("success")).toBool(), QJsonDocument(again).toJson().constData());
        qInfo("bob's name was free again %lld ms after his node was killed", qint64(sinceKill.elapsed()));
        // Once alice's node has heard he is back, her offer reaches him there.
        QTRY_VERIFY_WITH_TIMEOUT(seenByAlice.online().contains(QStringLiteral("bob")), waitMs());
        alice->sendJson(offerTo(QStringLiteral("bob")));
        QCOMPARE(bob->take(QStringLiteral("offer")).value(QStringLiteral("name")).toString(),
                 QStringLiteral("alice"));
    }

    void aStoppedNodeFreesItsNamesAtOnce() {
        // A TTL far longer than the test waits: only the node's goodbye can free the name in time.
        redis_ = std::make_unique<RedisServerProcess>();
        QVERIFY(redis_->start());
        ClusterServerProcess first(QStringLiteral("first"));
        ClusterServerProcess second(QStringLiteral("second"));
        QVERIFY(first.start(redis_->url(), 300));
        QVERIFY(second.start(redis_->url(), 300));
        auto alice = signIn(first.url(), QStringLiteral("alice"));
        auto bob = signIn(second.url(), QStringLiteral("bob"));
        PresenceView seenByAlice(alice.get());
        QTRY_VERIFY_WITH_TIMEOUT(seenByAlice.online().contains(QStringLiteral("bob")), waitMs());
        alice->sendJson(offerTo(QStringLiteral("bob")));
        QVERIFY(!bob->take(QStringLiteral("offer")).isEmpty());
        QVERIFY2(second.terminate(), qPrintable(second.log()));
        QCOMPARE(alice->take(QStringLiteral("leave")).value(QStringLiteral("name")).toString(),
                 QStringLiteral("bob"));
        QTRY_VERIFY_WITH_TIMEOUT(!seenByAlice.online().contains(QStringLiteral("bob")), waitMs());
        // At once: the first try, with a TTL of minutes.
        const QJsonObject again = signInUntil(first.url(), QStringLiteral("bob"), {}, 0);
        QVERIFY2(again.value(QStringLiteral("success")).toBool(), QJsonDocument(again).toJson().constData());
    }

    void theClusterSurvivesARedisRestart() {
        QVERIFY(startCluster(2));
        auto alice = signIn(node(0), QStringLiteral("alice"));
        auto bob = signIn(node(1), QStringLiteral("bob"));
        PresenceView seenByAlice(alice.get());
        QTRY_VERIFY_WITH_TIMEOUT(seenByAlice.online().contains(QStringLiteral("bob")), waitMs());

        redis_->kill();
        for (auto &n : nodes_) {
            QVERIFY(n->waitForLog(QStringLiteral("lost Redis"), 1, waitMs()));
        }
        // Meanwhile names cannot be checked across the cluster: sign-ins are refused, not guessed.
        auto early = RawWebSocketClient::connectedTo(node(0));
        early->sendJson(loginAs(QStringLiteral("carol")));
        const QJsonObject refused = early->take(QStringLiteral("login"));
        QCOMPARE(refused.value(QStringLiteral("success")).toBool(true), false);
        QCOMPARE(refused.value(QStringLiteral("code")).toString(), QStringLiteral("unavailable"));

        QVERIFY(redis_->start());  // same port, nothing kept
        for (auto &n : nodes_) {
            QVERIFY(n->waitForLog(QStringLiteral("online in the cluster"), 2, waitMs()));
        }
        // The nodes put their users back: bob's name is taken again, and he is still reachable.
        // Until bob's node has republished, node 0 refuses sign-ins rather than hand his name out.
        const QJsonObject impostor =
            signInUntil(node(0), QStringLiteral("bob"), {QStringLiteral("unavailable")}, waitMs());
        QCOMPARE(impostor.value(QStringLiteral("code")).toString(), QStringLiteral("name-taken"));
        alice->sendJson(offerTo(QStringLiteral("bob")));
        QCOMPARE(bob->take(QStringLiteral("offer")).value(QStringLiteral("name")).toString(),
                 QStringLiteral("alice"));
        // A sign-in after the restart is seen on the other node.
        std::unique_ptr<RawWebSocketClient> carol;
        QVERIFY(
            signInUntil(node(1), QStringLiteral("carol"), {QStringLiteral("unavailable")}, waitMs(), &carol)
                .value(QStringLiteral("success"))
                .toBool());
        QTRY_VERIFY_WITH_TIMEOUT(seenByAlice.online().contains(QStringLiteral("carol")), waitMs());
        QVERIFY(seenByAlice.online().contains(QStringLiteral("bob")));
        // Nobody was taken for dead meanwhile.
        QCOMPARE(alice->pendingCount(QStringLiteral("leave")), 0);
    }

    // Confab's own client waits out a node that cannot sign anyone in (Redis away) and signs in
    // when it can, instead of giving up as on a refused name.
    void aClientSigningInWhileRedisIsAwayGetsInWhenItIsBack() {
        QVERIFY(startCluster(1));
        redis_->kill();
        QVERIFY(nodes_[0]->waitForLog(QStringLiteral("lost Redis"), 1, waitMs()));
        confab::SignalingClient client;
        client.setBackoff(
            confab::ReconnectBackoff(std::chrono::milliseconds(200), std::chrono::milliseconds(500)));
        QSignalSpy refused(&client, &confab::SignalingClient::loginRefused);
        QSignalSpy states(&client, &confab::SignalingClient::stateChanged);
        client.connectToServer(node(0), QStringLiteral("alice"));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(states.cbegin(), states.cend(),
                        [](const QList<QVariant> &change) {
                            return change.at(0).value<confab::SignalingClient::State>() ==
                                       confab::SignalingClient::State::Reconnecting &&
                                   change.at(1).toString().contains(QStringLiteral("cluster"));
                        }),
            waitMs());
        QVERIFY(redis_->start());
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), confab::SignalingClient::State::LoggedIn, waitMs());
        QCOMPARE(refused.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestClusterNodes)
#include "tst_clusternodes.moc"
