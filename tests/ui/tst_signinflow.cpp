// SPDX-License-Identifier: GPL-3.0-or-later
// Signing in without a window (SignInFlow): the secrets the server accepted go to the keyring and
// come back from it at the next sign-in; an unreadable keyring, a missing or wrong token and an
// invalid name each ask the user to fix the right field; a keyring that cannot store turns
// "Remember" off; a server not reachable yet is said on the page, and a cancelled keyring read
// signs in no one. A real in-process server that wants a token and a keyring in memory: no
// widgets and no media, so each takes milliseconds.
#include "FakeCredentialStore.h"
#include "SignInFlow.h"

#include "signaling/SignalingServer.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 20000;
const QString kToken = QStringLiteral("token-of-the-test-server");

}  // namespace

// The window's side of signing in: a client, a keyring, the account and the flow around them.
struct Desk {
    explicit Desk(const QString &dataDir)
        : settings(dataDir + QStringLiteral("/confab.conf"), QSettings::IniFormat),
          account(AccountSettings::load(settings)) {
        SignInFlow::Options options;
        options.settings = &settings;
        options.embeddedPort = 0;
        flow = std::make_unique<SignInFlow>(&client, &keyring, &account, options);
    }
    ~Desk() {
        flow.reset();
        client.disconnectFromServer();
    }

    QSettings settings;
    AccountSettings account;
    SignalingClient client;
    FakeCredentialStore keyring;
    std::unique_ptr<SignInFlow> flow;
};

class TestSignInFlow : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;
    std::unique_ptr<QTemporaryDir> dir_;

    SignInFlow::Form form(const QString &token, bool remember = false) const {
        return {server_->url().toString(), QStringLiteral("alice"), true, remember, {{}, token}};
    }
    QString key() const {
        return CredentialStore::keyFor(server_->url().toString(), QStringLiteral("alice"));
    }

