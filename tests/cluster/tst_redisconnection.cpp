// SPDX-License-Identifier: GPL-3.0-or-later
// RedisConnection against a real redis-server on loopback: commands and replies, pub/sub, and
// what happens when Redis goes away and comes back (it reconnects and resubscribes by itself).
#include "CannotRun.h"
#include "RawWebSocketClient.h"
#include "RedisServerProcess.h"

#include "signaling/cluster/RedisConnection.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab;

namespace {

int timeoutMs() {
    return RawWebSocketClient::scaledMs(10000);
}

RedisUrl urlOf(const RedisServerProcess &redis) {
    QString error;
    return *RedisUrl::parse(redis.url(), &error);
}

}  // namespace

class TestRedisConnection : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() {
        if (!RedisServerProcess::available()) {
            CONFAB_CANNOT_RUN(QStringLiteral(
                "redis-server is not installed (apt-get install redis-server; scripts/deps.sh lists it)"));
        }
    }

    void repliesComeBackInOrder() {
        RedisServerProcess redis;
        QVERIFY(redis.start());
        RedisConnection connection(urlOf(redis), QStringLiteral("test"));
        QSignalSpy ready(&connection, &RedisConnection::ready);
        connection.open();
        QVERIFY(ready.wait(timeoutMs()));
        QVERIFY(connection.isReady());
        QList<RedisReply> replies;
        const auto keep = [&replies](const RedisReply &reply) { replies.append(reply); };
        QVERIFY(connection.command({"SET", "k", "v\n with a line break"}, keep));
        QVERIFY(connection.command({"GET", "k"}, keep));
        QVERIFY(connection.command({"GET", "missing"}, keep));
        QVERIFY(connection.command({"INCRBY", "n", "41"}, keep));
        QVERIFY(connection.command({"NOSUCHCOMMAND"}, keep));
        QVERIFY(connection.command({"MGET", "k", "missing"}, keep));
        QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 6, timeoutMs());
        QCOMPARE(replies[0].kind, RedisReply::Kind::Status);
        QCOMPARE(replies[1].text, QByteArrayLiteral("v\n with a line break"));
        QCOMPARE(replies[2].kind, RedisReply::Kind::Nil);
        QCOMPARE(replies[3].integer, 41);
        QVERIFY(replies[4].failed());
        QCOMPARE(replies[5].elements.size(), 2);
        QCOMPARE(replies[5].elements[1].kind, RedisReply::Kind::Nil);
    }

    void subscriberGetsWhatIsPublished() {
        RedisServerProcess redis;
        QVERIFY(redis.start());
        RedisConnection commands(urlOf(redis), QStringLiteral("commands"));
        RedisConnection subscriber(urlOf(redis), QStringLiteral("subscriber"));
        subscriber.subscribe({"one", "two"});
        QSignalSpy commandsReady(&commands, &RedisConnection::ready);
        QSignalSpy subscribed(&subscriber, &RedisConnection::ready);
        QSignalSpy messages(&subscriber, &RedisConnection::message);
        commands.open();
        subscriber.open();
        QVERIFY(commandsReady.count() || commandsReady.wait(timeoutMs()));
        QVERIFY(subscribed.count() || subscribed.wait(timeoutMs()));
        // A subscribed connection takes no commands.
        QVERIFY(!subscriber.command({"PING"}));
        long long receivers = -1;
        QVERIFY(commands.command({"PUBLISH", "two", "hello"},
                                 [&receivers](const RedisReply &reply) { receivers = reply.integer; }));
        QVERIFY(commands.command({"PUBLISH", "elsewhere", "unheard"}));
        QVERIFY(messages.wait(timeoutMs()));
        QCOMPARE(messages.constFirst().at(0).toByteArray(), QByteArrayLiteral("two"));
        QCOMPARE(messages.constFirst().at(1).toByteArray(), QByteArrayLiteral("hello"));
        QTRY_COMPARE_WITH_TIMEOUT(receivers, 1LL, timeoutMs());
        QVERIFY(commands.command({"PING"}));  // everything before it was handled when it answers
        QTest::qWait(200);
        QCOMPARE(messages.count(), 1);
    }

    void survivesARedisRestart() {
        RedisServerProcess redis;
        QVERIFY(redis.start());
        RedisConnection commands(urlOf(redis), QStringLiteral("commands"));
        RedisConnection subscriber(urlOf(redis), QStringLiteral("subscriber"));
        subscriber.subscribe({"news"});
        QSignalSpy commandsReady(&commands, &RedisConnection::ready);
        QSignalSpy subscribed(&subscriber, &RedisConnection::ready);
        QSignalSpy commandsLost(&commands, &RedisConnection::lost);
        QSignalSpy subscriberLost(&subscriber, &RedisConnection::lost);
        QSignalSpy messages(&subscriber, &RedisConnection::message);
        commands.open();
        subscriber.open();
        QTRY_VERIFY_WITH_TIMEOUT(commandsReady.count() == 1 && subscribed.count() == 1, timeoutMs());

        // A command in flight when Redis dies is answered "disconnected", never left hanging.
        RedisReply pending;
        pending.kind = RedisReply::Kind::Nil;
        QVERIFY(commands.command({"BLPOP", "never", "0"},
                                 [&pending](const RedisReply &reply) { pending = reply; }));
        QTest::qWait(100);
        redis.kill();
        QTRY_VERIFY_WITH_TIMEOUT(commandsLost.count() == 1 && subscriberLost.count() == 1, timeoutMs());
        QCOMPARE(pending.kind, RedisReply::Kind::Disconnected);
        QVERIFY(!commands.isReady());
        QVERIFY(!commands.command({"PING"}));

        QVERIFY(redis.start());  // same port, empty
        QTRY_VERIFY_WITH_TIMEOUT(commandsReady.count() == 2 && subscribed.count() == 2, timeoutMs());
        // Still subscribed after the restart.
        QVERIFY(commands.command({"PUBLISH", "news", "back"}));
        QVERIFY(messages.wait(timeoutMs()));
        QCOMPARE(messages.constLast().at(1).toByteArray(), QByteArrayLiteral("back"));
    }

    void waitsForARedisThatIsNotThereYet() {
        RedisServerProcess redis;
        QVERIFY(redis.start());
        redis.kill();  // its port is known and nobody listens there now
        RedisConnection connection(urlOf(redis), QStringLiteral("test"));
        QSignalSpy ready(&connection, &RedisConnection::ready);
        QSignalSpy lost(&connection, &RedisConnection::lost);
        connection.open();
        QVERIFY(lost.wait(timeoutMs()));
        QVERIFY(!connection.isReady());
        QTest::qWait(1000);  // several attempts fail meanwhile; each is not reported again
        QCOMPARE(lost.count(), 1);
        QVERIFY(redis.start());
        QVERIFY(ready.wait(timeoutMs()));
        QVERIFY(connection.isReady());
    }

    void aRedisThatStopsAnsweringIsDroppedAndRejoined() {
        RedisServerProcess redis;
        QVERIFY(redis.start());
        RedisConnection connection(urlOf(redis), QStringLiteral("test"));
        connection.setPingInterval(300);
        QSignalSpy ready(&connection, &RedisConnection::ready);
        QSignalSpy lost(&connection, &RedisConnection::lost);
        connection.open();
        QVERIFY(ready.wait(timeoutMs()));
        // A stopped Redis keeps its sockets open: only the unanswered PINGs tell.
        redis.pause();
        QVERIFY(lost.wait(timeoutMs()));
        QVERIFY(!connection.isReady());
        QTest::qWait(1000);  // reconnections meanwhile do not finish their handshake
        QCOMPARE(ready.count(), 1);
        redis.resume();
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 2, timeoutMs());
    }
};

QTEST_GUILESS_MAIN(TestRedisConnection)
#include "tst_redisconnection.moc"
