// SPDX-License-Identifier: GPL-3.0-or-later
// What cluster nodes say to each other and what a node makes of it, without Redis: the text form
// of ClusterMessage, RemotePresence's bookkeeping of other nodes' users, and --redis URLs.
#include "signaling/cluster/ClusterMessage.h"
#include "signaling/cluster/RedisUrl.h"
#include "signaling/cluster/RemotePresence.h"

#include <QTest>

using namespace confab;

namespace {

QSet<QString> setOf(const QStringList &names) {
    return QSet<QString>(names.cbegin(), names.cend());
}

QStringList sorted(QStringList names) {
    names.sort();
    return names;
}

}  // namespace

class TestClusterProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void relayCarriesTheFrameByteForByte() {
        ClusterMessage relay;
        relay.kind = ClusterMessage::Kind::Relay;
        relay.node = QStringLiteral("a1");
        relay.to = QStringLiteral("bob smith");
        relay.from = QStringLiteral("alice");
        relay.type = QStringLiteral("offer");
        // Line breaks inside the frame (JSON whitespace) must survive: it is the last field.
        relay.frame =
            QByteArrayLiteral("{\"type\":\"offer\",\n\"name\":\"alice\",\"offer\":{\"sdp\":\"v=0\\r\\n\"}}");
        const std::optional<ClusterMessage> back = ClusterMessage::decode(relay.encode());
        QVERIFY(back);
        QCOMPARE(back->kind, ClusterMessage::Kind::Relay);
        QCOMPARE(back->node, relay.node);
        QCOMPARE(back->to, relay.to);
        QCOMPARE(back->from, relay.from);
        QCOMPARE(back->type, relay.type);
        QCOMPARE(back->frame, relay.frame);
    }

    void presenceSnapshotHeartbeatHelloAndByeRoundTrip() {
        ClusterMessage presence;
        presence.kind = ClusterMessage::Kind::Presence;
        presence.node = QStringLiteral("n2");
        presence.online = {QStringLiteral("Zoë"), QStringLiteral("+plus")};
        presence.offline = {QStringLiteral("-minus")};
        std::optional<ClusterMessage> back = ClusterMessage::decode(presence.encode());
        QVERIFY(back);
        QCOMPARE(back->online, presence.online);
        QCOMPARE(back->offline, presence.offline);

        ClusterMessage snapshot;
        snapshot.kind = ClusterMessage::Kind::Snapshot;
        snapshot.node = QStringLiteral("n2");
        snapshot.online = {QStringLiteral("a"), QStringLiteral("b c")};
        back = ClusterMessage::decode(snapshot.encode());
        QVERIFY(back);
        QCOMPARE(back->kind, ClusterMessage::Kind::Snapshot);
        QCOMPARE(back->online, snapshot.online);
        snapshot.online.clear();
        back = ClusterMessage::decode(snapshot.encode());
        QVERIFY(back);
        QVERIFY(back->online.isEmpty());

        ClusterMessage heartbeat;
        heartbeat.kind = ClusterMessage::Kind::Heartbeat;
        heartbeat.node = QStringLiteral("n3");
        heartbeat.count = 12345;
        back = ClusterMessage::decode(heartbeat.encode());
        QVERIFY(back);
        QCOMPARE(back->count, 12345);

        ClusterMessage hello;
        hello.kind = ClusterMessage::Kind::Hello;
        hello.node = QStringLiteral("n1");
        back = ClusterMessage::decode(hello.encode());
        QVERIFY(back);
        QVERIFY(back->askedNode.isEmpty());
        hello.askedNode = QStringLiteral("n3");
        back = ClusterMessage::decode(hello.encode());
        QVERIFY(back);
        QCOMPARE(back->askedNode, QStringLiteral("n3"));

        ClusterMessage bye;
        bye.kind = ClusterMessage::Kind::Bye;
        bye.node = QStringLiteral("n1");
        back = ClusterMessage::decode(bye.encode());
        QVERIFY(back);
        QCOMPARE(back->kind, ClusterMessage::Kind::Bye);
        QCOMPARE(back->node, QStringLiteral("n1"));
    }

    void refusesWhatIsNotAClusterMessage() {
        for (const QByteArray &junk :
             {QByteArrayLiteral(""), QByteArrayLiteral("relay"),
              QByteArrayLiteral("relay n1\nbob\nalice\noffer"), QByteArrayLiteral("heartbeat n1 many"),
              QByteArrayLiteral("presence n1\nbob"), QByteArrayLiteral("shout n1"),
              QByteArrayLiteral("bye n1 extra"), QByteArrayLiteral("{\"type\":1}")}) {
            QVERIFY2(!ClusterMessage::decode(junk), junk.constData());
        }
    }

    void usersOfOtherNodesComeAndGo() {
        RemotePresence presence;
        RemotePresence::Change change = presence.replace(
            QStringLiteral("n2"), setOf({QStringLiteral("bob"), QStringLiteral("carol")}), 0);
        QCOMPARE(sorted(change.online), QStringList({QStringLiteral("bob"), QStringLiteral("carol")}));
        QCOMPARE(presence.nodeOf(QStringLiteral("bob")), QStringLiteral("n2"));
        change =
            presence.apply(QStringLiteral("n2"), {QStringLiteral("dave")}, {QStringLiteral("carol")}, 10);
        QCOMPARE(change.online, QStringList{QStringLiteral("dave")});
        QCOMPARE(change.offline, QStringList{QStringLiteral("carol")});
        QVERIFY(presence.nodeOf(QStringLiteral("carol")).isEmpty());
        // A snapshot replaces: whoever it does not name is gone.
        change = presence.replace(QStringLiteral("n2"), setOf({QStringLiteral("dave")}), 20);
        QCOMPARE(change.offline, QStringList{QStringLiteral("bob")});
        QVERIFY(change.online.isEmpty());
        QCOMPARE(presence.names(), QStringList{QStringLiteral("dave")});
    }

    void aUserMovingBetweenNodesStaysOnline() {
        RemotePresence presence;
        presence.apply(QStringLiteral("n2"), {QStringLiteral("bob")}, {}, 0);
        // bob signs in on n3 before n2's sign-out arrives: still online, now on n3.
        RemotePresence::Change change = presence.apply(QStringLiteral("n3"), {QStringLiteral("bob")}, {}, 1);
        QVERIFY(change.isEmpty());
        QCOMPARE(presence.nodeOf(QStringLiteral("bob")), QStringLiteral("n3"));
        change = presence.apply(QStringLiteral("n2"), {}, {QStringLiteral("bob")}, 2);
        QVERIFY(change.isEmpty());
        QCOMPARE(presence.nodeOf(QStringLiteral("bob")), QStringLiteral("n3"));
        // The other order: n3's sign-out first, while n2 still lists bob.
        presence.apply(QStringLiteral("n2"), {QStringLiteral("bob")}, {}, 3);
        change = presence.apply(QStringLiteral("n3"), {}, {QStringLiteral("bob")}, 4);
        QVERIFY(change.isEmpty());
        QCOMPARE(presence.nodeOf(QStringLiteral("bob")), QStringLiteral("n2"));
    }

    void aSilentNodeIsDeadAndItsUsersGoOffline() {
        RemotePresence presence;
        presence.apply(QStringLiteral("n2"), {QStringLiteral("bob"), QStringLiteral("carol")}, {}, 0);
        presence.apply(QStringLiteral("n3"), {QStringLiteral("dave")}, {}, 0);
        QVERIFY(presence.heard(QStringLiteral("n3"), 1, 4000));
        QVERIFY(!presence.heard(QStringLiteral("n3"), 2, 4000));  // a count we do not have: ask
        QVERIFY(presence.silentSince(5000, 15000).isEmpty());
        QCOMPARE(presence.silentSince(15001, 15000), QStringList{QStringLiteral("n2")});
        const RemotePresence::Change change = presence.forget(QStringLiteral("n2"));
        QCOMPARE(sorted(change.offline), QStringList({QStringLiteral("bob"), QStringLiteral("carol")}));
        QCOMPARE(presence.names(), QStringList{QStringLiteral("dave")});
        // While we could not hear anyone, nobody is proven dead.
        presence.restartClocks(40000);
        QVERIFY(presence.silentSince(50000, 15000).isEmpty());
    }

    void parsesRedisUrls() {
        QString error;
        std::optional<RedisUrl> url = RedisUrl::parse(QStringLiteral("redis://10.0.0.5:6380/2"), &error);
        QVERIFY2(url, qPrintable(error));
        QCOMPARE(url->host, QStringLiteral("10.0.0.5"));
        QCOMPARE(url->port, 6380);
        QCOMPARE(url->database, 2);
        QVERIFY(url->password.isEmpty());
        url = RedisUrl::parse(QStringLiteral("redis://:s%40cret@redis.example.org"), &error);
        QVERIFY2(url, qPrintable(error));
        QCOMPARE(url->port, 6379);
        QCOMPARE(url->password, QByteArrayLiteral("s@cret"));
        QVERIFY(!url->display().contains(QStringLiteral("cret")));
        url = RedisUrl::parse(QStringLiteral("redis://confab:pw@127.0.0.1"), &error);
        QVERIFY(url);
        QCOMPARE(url->user, QByteArrayLiteral("confab"));
        for (const QString &bad :
             {QStringLiteral("127.0.0.1:6379"), QStringLiteral("http://127.0.0.1"),
              QStringLiteral("redis://"), QStringLiteral("redis://host/db"),
              QStringLiteral("redis://user@host"), QStringLiteral("redis://host:70000")}) {
            error.clear();
            QVERIFY2(!RedisUrl::parse(bad, &error), qPrintable(bad));
            QVERIFY2(error.contains(bad), qPrintable(error));
        }
    }
};

QTEST_GUILESS_MAIN(TestClusterProtocol)
#include "tst_clusterprotocol.moc"
