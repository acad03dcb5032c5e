// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace confab {

// confab-server's users file (--users): one `name:hash` line per user, the hash made by
// libsodium's crypto_pwhash_str (Argon2id, a random salt per user, the cost in the string), `#`
// lines are comments. The server only reads it; `confab-server --add-user` writes it. Hashing and
// verifying take tens of milliseconds and 64 MiB on purpose, so the server runs them off its
// main thread.
class PasswordFile {
public:
    // False (with *error a sentence) when the file cannot be read or a line is not `name:hash`.
    bool load(const QString &path, QString *error);
    bool isEmpty() const { return hashes_.isEmpty(); }
    // The stored hash for `name`, or an empty array when the file does not know the name.
    QByteArray hashFor(const QString &name) const { return hashes_.value(name); }

    // A new salted hash of `password`; empty (and *error set) when libsodium fails (out of memory).
    static QByteArray hash(const QByteArray &password, QString *error);
    // True when `password` matches `hash`; thread-safe.
    static bool verify(const QByteArray &hash, const QByteArray &password);
    // Adds `name` to the file at `path` or replaces its hash, creating the file (mode 0600) when
    // it does not exist; the file is replaced atomically.
    static bool setUser(const QString &path, const QString &name, const QByteArray &password, QString *error);

private:
    QHash<QString, QByteArray> hashes_;
};

}  // namespace confab
