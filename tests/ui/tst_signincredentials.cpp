// SPDX-License-Identifier: GPL-3.0-or-later
// "Remember password and token": the desktop app keeps them in the keyring (CredentialStore),
// never in its settings file, signs in with them at the next start, and says so plainly when
// there is no keyring. The server is a real in-process one that wants a token; the keyring is a
// fake in memory, except in the last test, which asks this machine's real one (QtKeychain).
#include "ContactsPage.h"
#include "FakeCredentialStore.h"
#include "KeychainCredentialStore.h"
#include "MainWindow.h"
#include "SignInPage.h"
#include "UiTestSupport.h"

#include "signaling/SignalingServer.h"

#include <QAction>
#include <QCheckBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 20000;
const QByteArray kToken = "token-that-must-not-reach-the-settings-file";

}  // namespace

class TestSignInCredentials : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;
    QUrl url_;
    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<QSettings> settings_;
    FakeCredentialStore *keyring_ = nullptr;  // owned by the test function's parent object
    QObject owner_;

    std::unique_ptr<MainWindow> window() {
        MainWindow::Options options;
        options.settings = settings_.get();
        options.dataDir = dir_->filePath(QStringLiteral("data"));
        options.embeddedPort = 0;
        options.ringSink = QStringLiteral("fakesink");
        options.credentials = keyring_;
        auto w = std::make_unique<MainWindow>(options);
        w->show();
        return w;
    }

    static void fillIn(MainWindow &w, const QUrl &server, const QString &token, bool remember) {
        SignInPage *page = ShellView(w).signInPage();
        page->serverField()->setText(server.toString());
        page->nameField()->setText(QStringLiteral("alice"));
        page->tokenField()->setText(token);
        page->rememberBox()->setChecked(remember);
        page->findChild<QCheckBox *>(QStringLiteral("autoSignIn"))->setChecked(true);
    }

    static bool signedIn(MainWindow &w) {
        return ShellView(w).waitSignedInAs(QStringLiteral("alice"), kTimeoutMs);
    }

    QByteArray settingsFileBytes() {
        settings_->sync();
        QFile file(settings_->fileName());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    QString key() const { return CredentialStore::keyFor(url_.toString(), QStringLiteral("alice")); }

private Q_SLOTS:
    void initTestCase() {
        SignalingServerOptions options;
        options.port = 0;
        options.token = kToken;
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
        url_ = server_->url();
    }

    void init() {
        dir_ = std::make_unique<QTemporaryDir>();
        settings_ =
            std::make_unique<QSettings>(dir_->filePath(QStringLiteral("confab.conf")), QSettings::IniFormat);
        keyring_ = new FakeCredentialStore(&owner_);
    }

    void cleanup() {
        delete keyring_;
        settings_.reset();
        dir_.reset();
    }

    void rememberedTokenSignsInAtTheNextStartFromTheKeyring() {
        {
            auto w = window();
            fillIn(*w, url_, QString::fromLatin1(kToken), true);
            ShellView(*w).signInPage()->signInButton()->click();
            QVERIFY(signedIn(*w));
            QTRY_VERIFY_WITH_TIMEOUT(keyring_->entries.contains(key()), kTimeoutMs);
            QCOMPARE(keyring_->entries.value(key()).token, QString::fromLatin1(kToken));
            QVERIFY(keyring_->entries.value(key()).password.isEmpty());
        }
        // The settings file says "look in the keyring", and holds no secret.
        const QByteArray file = settingsFileBytes();
        QVERIFY(file.contains("rememberSecretsInKeyring=true"));
        QVERIFY(!file.contains(kToken));

        // Next start: the token comes from the keyring, and this server lets no one in without it.
        auto w = window();
        QCOMPARE(ShellView(*w).signInPage()->tokenField()->text(), QString());
        QVERIFY(ShellView(*w).signInPage()->rememberBox()->isChecked());
        w->start({});
        QVERIFY(signedIn(*w));
        QCOMPARE(keyring_->reads, 1);
        QCOMPARE(ShellView(*w).signInPage()->tokenField()->text(), QString::fromLatin1(kToken));
    }

    void untickingRememberTakesTheSecretsOutOfTheKeyring() {
        {
            auto w = window();
            fillIn(*w, url_, QString::fromLatin1(kToken), true);
            ShellView(*w).signInPage()->signInButton()->click();
            QVERIFY(signedIn(*w));
            QTRY_VERIFY_WITH_TIMEOUT(keyring_->entries.contains(key()), kTimeoutMs);
            // Signed out, the user unticks "Remember" and signs in again: the entry goes.
            ShellView(*w).part<QAction>("signOutAction")->trigger();
            fillIn(*w, url_, QString::fromLatin1(kToken), false);
            ShellView(*w).signInPage()->signInButton()->click();
            QVERIFY(signedIn(*w));
            QTRY_VERIFY_WITH_TIMEOUT(keyring_->entries.isEmpty(), kTimeoutMs);
        }
        QVERIFY(settingsFileBytes().contains("rememberSecretsInKeyring=false"));
        // Next start: nothing is read, and the server asks for the token.
        auto w = window();
        w->start({});
        QTRY_VERIFY_WITH_TIMEOUT(ShellView(*w).signInPage()->errorText().contains(QStringLiteral("token")),
                                 kTimeoutMs);
        QCOMPARE(keyring_->reads, 0);
        QVERIFY(!ShellView(*w).signedInAs(QStringLiteral("alice")));
    }

    void whoNeverTicksRememberNeverHasTheKeyringTouched() {
        {
            auto w = window();
            fillIn(*w, url_, QString::fromLatin1(kToken), false);
            ShellView(*w).signInPage()->signInButton()->click();
            QVERIFY(signedIn(*w));
        }
        // The next start signs in without a token (refused by this server), not reading one either.
        auto w = window();
        w->start({});
        QTRY_VERIFY_WITH_TIMEOUT(ShellView(*w).signInPage()->errorText().contains(QStringLiteral("token")),
                                 kTimeoutMs);
        QCOMPARE(keyring_->reads, 0);
        QCOMPARE(keyring_->writes, 0);
    }

    void withoutAKeyringNothingIsStoredAndTheUserIsTold() {
        keyring_->available = false;
        auto w = window();
        fillIn(*w, url_, QString::fromLatin1(kToken), true);
        ShellView(*w).signInPage()->signInButton()->click();
        QVERIFY(signedIn(*w));  // signing in works; only remembering does not
        QTRY_VERIFY_WITH_TIMEOUT(w->statusBar()->currentMessage().contains(QStringLiteral("no keyring")),
                                 kTimeoutMs);
        QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("nothing was stored")),
                 qPrintable(w->statusBar()->currentMessage()));
        QVERIFY(!ShellView(*w).signInPage()->rememberBox()->isChecked());
        QVERIFY(keyring_->entries.isEmpty());
        const QByteArray file = settingsFileBytes();
        QVERIFY(file.contains("rememberSecretsInKeyring=false"));
        QVERIFY(!file.contains(kToken));
    }

    void aKeyringGoneAtStartAsksForThePasswordInsteadOfSigningIn() {
        {
            auto w = window();
            fillIn(*w, url_, QString::fromLatin1(kToken), true);
            ShellView(*w).signInPage()->signInButton()->click();
            QVERIFY(signedIn(*w));
            QTRY_VERIFY_WITH_TIMEOUT(keyring_->entries.contains(key()), kTimeoutMs);
        }
        QTRY_COMPARE_WITH_TIMEOUT(server_->onlineCount(), 0, kTimeoutMs);
        keyring_->available = false;  // e.g. started in a session without a keyring daemon
        auto w = window();
        w->start({});
        QTRY_VERIFY_WITH_TIMEOUT(ShellView(*w).signInPage()->errorText().contains(QStringLiteral("keyring")),
                                 kTimeoutMs);
        QCOMPARE(ShellView(*w).connectionText(), QStringLiteral("Offline"));
        QVERIFY(ShellView(*w).showsSignIn());
        QVERIFY(ShellView(*w).signInPage()->signInButton()->text().contains(
            QStringLiteral("Sign in")));  // not busy
        QCOMPARE(server_->onlineCount(), 0);
    }

    // QtKeychain against whatever this machine has. Without a Secret Service or KWallet (the usual
    // headless case) it must say NoKeyring and store nothing; with one, what is written reads back.
    void desktopKeyringStoresOrSaysThereIsNone() {
        KeychainCredentialStore keychain;
        const QString testKey = QStringLiteral("confab-test %1").arg(QCoreApplication::applicationPid());
        QSignalSpy written(&keychain, &CredentialStore::writeFinished);
        QSignalSpy read(&keychain, &CredentialStore::readFinished);
        keychain.write(testKey, {QStringLiteral("pw"), QStringLiteral("tok")});
        QVERIFY(written.wait(kTimeoutMs));
        const auto status = written.at(0).at(1).value<CredentialStore::Status>();
        keychain.read(testKey);
        QVERIFY(read.wait(kTimeoutMs));
        if (status == CredentialStore::Status::NoKeyring) {
            QCOMPARE(read.at(0).at(1).value<CredentialStore::Status>(), CredentialStore::Status::NoKeyring);
            QVERIFY(read.at(0).at(2).value<CredentialStore::Secrets>().isEmpty());
            QVERIFY(!CredentialStore::describe(status, {}).isEmpty());
            return;
        }
        QCOMPARE(status, CredentialStore::Status::Ok);
        QCOMPARE(read.at(0).at(1).value<CredentialStore::Status>(), CredentialStore::Status::Ok);
        const auto secrets = read.at(0).at(2).value<CredentialStore::Secrets>();
        QCOMPARE(secrets.password, QStringLiteral("pw"));
        QCOMPARE(secrets.token, QStringLiteral("tok"));
        keychain.write(testKey, {});  // removed again
        QVERIFY(written.wait(kTimeoutMs));
        QCOMPARE(written.at(1).at(1).value<CredentialStore::Status>(), CredentialStore::Status::Ok);
        keychain.read(testKey);
        QVERIFY(read.wait(kTimeoutMs));
        QCOMPARE(read.at(1).at(1).value<CredentialStore::Status>(), CredentialStore::Status::NotFound);
    }
};

QTEST_MAIN(TestSignInCredentials)
#include "tst_signincredentials.moc"
