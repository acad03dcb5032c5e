// SPDX-License-Identifier: GPL-3.0-or-later
// TURN REST credentials (coturn use-auth-secret) in the login reply: the exact username and
// credential, checked against values computed independently with openssl.
#include "RawWebSocketClient.h"

#include "signaling/SignalingServer.h"
#include "signaling/TurnCredentials.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTest>

using namespace confab;

class TestTurnCredentials : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void credentialIsBase64HmacSha1OfTheUsername_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("expiry");
        QTest::addColumn<QString>("credential");
        // Computed once with openssl, independently of this code:
        //   printf '%s' "1700000000:alice" | openssl dgst -sha1 -hmac "north-wind" -binary | base64
        QTest::newRow("alice") << QStringLiteral("alice") << qint64(1700000000)
                               << QStringLiteral("Oko4dt8u/EbTRjRUJWQDFm/zTCc=");
        //   printf '%s' "1700086400:Zoë" | openssl dgst -sha1 -hmac "north-wind" -binary | base64   (UTF-8)
        QTest::newRow("non-ASCII name") << QStringLiteral("Zoë") << qint64(1700086400)
                                        << QStringLiteral("bZYSUwT/3cNCUBlbDTM2tcNPRMM=");
    }

    void credentialIsBase64HmacSha1OfTheUsername() {
        QFETCH(QString, name);
        QFETCH(qint64, expiry);
        QFETCH(QString, credential);
        const protocol::IceServer server = TurnCredentials::issue(
            QByteArrayLiteral("north-wind"), {QStringLiteral("turn:turn.example.org:3478")}, name, expiry);
        QCOMPARE(server.urls, QStringList{QStringLiteral("turn:turn.example.org:3478")});
        QCOMPARE(server.username, QStringLiteral("%1:%2").arg(expiry).arg(name));
        QCOMPARE(server.credential, credential);
    }

    void loginReplyCarriesFreshTurnCredentialsAfterTheStaticServers() {
        SignalingServerOptions options;
        options.port = 0;
        options.iceServers = {protocol::IceServer{{QStringLiteral("stun:stun.example.org:3478")}, {}, {}}};
        options.turnSecret = QByteArrayLiteral("north-wind");
        options.turnUrls = {QStringLiteral("turn:turn.example.org:3478"),
                            QStringLiteral("turn:turn.example.org:3478?transport=tcp")};
        options.turnTtlSeconds = 600;
        SignalingServer server(options);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        RawWebSocketClient client(server.url());
        QVERIFY(client.waitConnected());
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        client.sendJson({{QStringLiteral("type"), QStringLiteral("login")}, {QStringLiteral("name"), QStringLiteral("alice")}});
        const QJsonObject reply = client.take(QStringLiteral("login"));
        const qint64 after = QDateTime::currentSecsSinceEpoch();
        QVERIFY(reply.value(QStringLiteral("success")).toBool());
        const QJsonArray servers = reply.value(QStringLiteral("iceServers")).toArray();
        QCOMPARE(servers.size(), 2);
        QCOMPARE(servers.at(0).toObject().value(QStringLiteral("urls")).toArray().at(0).toString(),
                 QStringLiteral("stun:stun.example.org:3478"));
        const QJsonObject turn = servers.at(1).toObject();
        QCOMPARE(turn.value(QStringLiteral("urls")).toArray().size(), 2);
        const QString username = turn.value(QStringLiteral("username")).toString();
        QVERIFY2(username.endsWith(QStringLiteral(":alice")), qPrintable(username));
        const qint64 expiry = username.section(QLatin1Char(':'), 0, 0).toLongLong();
        QVERIFY2(expiry >= before + 600 && expiry <= after + 600, qPrintable(username));
        // The credential for that username, by the function the openssl vectors above pin down.
        QCOMPARE(turn.value(QStringLiteral("credential")).toString(),
                 TurnCredentials::issue(options.turnSecret, options.turnUrls, QStringLiteral("alice"), expiry).credential);
    }

    void aSecretWithoutATurnUrlIsRefusedAtStart() {
        SignalingServerOptions options;
        options.port = 0;
        options.turnSecret = QByteArrayLiteral("north-wind");
        SignalingServer server(options);
        QString error;
        QVERIFY(!server.start(&error));
        QVERIFY2(error.contains(QStringLiteral("turn-url")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestTurnCredentials)
#include "tst_turncredentials.moc"
