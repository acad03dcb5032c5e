// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/Message.h"

#include <array>
#include <utility>

namespace confab::protocol {
namespace {

constexpr std::array kTypeNames = {
    std::pair{MessageType::Login, "login"},       std::pair{MessageType::Offer, "offer"},
    std::pair{MessageType::Answer, "answer"},     std::pair{MessageType::Candidate, "candidate"},
    std::pair{MessageType::Leave, "leave"},       std::pair{MessageType::Ringing, "ringing"},
    std::pair{MessageType::Users, "users"},       std::pair{MessageType::Presence, "presence"},
    std::pair{MessageType::Error, "error"},
};

constexpr std::array kErrorNames = {
    std::pair{ErrorCode::MalformedJson, "malformed-json"},
    std::pair{ErrorCode::BadMessage, "bad-message"},
    std::pair{ErrorCode::UnknownType, "unknown-type"},
    std::pair{ErrorCode::NotLoggedIn, "not-logged-in"},
    std::pair{ErrorCode::AlreadyLoggedIn, "already-logged-in"},
    std::pair{ErrorCode::UserOffline, "user-offline"},
    std::pair{ErrorCode::NameTaken, "name-taken"},
    std::pair{ErrorCode::NameInvalid, "name-invalid"},
    std::pair{ErrorCode::TooLarge, "too-large"},
    std::pair{ErrorCode::TooDeep, "too-deep"},
    std::pair{ErrorCode::ServerError, "server-error"},
    std::pair{ErrorCode::RateLimited, "rate-limited"},
    std::pair{ErrorCode::TooManyConnections, "too-many-connections"},
    std::pair{ErrorCode::LoginTimeout, "login-timeout"},
    std::pair{ErrorCode::AuthRequired, "auth-required"},
    std::pair{ErrorCode::AuthFailed, "auth-failed"},
    std::pair{ErrorCode::Unavailable, "unavailable"},
};

template <typename Table, typename Enum>
QString nameIn(const Table &table, Enum value) {
    for (const auto &[entry, name] : table) {
        if (entry == value) {
            return QString::fromLatin1(name);
        }
    }
    return {};
}

template <typename Enum, typename Table>
std::optional<Enum> valueIn(const Table &table, QStringView wire) {
    for (const auto &[entry, name] : table) {
        if (wire == QLatin1StringView(name)) {
            return entry;
        }
    }
    return std::nullopt;
}

}  // namespace

QString wireName(MessageType type) {
    return nameIn(kTypeNames, type);
}

std::optional<MessageType> messageTypeFromWire(QStringView wire) {
    return valueIn<MessageType>(kTypeNames, wire);
}

bool isRelayed(MessageType type) {
    switch (type) {
        case MessageType::Offer:
        case MessageType::Answer:
        case MessageType::Candidate:
        case MessageType::Leave:
        case MessageType::Ringing:
            return true;
        default:
            return false;
    }
}

QString wireName(ErrorCode code) {
    return nameIn(kErrorNames, code);
}

std::optional<ErrorCode> errorCodeFromWire(QStringView wire) {
    return valueIn<ErrorCode>(kErrorNames, wire);
}

MessageType typeOf(const Message &message) {
    struct Visitor {
        MessageType operator()(const LoginRequest &) const { return MessageType::Login; }
        MessageType operator()(const LoginReply &) const { return MessageType::Login; }
        MessageType operator()(const OfferMessage &) const { return MessageType::Offer; }
        MessageType operator()(const AnswerMessage &) const { return MessageType::Answer; }
        MessageType operator()(const CandidateMessage &) const { return MessageType::Candidate; }
        MessageType operator()(const LeaveMessage &) const { return MessageType::Leave; }
        MessageType operator()(const RingingMessage &) const { return MessageType::Ringing; }
        MessageType operator()(const UsersMessage &) const { return MessageType::Users; }
        MessageType operator()(const PresenceMessage &) const { return MessageType::Presence; }
        MessageType operator()(const ErrorMessage &) const { return MessageType::Error; }
    };
    return std::visit(Visitor{}, message);
}

}  // namespace confab::protocol
