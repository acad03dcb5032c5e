// SPDX-License-Identifier: GPL-3.0-or-later
// KeychainCredentialStore against a real Secret Service: the test runs under with-private-keyring,
// which starts a GNOME Keyring of its own on a private session bus. What is written reads back,
// changes, goes away, and is not on disk in the clear. Skipped (saying why) where that keyring
// cannot be started; tst_signincredentials covers a machine without any keyring.
#include "CannotRun.h"
#include "KeychainCredentialStore.h"

#include <QDirIterator>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace confab::ui;

namespace {
constexpr int kTimeoutMs = 20000;
}  // namespace

class TestKeychainStore : public QObject {
    Q_OBJECT
private:
    KeychainCredentialStore store_;
    QString key_ = QStringLiteral("wss://example.org:8443/ alice");

    CredentialStore::Status write(const CredentialStore::Secrets &secrets) {
        QSignalSpy written(&store_, &CredentialStore::writeFinished);
        store_.write(key_, secrets);
        if (!written.wait(kTimeoutMs)) {
            return CredentialStore::Status::Failed;
        }
        if (written.at(0).at(1).value<CredentialStore::Status>() != CredentialStore::Status::Ok) {
            qWarning("write: %s", qPrintable(written.at(0).at(2).toString()));
        }
        return written.at(0).at(1).value<CredentialStore::Status>();
    }

    std::pair<CredentialStore::Status, CredentialStore::Secrets> read() {
        QSignalSpy read(&store_, &CredentialStore::readFinished);
        store_.read(key_);
        if (!read.wait(kTimeoutMs)) {
            return {CredentialStore::Status::Failed, {}};
        }
        return {read.at(0).at(1).value<CredentialStore::Status>(),
                read.at(0).at(2).value<CredentialStore::Secrets>()};
    }

private Q_SLOTS:
    void initTestCase() {
        if (qEnvironmentVariable("CONFAB_PRIVATE_KEYRING") != QLatin1StringView("1")) {
            CONFAB_CANNOT_RUN(QStringLiteral(
                "No private keyring: needs dbus-run-session and gnome-keyring-daemon (Debian: dbus-daemon, "
                "gnome-keyring), run through tests/ui/with-private-keyring"));
        }
        QVERIFY2(KeychainCredentialStore::missingKeyring().isEmpty(),
                 qPrintable(KeychainCredentialStore::missingKeyring()));
    }

    void storesReadsChangesAndRemoves() {
        QCOMPARE(read().first, CredentialStore::Status::NotFound);
        const CredentialStore::Secrets first{QStringLiteral("correct horse"), QStringLiteral("tok-3f9a")};
        QCOMPARE(write(first), CredentialStore::Status::Ok);
        auto [status, secrets] = read();
        QCOMPARE(status, CredentialStore::Status::Ok);
        QCOMPARE(secrets.password, first.password);
        QCOMPARE(secrets.token, first.token);

        // A second sign-in with another password replaces the entry.
        const CredentialStore::Secrets second{QStringLiteral("battery staple"), QString()};
        QCOMPARE(write(second), CredentialStore::Status::Ok);
        std::tie(status, secrets) = read();
        QCOMPARE(status, CredentialStore::Status::Ok);
        QCOMPARE(secrets.password, second.password);
        QVERIFY(secrets.token.isEmpty());

        // Unticking "Remember" removes it; removing twice is not an error.
        QCOMPARE(write({}), CredentialStore::Status::Ok);
        QCOMPARE(read().first, CredentialStore::Status::NotFound);
        QCOMPARE(write({}), CredentialStore::Status::Ok);
    }

    void theKeyringFileDoesNotHoldTheSecretInTheClear() {
        const QByteArray secret = "not-on-disk-in-the-clear-7c1e";
        QCOMPARE(write({QString::fromLatin1(secret), {}}), CredentialStore::Status::Ok);
        int files = 0;
        QDirIterator it(qEnvironmentVariable("XDG_DATA_HOME") + QStringLiteral("/keyrings"), QDir::Files);
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains(secret), qPrintable(file.fileName()));
            ++files;
        }
        QVERIFY(files > 0);  // the keyring did write its (encrypted) file
        QCOMPARE(write({}), CredentialStore::Status::Ok);
    }
};

QTEST_GUILESS_MAIN(TestKeychainStore)
#include "tst_keychainstore.moc"
