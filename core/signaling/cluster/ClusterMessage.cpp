// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/cluster/ClusterMessage.h"

namespace confab {

namespace {

const char *kindName(ClusterMessage::Kind kind) {
    switch (kind) {
        case ClusterMessage::Kind::Hello:
            return "hello";
        case ClusterMessage::Kind::Snapshot:
            return "snapshot";
        case ClusterMessage::Kind::Presence:
            return "presence";
        case ClusterMessage::Kind::Heartbeat:
            return "heartbeat";
        case ClusterMessage::Kind::Bye:
            return "bye";
        case ClusterMessage::Kind::Relay:
            return "relay";
        case ClusterMessage::Kind::Undeliverable:
            return "undeliverable";
    }
    return "";
}

std::optional<ClusterMessage::Kind> kindFrom(QByteArrayView name) {
    for (auto kind :
         {ClusterMessage::Kind::Hello, ClusterMessage::Kind::Snapshot, ClusterMessage::Kind::Presence,
          ClusterMessage::Kind::Heartbeat, ClusterMessage::Kind::Bye, ClusterMessage::Kind::Relay,
          ClusterMessage::Kind::Undeliverable}) {
        if (name == QByteArrayView(kindName(kind))) {
            return kind;
        }
    }
    return std::nullopt;
}

// The next line of `text` from `*position` (which moves past it), or nullopt at the end.
std::optional<QByteArrayView> nextLine(QByteArrayView text, qsizetype *position) {
    if (*position >= text.size()) {
        return std::nullopt;
    }
    const qsizetype newline = text.indexOf('\n', *position);
    const qsizetype end = newline < 0 ? text.size() : newline;
    const QByteArrayView line = text.sliced(*position, end - *position);
    *position = end + 1;
    return line;
}

}  // namespace

QByteArray ClusterMessage::encode() const {
    QByteArray out = kindName(kind);
    out += ' ';
    out += node.toUtf8();
    const auto line = [&out](const QString &text) {
        out += '\n';
        out += text.toUtf8();
    };
    switch (kind) {
        case Kind::Hello:
            if (!askedNode.isEmpty()) {
                out += ' ';
                out += askedNode.toUtf8();
            }
            break;
        case Kind::Heartbeat:
            out += ' ';
            out += QByteArray::number(count);
            break;
        case Kind::Bye:
            break;
        case Kind::Snapshot:
            for (const QString &name : online) {
                line(name);
            }
            break;
        case Kind::Presence:
            for (const QString &name : online) {
                line(QLatin1Char('+') + name);
            }
            for (const QString &name : offline) {
                line(QLatin1Char('-') + name);
            }
            break;
        case Kind::Relay:
        case Kind::Undeliverable:
            line(to);
            line(from);
            line(type);
            if (kind == Kind::Relay) {
                out += '\n';
                out += frame;
            }
            break;
    }
    return out;
}

std::optional<ClusterMessage> ClusterMessage::decode(QByteArrayView payload) {
    qsizetype position = 0;
    const std::optional<QByteArrayView> header = nextLine(payload, &position);
    if (!header) {
        return std::nullopt;
    }
    const QList<QByteArrayView> words = [&] {
        QList<QByteArrayView> result;
        qsizetype start = 0;
        for (qsizetype i = 0; i <= header->size(); ++i) {
            if (i == header->size() || header->at(i) == ' ') {
                result.append(header->sliced(start, i - start));
                start = i + 1;
            }
        }
        return result;
    }();
    const std::optional<Kind> kind = words.size() >= 2 ? kindFrom(words[0]) : std::nullopt;
    if (!kind || words[1].isEmpty()) {
        return std::nullopt;
    }
    ClusterMessage message;
    message.kind = *kind;
    message.node = QString::fromUtf8(words[1]);
    switch (*kind) {
        case Kind::Hello:
            if (words.size() > 3) {
                return std::nullopt;
            }
            message.askedNode = words.size() == 3 ? QString::fromUtf8(words[2]) : QString();
            return message;
        case Kind::Heartbeat: {
            bool ok = false;
            message.count = words.size() == 3 ? words[2].toLongLong(&ok) : 0;
            return ok ? std::optional(message) : std::nullopt;
        }
        case Kind::Bye:
            return words.size() == 2 ? std::optional(message) : std::nullopt;
        case Kind::Snapshot:
            while (const std::optional<QByteArrayView> name = nextLine(payload, &position)) {
                message.online.append(QString::fromUtf8(*name));
            }
            return message;
        case Kind::Presence:
            while (const std::optional<QByteArrayView> change = nextLine(payload, &position)) {
                if (change->size() < 2 || (change->front() != '+' && change->front() != '-')) {
                    return std::nullopt;
                }
                (change->front() == '+' ? message.online : message.offline)
                    .append(QString::fromUtf8(change->sliced(1)));
            }
            return message;
        case Kind::Relay:
        case Kind::Undeliverable: {
            const auto to = nextLine(payload, &position);
            const auto from = nextLine(payload, &position);
            const auto type = nextLine(payload, &position);
            if (!to || !from || !type || to->isEmpty() || from->isEmpty() || type->isEmpty()) {
                return std::nullopt;
            }
            message.to = QString::fromUtf8(*to);
            message.from = QString::fromUtf8(*from);
            message.type = QString::fromUtf8(*type);
            if (*kind == Kind::Relay) {
                if (position >= payload.size()) {
                    return std::nullopt;
                }
                message.frame = payload.sliced(position).toByteArray();
            }
            return message;
        }
    }
    return std::nullopt;
}

}  // namespace confab
