// SPDX-License-Identifier: GPL-3.0-or-later
// Optional sign-in authentication over real WebSockets on 127.0.0.1: the users file of Argon2id
// hashes (--users, written by confab-server --add-user), the shared server token (--token-file),
// their refusals, SignalingClient and confab-call sending them, and the seed login unchanged
// when neither is configured.
#include "RawWebSocketClient.h"
#include "ServerTestCase.h"

#include "signaling/PasswordFile.h"
#include "signaling/SignalingClient.h"
#include "signaling/SignalingServer.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;

namespace {

using Client = std::unique_ptr<RawWebSocketClient>;

QJsonObject login(const QString &name, const QString &password = {}, const QString &token = {}) {
    QJsonObject object{{QStringLiteral("type"), QStringLiteral("login")}, {QStringLiteral("name"), name}};
    if (!password.isEmpty()) {
        object.insert(QStringLiteral("password"), password);
    }
    if (!token.isEmpty()) {
        object.insert(QStringLiteral("token"), token);
    }
    return object;
}

}  // namespace

class TestServerAuth : public ServerTestCase {
    Q_OBJECT
private:
    QTemporaryDir dir_;

    QString usersFile() const { return dir_.filePath(QStringLiteral("users")); }

    // This suite's servers always have the short presence window.
    void startServer(SignalingServerOptions options) {
        options.presenceBatchMilliseconds = fastOptions().presenceBatchMilliseconds;
        ServerTestCase::startServer(options);
    }

    // The login reply to `request`, sent on a new or given connection.
    static QJsonObject reply(RawWebSocketClient &client, const QJsonObject &request) {
        client.sendJson(request);
        return client.take(QStringLiteral("login"));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QString error;
        QVERIFY2(PasswordFile::setUser(usersFile(), QStringLiteral("alice"), "correct horse", &error), qPrintable(error));
        QVERIFY2(PasswordFile::setUser(usersFile(), QStringLiteral("bob"), "battery staple", &error), qPrintable(error));
        // Replacing a user's password keeps the others.
        QVERIFY2(PasswordFile::setUser(usersFile(), QStringLiteral("bob"), "bob's new one", &error), qPrintable(error));
    }
    void cleanup() { stopServer(); }

