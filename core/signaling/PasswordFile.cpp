// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/PasswordFile.h"

#include <QFile>
#include <QSaveFile>
#include <QStringList>

#include <sodium.h>

namespace confab {

namespace {

bool sodiumReady() {
    static const bool ready = sodium_init() >= 0;
    return ready;
}

// A name may hold ':' (the name rules allow it); a hash never does, so the last one splits.
bool splitLine(const QByteArray &line, QString *name, QByteArray *hash) {
    const qsizetype colon = line.lastIndexOf(':');
    if (colon <= 0 || !line.mid(colon + 1).startsWith("$argon2")) {
        return false;
    }
    *name = QString::fromUtf8(line.left(colon));
    *hash = line.mid(colon + 1);
    return true;
}

}  // namespace

bool PasswordFile::load(const QString &path, QString *error) {
    hashes_.clear();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the users file %1: %2.").arg(path, file.errorString());
        return false;
    }
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const QByteArray line = lines.at(index).trimmed();
        if (line.isEmpty() || line.startsWith('#')) {
            continue;
        }
        QString name;
        QByteArray hash;
        if (!splitLine(line, &name, &hash)) {
            *error = QStringLiteral("%1:%2: expected \"name:hash\" as written by confab-server --add-user.")
                         .arg(path)
                         .arg(index + 1);
            hashes_.clear();
            return false;
        }
        hashes_.insert(name, hash);
    }
    return true;
}

QByteArray PasswordFile::hash(const QByteArray &password, QString *error) {
    char out[crypto_pwhash_STRBYTES] = {};
    if (!sodiumReady() || crypto_pwhash_str(out, password.constData(), static_cast<unsigned long long>(password.size()),
                                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        *error = QStringLiteral("cannot hash the password (libsodium ran out of memory).");
        return {};
    }
    return QByteArray(out);
}

bool PasswordFile::verify(const QByteArray &hash, const QByteArray &password) {
    return sodiumReady() && !hash.isEmpty() &&
           crypto_pwhash_str_verify(hash.constData(), password.constData(),
                                    static_cast<unsigned long long>(password.size())) == 0;
}

bool PasswordFile::setUser(const QString &path, const QString &name, const QByteArray &password, QString *error) {
    const QByteArray hashed = hash(password, error);
    if (hashed.isEmpty()) {
        return false;
    }
    QByteArray text;
    QFile existing(path);
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the users file %1: %2.").arg(path, existing.errorString());
            return false;
        }
        // Every other line kept as it was, comments included; this name's line replaced.
        for (const QByteArray &line : existing.readAll().split('\n')) {
            QString lineName;
            QByteArray lineHash;
            if (line.isEmpty() || (splitLine(line.trimmed(), &lineName, &lineHash) && lineName == name)) {
                continue;
            }
            text += line + '\n';
        }
    }
    text += name.toUtf8() + ':' + hashed + '\n';
    // Hashes are not passwords, but they allow guessing offline: the file is for the server only.
    const QFileDevice::Permissions permissions =
        existing.exists() ? existing.permissions() : (QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit() ||
        !QFile::setPermissions(path, permissions)) {
        *error = QStringLiteral("cannot write the users file %1: %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

}  // namespace confab
