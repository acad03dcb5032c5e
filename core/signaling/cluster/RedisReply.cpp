// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/cluster/RedisReply.h"

#include <hiredis/hiredis.h>

namespace confab {

RedisReply RedisReply::from(const redisReply *reply) {
    RedisReply result;
    if (!reply) {
        return result;
    }
    switch (reply->type) {
        case REDIS_REPLY_ERROR:
            result.kind = Kind::Error;
            result.text = QByteArray(reply->str, qsizetype(reply->len));
            break;
        case REDIS_REPLY_STATUS:
            result.kind = Kind::Status;
            result.text = QByteArray(reply->str, qsizetype(reply->len));
            break;
        case REDIS_REPLY_STRING:
            result.kind = Kind::String;
            result.text = QByteArray(reply->str, qsizetype(reply->len));
            break;
        case REDIS_REPLY_INTEGER:
            result.kind = Kind::Integer;
            result.integer = reply->integer;
            break;
        case REDIS_REPLY_ARRAY:
            result.kind = Kind::Array;
            result.elements.reserve(qsizetype(reply->elements));
            for (size_t i = 0; i < reply->elements; ++i) {
                result.elements.append(from(reply->element[i]));
            }
            break;
        case REDIS_REPLY_NIL:
        default:
            result.kind = Kind::Nil;
            break;
    }
    return result;
}

QString RedisReply::describe() const {
    switch (kind) {
        case Kind::Disconnected:
            return QStringLiteral("disconnected");
        case Kind::Nil:
            return QStringLiteral("(nil)");
        case Kind::Integer:
            return QString::number(integer);
        case Kind::Array:
            return QStringLiteral("(%1 elements)").arg(elements.size());
        case Kind::Error:
        case Kind::Status:
        case Kind::String:
            return QString::fromUtf8(text);
    }
    return {};
}

}  // namespace confab