    void passwordFileHoldsSaltedArgon2idHashesOnly() {
        QFile file(usersFile());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(!text.contains("correct horse"));
        QCOMPARE(text.count("alice:$argon2id$"), 1);
        QCOMPARE(text.count("bob:$argon2id$"), 1);
        QCOMPARE(QFile::permissions(usersFile()) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
        // Same password, different salt, different hash; both verify.
        QString error;
        const QByteArray first = PasswordFile::hash("same", &error);
        const QByteArray second = PasswordFile::hash("same", &error);
        QVERIFY(first != second);
        QVERIFY(PasswordFile::verify(first, "same") && PasswordFile::verify(second, "same"));
        QVERIFY(!PasswordFile::verify(first, "Same"));
    }

    void withPasswordsEachNameNeedsItsOwn() {
        SignalingServerOptions options;
        options.usersFile = usersFile();
        startServer(options);
        auto client = connected();
        QJsonObject answer = reply(*client, login(QStringLiteral("alice")));
        QCOMPARE(answer.value(QStringLiteral("success")).toBool(), false);
        QCOMPARE(answer.value(QStringLiteral("code")).toString(), QStringLiteral("auth-required"));
        QVERIFY(answer.value(QStringLiteral("message")).toString().contains(QStringLiteral("password")));
        answer = reply(*client, login(QStringLiteral("alice"), QStringLiteral("battery staple")));  // bob's old one
        QCOMPARE(answer.value(QStringLiteral("code")).toString(), QStringLiteral("auth-failed"));
        answer = reply(*client, login(QStringLiteral("mallory"), QStringLiteral("anything")));  // not in the file
        QCOMPARE(answer.value(QStringLiteral("code")).toString(), QStringLiteral("auth-failed"));
        QCOMPARE(server().onlineCount(), 0);
        // The connection stays usable after refusals, and the right password signs in.
        answer = reply(*client, login(QStringLiteral("alice"), QStringLiteral("correct horse")));
        QCOMPARE(answer.value(QStringLiteral("success")).toBool(), true);
        QCOMPARE(answer.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
        QVERIFY(!client->take(QStringLiteral("users")).isEmpty());
        auto bob = connected();
        QCOMPARE(reply(*bob, login(QStringLiteral("bob"), QStringLiteral("bob's new one"))).value(QStringLiteral("success")).toBool(),
                 true);
    }

    void whoIsOnlineIsNotToldBeforeTheCredentialsAreRight() {
        SignalingServerOptions options;
        options.usersFile = usersFile();
        startServer(options);
        auto alice = connected();
        QVERIFY(reply(*alice, login(QStringLiteral("alice"), QStringLiteral("correct horse"))).value(QStringLiteral("success")).toBool());
        auto other = connected();
        // alice is online, but a wrong password hears only that it is wrong, not that she is there.
        QCOMPARE(reply(*other, login(QStringLiteral("alice"), QStringLiteral("guess"))).value(QStringLiteral("code")).toString(),
                 QStringLiteral("auth-failed"));
        QCOMPARE(reply(*other, login(QStringLiteral("alice"))).value(QStringLiteral("code")).toString(),
                 QStringLiteral("auth-required"));
        // With the right password, the name is taken.
        QCOMPARE(reply(*other, login(QStringLiteral("alice"), QStringLiteral("correct horse"))).value(QStringLiteral("code")).toString(),
                 QStringLiteral("name-taken"));
    }

    void repeatedWrongPasswordsCloseTheConnection() {
        SignalingServerOptions options;
        options.usersFile = usersFile();
        startServer(options);
        auto client = connected();
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(reply(*client, login(QStringLiteral("alice"), QStringLiteral("guess %1").arg(i)))
                         .value(QStringLiteral("code"))
                         .toString(),
                     QStringLiteral("auth-failed"));
        }
        QVERIFY(client->waitClosed());
        QCOMPARE(client->closeCode(), int(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
    }

    void withATokenEveryLoginCarriesIt() {
        SignalingServerOptions options;
        options.token = QByteArrayLiteral("s3rver-t0ken");
        startServer(options);
        auto client = connected();
        QJsonObject answer = reply(*client, login(QStringLiteral("carol")));
        QCOMPARE(answer.value(QStringLiteral("code")).toString(), QStringLiteral("auth-required"));
        answer = reply(*client, login(QStringLiteral("carol"), {}, QStringLiteral("s3rver-t0ken-")));
        QCOMPARE(answer.value(QStringLiteral("code")).toString(), QStringLiteral("auth-failed"));
        answer = reply(*client, login(QStringLiteral("carol"), {}, QStringLiteral("s3rver-t0ken")));
        QCOMPARE(answer.value(QStringLiteral("success")).toBool(), true);
    }

    void withBothALoginNeedsBoth() {
        SignalingServerOptions options;
        options.usersFile = usersFile();
        options.token = QByteArrayLiteral("tok");
        startServer(options);
        auto client = connected();
        QCOMPARE(reply(*client, login(QStringLiteral("alice"), QStringLiteral("correct horse")))
                     .value(QStringLiteral("code")).toString(),
                 QStringLiteral("auth-required"));
        QCOMPARE(reply(*client, login(QStringLiteral("alice"), {}, QStringLiteral("tok")))
                     .value(QStringLiteral("code")).toString(),
                 QStringLiteral("auth-required"));
        QVERIFY(reply(*client, login(QStringLiteral("alice"), QStringLiteral("correct horse"), QStringLiteral("tok")))
                    .value(QStringLiteral("success")).toBool());
    }

    void withoutAuthenticationPasswordsAreIgnoredAndTheSeedLoginWorks() {
        startServer(SignalingServerOptions());
        auto seed = connected();
        QVERIFY(reply(*seed, login(QStringLiteral("alice"))).value(QStringLiteral("success")).toBool());
        auto extra = connected();
        QVERIFY(reply(*extra, login(QStringLiteral("bob"), QStringLiteral("x"), QStringLiteral("y")))
                    .value(QStringLiteral("success")).toBool());
    }

    void signalingClientSendsItsPasswordAndToken() {
        SignalingServerOptions options;
        options.usersFile = usersFile();
        options.token = QByteArrayLiteral("tok");
        startServer(options);
        SignalingClient good;
        good.setPassword(QStringLiteral("correct horse"));
        good.setToken(QStringLiteral("tok"));
        QSignalSpy loggedIn(&good, &SignalingClient::loggedIn);
        good.connectToServer(url(), QStringLiteral("alice"));
        QVERIFY(loggedIn.wait(RawWebSocketClient::defaultTimeoutMs()));

        SignalingClient wrong;
        wrong.setPassword(QStringLiteral("battery staple"));
        wrong.setToken(QStringLiteral("tok"));
        QSignalSpy refused(&wrong, &SignalingClient::loginRefused);
        wrong.connectToServer(url(), QStringLiteral("bob"));
        QVERIFY(refused.wait(RawWebSocketClient::defaultTimeoutMs()));
        QCOMPARE(refused.first().at(0).value<protocol::ErrorCode>(), protocol::ErrorCode::AuthFailed);
        QCOMPARE(wrong.state(), SignalingClient::State::Disconnected);
    }

    void addUserCommandWritesAFileTheServerAccepts() {
        const QString path = dir_.filePath(QStringLiteral("added"));
        QProcess add;
        add.start(qEnvironmentVariable("CONFAB_SERVER_BIN"),
                  {QStringLiteral("--add-user"), QStringLiteral("dave"), QStringLiteral("--users"), path});
        QVERIFY(add.waitForStarted());
        add.write("dave's secret\n");
        add.closeWriteChannel();
        QVERIFY(add.waitForFinished(RawWebSocketClient::scaledMs(30000)));
        QCOMPARE(add.exitCode(), 0);
        // Without --users it says what is missing.
        QProcess bare;
        bare.start(qEnvironmentVariable("CONFAB_SERVER_BIN"), {QStringLiteral("--add-user"), QStringLiteral("dave")});
        QVERIFY(bare.waitForFinished(RawWebSocketClient::scaledMs(30000)));
        QCOMPARE(bare.exitCode(), 2);
        QVERIFY(bare.readAllStandardError().contains("--users"));

        SignalingServerOptions options;
        options.usersFile = path;
        startServer(options);
        auto client = connected();
        QVERIFY(reply(*client, login(QStringLiteral("dave"), QStringLiteral("dave's secret")))
                    .value(QStringLiteral("success")).toBool());
    }

    void confabCallSignsInWithItsPasswordFile() {
        SignalingServerOptions options;
        options.usersFile = usersFile();
        startServer(options);
        const QString right = dir_.filePath(QStringLiteral("right"));
        const QString wrong = dir_.filePath(QStringLiteral("wrong"));
        for (const auto &[path, text] : {std::pair{right, QByteArray("correct horse\n")}, std::pair{wrong, QByteArray("nope\n")}}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write(text) == text.size());
        }
        const auto run = [&](const QString &passwordFile) {
            auto process = std::make_unique<QProcess>();
            process->start(qEnvironmentVariable("CONFAB_CALL_BIN"),
                           {QStringLiteral("--server"), url().toString(), QStringLiteral("--name"),
                            QStringLiteral("alice"), QStringLiteral("--password-file"), passwordFile,
                            QStringLiteral("--answer"), QStringLiteral("--video"), QStringLiteral("none"),
                            QStringLiteral("--audio"), QStringLiteral("none")});
            return process;
        };
        auto refused = run(wrong);
        QVERIFY(QTest::qWaitFor([&] { return refused->state() == QProcess::NotRunning; }, RawWebSocketClient::scaledMs(30000)));
        QCOMPARE(refused->exitCode(), 1);
        QVERIFY2(refused->readAllStandardError().contains("wrong"), "confab-call should say the password is wrong");
        auto accepted = run(right);
        QTRY_COMPARE_WITH_TIMEOUT(server().onlineCount(), 1, RawWebSocketClient::scaledMs(30000));
        accepted->terminate();
        QVERIFY(accepted->waitForFinished(RawWebSocketClient::scaledMs(10000)));
    }
};

QTEST_GUILESS_MAIN(TestServerAuth)
#include "tst_serverauth.moc"