private Q_SLOTS:
    void initTestCase() {
        SignalingServerOptions options;
        options.port = 0;
        options.token = kToken.toUtf8();
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
    }

    void init() { dir_ = std::make_unique<QTemporaryDir>(); }
    void cleanup() { dir_.reset(); }

    void acceptedSecretsGoToTheKeyring() {
        Desk desk(dir_->path());
        QSignalSpy switched(desk.flow.get(), &SignInFlow::accountSwitched);
        QSignalSpy busy(desk.flow.get(), &SignInFlow::busy);
        QSignalSpy signedIn(desk.flow.get(), &SignInFlow::signedIn);
        desk.flow->signIn(form(kToken, true));
        QCOMPARE(switched.count(), 1);
        QCOMPARE(desk.account.name, QStringLiteral("alice"));
        QVERIFY(desk.account.rememberSecrets);
        QCOMPARE(busy.value(0).value(0).toBool(), true);
        QVERIFY(signedIn.wait(kTimeoutMs));
        QCOMPARE(signedIn.value(0).value(0).toString(), QStringLiteral("alice"));
        QCOMPARE(signedIn.value(0).value(1).toBool(), false);
        QVERIFY(desk.flow->everSignedIn());
        QCOMPARE(busy.last().value(0).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(desk.keyring.entries.contains(key()), kTimeoutMs);
        QCOMPARE(desk.keyring.entries.value(key()).token, kToken);
    }

    // Never ticked "Remember": the keyring is not even opened.
    void secretsNotRememberedLeaveTheKeyringAlone() {
        Desk desk(dir_->path());
        QSignalSpy signedIn(desk.flow.get(), &SignInFlow::signedIn);
        desk.flow->signIn(form(kToken));
        QVERIFY(signedIn.wait(kTimeoutMs));
        QTest::qWait(10);
        QCOMPARE(desk.keyring.writes, 0);
        QCOMPARE(desk.keyring.reads, 0);
    }

    void rememberedSecretsComeFromTheKeyring() {
        Desk desk(dir_->path());
        desk.account.rememberSecrets = true;
        desk.keyring.entries.insert(key(), {{}, kToken});
        QSignalSpy read(desk.flow.get(), &SignInFlow::secretsRead);
        QSignalSpy signedIn(desk.flow.get(), &SignInFlow::signedIn);
        desk.flow->signInRemembered(form({}, true));
        QCOMPARE(desk.keyring.reads, 1);
        QVERIFY(signedIn.wait(kTimeoutMs));
        QCOMPARE(read.count(), 1);
        QCOMPARE(read.value(0).value(0).value<CredentialStore::Secrets>().token, kToken);
    }

    void unreadableKeyringAsksForTheSecrets() {
        Desk desk(dir_->path());
        desk.account.rememberSecrets = true;
        desk.keyring.available = false;
        QSignalSpy unreadable(desk.flow.get(), &SignInFlow::secretsUnreadable);
        desk.flow->signInRemembered(form({}, true));
        QVERIFY(unreadable.wait(kTimeoutMs));
        QVERIFY(unreadable.value(0).value(0).toString().contains(QStringLiteral("no keyring")));
        QCOMPARE(desk.client.state(), SignalingClient::State::Disconnected);
    }

    void cancelledKeyringReadSignsInNoOne() {
        Desk desk(dir_->path());
        desk.account.rememberSecrets = true;
        desk.keyring.entries.insert(key(), {{}, kToken});
        QSignalSpy busy(desk.flow.get(), &SignInFlow::busy);
        QSignalSpy read(desk.flow.get(), &SignInFlow::secretsRead);
        desk.flow->signInRemembered(form({}, true));
        desk.flow->cancel();
        QCOMPARE(busy.last().value(0).toBool(), false);
        QTest::qWait(10);
        QCOMPARE(read.count(), 0);
        QCOMPARE(desk.client.state(), SignalingClient::State::Disconnected);
    }

    void refusalsSayWhichFieldToFix_data() {
        QTest::addColumn<QString>("token");
        QTest::addColumn<SignInFlow::Fix>("fix");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("no token") << QString() << SignInFlow::Fix::Secrets
                                  << QStringLiteral("This server asks for a password or a server token");
        QTest::newRow("wrong token") << QStringLiteral("wrong") << SignInFlow::Fix::Secrets
                                     << QStringLiteral("The server did not accept the password or token");
    }
    void refusalsSayWhichFieldToFix() {
        QFETCH(QString, token);
        QFETCH(SignInFlow::Fix, fix);
        QFETCH(QString, sentence);
        Desk desk(dir_->path());
        QSignalSpy refused(desk.flow.get(), &SignInFlow::refused);
        desk.flow->signIn(form(token, true));
        QVERIFY(refused.wait(kTimeoutMs));
        QCOMPARE(refused.value(0).value(0).value<SignInFlow::Fix>(), fix);
        QVERIFY2(refused.value(0).value(1).toString().startsWith(sentence),
                 qPrintable(refused.value(0).value(1).toString()));
        QTest::qWait(10);
        QCOMPARE(desk.keyring.writes, 0);  // refused secrets are not kept
    }

    void refusedNameAsksForAnother() {
        Desk desk(dir_->path());
        QSignalSpy refused(desk.flow.get(), &SignInFlow::refused);
        SignInFlow::Form spaced = form(kToken);
        spaced.name = QStringLiteral(" alice");
        desk.flow->signIn(spaced);
        QVERIFY(refused.wait(kTimeoutMs));
        QCOMPARE(refused.value(0).value(0).value<SignInFlow::Fix>(), SignInFlow::Fix::Name);
        QVERIFY(refused.value(0).value(1).toString().endsWith(QStringLiteral("Choose another name.")));
    }

    void keyringThatCannotStoreTurnsRememberOff() {
        Desk desk(dir_->path());
        desk.keyring.available = false;
        QSignalSpy unavailable(desk.flow.get(), &SignInFlow::rememberUnavailable);
        QSignalSpy message(desk.flow.get(), &SignInFlow::message);
        desk.flow->signIn(form(kToken, true));
        QVERIFY(unavailable.wait(kTimeoutMs));
        QVERIFY(!desk.account.rememberSecrets);
        QCOMPARE(AccountSettings::load(desk.settings).rememberSecrets, false);
        QCOMPARE(message.count(), 1);
        QCOMPARE(message.value(0).value(1).toInt(), 0);  // stays until replaced
    }

    void unreachableServerIsSaidOnThePage() {
        // A port that was free a moment ago: nothing listens there now.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        Desk desk(dir_->path());
        QSignalSpy error(desk.flow.get(), &SignInFlow::error);
        desk.flow->signIn(
            {QStringLiteral("ws://127.0.0.1:%1").arg(port), QStringLiteral("alice"), true, false, {}});
        QTRY_VERIFY_WITH_TIMEOUT(
            !error.isEmpty() && error.last().value(0).toString().endsWith(QStringLiteral("Trying again…")),
            kTimeoutMs);
        QVERIFY(!desk.flow->everSignedIn());
        desk.flow->cancel();
        QCOMPARE(desk.client.state(), SignalingClient::State::Disconnected);
    }
};

QTEST_GUILESS_MAIN(TestSignInFlow)
#include "tst_signinflow.moc"
