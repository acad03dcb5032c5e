// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace confab {

// Where a cluster's Redis is: parsed from confab-server's --redis URL,
// redis://[[user]:password@]host[:port][/db]. The password never appears in logs (display()).
struct RedisUrl {
    QString host;
    int port = 6379;
    QByteArray user;      // Redis 6 ACL user; empty: the default user
    QByteArray password;  // empty: no AUTH
    int database = 0;

    // The URL parsed, or nullopt with *error set to a sentence for the user.
    static std::optional<RedisUrl> parse(const QString &text, QString *error);
    // host:port/db, without credentials.
    QString display() const;
};

}  // namespace confab
