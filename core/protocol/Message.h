// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <variant>

// The typed messages of the Confab signaling protocol (docs/protocol.md). Nothing outside
// MessageCodec sees JSON: the rest of the code works with these structs.
namespace confab::protocol {

// Wire names are the `type` field; 0 is deliberately not a valid value.
enum class MessageType {
    Login = 1,
    Offer,
    Answer,
    Candidate,
    Leave,
    Ringing,
    Users,
    Presence,
    Error,
};

QString wireName(MessageType type);
std::optional<MessageType> messageTypeFromWire(QStringView wire);
// Types the server passes from one user to another, rewriting `name` to the sender.
bool isRelayed(MessageType type);

// Machine-readable reasons in `error` messages and refused logins; each has a human sentence too.
enum class ErrorCode {
    MalformedJson = 1,
    BadMessage,
    UnknownType,
    NotLoggedIn,
    AlreadyLoggedIn,
    UserOffline,
    NameTaken,
    NameInvalid,
    TooLarge,
    TooDeep,
    ServerError,
    RateLimited,         // more messages than the server's per-connection rate allows
    TooManyConnections,  // more connections from one address than the server allows
    LoginTimeout,        // not signed in within the server's login timeout
    AuthRequired,        // the server wants a password or token and the login had none
    AuthFailed,          // the password or token was wrong
    Unavailable,         // the server cannot sign anyone in just now (a cluster node without Redis); retry
};

QString wireName(ErrorCode code);
std::optional<ErrorCode> errorCodeFromWire(QStringView wire);

// A refusal: what went wrong, in a code for programs and a sentence for people.
struct ProtocolError {
    ErrorCode code = ErrorCode::BadMessage;
    QString message;
};

// Reasons carried by `leave`; unknown reasons from other peers are kept as they are.
namespace leave_reason {
inline constexpr char kHangUp[] = "hangup";
inline constexpr char kDeclined[] = "declined";
inline constexpr char kBusy[] = "busy";
inline constexpr char kCancelled[] = "cancelled";
inline constexpr char kNoAnswer[] = "no-answer";
inline constexpr char kDisconnected[] = "disconnected";
inline constexpr char kConnectionLost[] = "connection-lost";
inline constexpr char kReconnectTimeout[] = "reconnect-timeout";
}  // namespace leave_reason

struct SessionDescription {
    QString type;  // "offer" or "answer"
    QString sdp;
    friend bool operator==(const SessionDescription &, const SessionDescription &) = default;
};

struct IceCandidate {
    QString candidate;  // empty means end-of-candidates
    QString sdpMid;
    int sdpMLineIndex = 0;
    friend bool operator==(const IceCandidate &, const IceCandidate &) = default;
};

// The browser's RTCIceServer shape.
struct IceServer {
    QStringList urls;
    QString username;
    QString credential;
    friend bool operator==(const IceServer &, const IceServer &) = default;
};

struct LoginRequest {
    // A constructor, not an aggregate: `LoginRequest{name}` stays the seed protocol's login.
    explicit LoginRequest(QString name_ = {}, QString password_ = {}, QString token_ = {})
        : name(std::move(name_)), password(std::move(password_)), token(std::move(token_)) {}
    QString name;
    QString password;  // optional: servers started with --users want it
    QString token;     // optional: servers started with --token-file want it
    friend bool operator==(const LoginRequest &, const LoginRequest &) = default;
};

struct LoginReply {
    bool success = false;
    QString name;
    QString message;                    // a sentence for people, set when refused
    std::optional<ErrorCode> code;      // set when refused
    QList<IceServer> iceServers;
    friend bool operator==(const LoginReply &, const LoginReply &) = default;
};

// The relayed messages. `name` is the target when sent and the sender when received. Two
// extensions that seed-protocol peers neither send nor read:
// - `call` (docs/protocol.md, "Call identity"): the call the message belongs to, chosen by the
//   caller; empty when absent (a seed-protocol peer, an older Confab). Initialised with `= {}` so
//   that aggregate initialisers may leave it out without -Wmissing-field-initializers.
// - `reconnect` (docs/protocol.md, "Reconnection"): which media session of the running call the
//   message belongs to: 0 for the call's first, n for its n-th re-establishment.
struct OfferMessage {
    QString name;
    SessionDescription offer;
    int reconnect = -1;  // -1: absent (a seed-protocol peer)
    QString call = {};
    friend bool operator==(const OfferMessage &, const OfferMessage &) = default;
};

struct AnswerMessage {
    QString name;
    SessionDescription answer;
    int reconnect = -1;  // -1: absent (a seed-protocol peer)
    QString call = {};
    friend bool operator==(const AnswerMessage &, const AnswerMessage &) = default;
};

struct CandidateMessage {
    QString name;
    IceCandidate candidate;
    int reconnect = 0;  // absent on the wire for the call's first session
    QString call = {};
    friend bool operator==(const CandidateMessage &, const CandidateMessage &) = default;
};

struct LeaveMessage {
    QString name;
    QString reason;  // optional; see leave_reason
    QString call = {};
    friend bool operator==(const LeaveMessage &, const LeaveMessage &) = default;
};

struct RingingMessage {
    QString name;
    QString call = {};
    friend bool operator==(const RingingMessage &, const RingingMessage &) = default;
};

// The whole list of online names, sent to a client when it logs in.
struct UsersMessage {
    QStringList users;
    friend bool operator==(const UsersMessage &, const UsersMessage &) = default;
};

// Changes to that list since: names now online and names now offline.
struct PresenceMessage {
    QStringList online;
    QStringList offline;
    friend bool operator==(const PresenceMessage &, const PresenceMessage &) = default;
};

struct ErrorMessage {
    ErrorCode code = ErrorCode::BadMessage;
    QString message;
    QString about;  // the `type` of the message that caused it, when known
    QString name;   // the user it concerns, when there is one
    friend bool operator==(const ErrorMessage &, const ErrorMessage &) = default;
};

using Message = std::variant<LoginRequest, LoginReply, OfferMessage, AnswerMessage, CandidateMessage,
                             LeaveMessage, RingingMessage, UsersMessage, PresenceMessage, ErrorMessage>;

MessageType typeOf(const Message &message);

}  // namespace confab::protocol
