// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

struct redisReply;

namespace confab {

// A Redis reply copied out of hiredis's redisReply, which hiredis frees as soon as the callback
// that saw it returns. `Disconnected` is what a command gets when the connection went away first.
struct RedisReply {
    enum class Kind { Disconnected = 1, Error, Nil, Status, String, Integer, Array };

    Kind kind = Kind::Disconnected;
    QByteArray text;  // String, Status and Error
    long long integer = 0;
    QList<RedisReply> elements;

    static RedisReply from(const redisReply *reply);  // nullptr: Disconnected
    bool failed() const { return kind == Kind::Disconnected || kind == Kind::Error; }
    // For logs: "OK", "(nil)", "ERR wrong number of arguments", "disconnected".
    QString describe() const;
};

}  // namespace confab
