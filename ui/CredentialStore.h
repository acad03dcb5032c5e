// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

namespace confab::ui {

// Where the sign-in page's "Remember" keeps a password and server token: never QSettings (a plain
// text file), only a keyring. This is the interface; KeychainCredentialStore is the desktop keyring
// (QtKeychain, the Secret Service or KWallet), tests use an in-memory one. Calls are asynchronous
// (a keyring may ask the user to unlock it) and answer with a *Finished signal, on the main thread.
class CredentialStore : public QObject {
    Q_OBJECT
public:
    enum class Status {
        Ok = 1,
        NotFound,   // read: nothing stored under the key
        NoKeyring,  // no keyring service here: nothing was or can be stored
        Failed,     // the keyring refused or failed (locked and not unlocked, access denied, …)
    };
    Q_ENUM(Status)

    struct Secrets {
        QString password;
        QString token;
        bool isEmpty() const { return password.isEmpty() && token.isEmpty(); }
        bool operator==(const Secrets &) const = default;
    };

    using QObject::QObject;

    // One entry per account: the server's address (empty: this computer) and the name.
    static QString keyFor(const QString &serverUrl, const QString &name);
    // A sentence for the user about a failed store or read; `detail` is what the keyring said.
    static QString describe(Status status, const QString &detail);

    virtual void read(const QString &key) = 0;
    // Empty `secrets` remove the entry (NotFound counts as done).
    virtual void write(const QString &key, const Secrets &secrets) = 0;

Q_SIGNALS:
    void readFinished(const QString &key, confab::ui::CredentialStore::Status status,
                      const confab::ui::CredentialStore::Secrets &secrets, const QString &detail);
    void writeFinished(const QString &key, confab::ui::CredentialStore::Status status, const QString &detail);
};

}  // namespace confab::ui

Q_DECLARE_METATYPE(confab::ui::CredentialStore::Secrets)
