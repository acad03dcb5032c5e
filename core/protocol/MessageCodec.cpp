// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/MessageCodec.h"

#include "util/GLibPtr.h"

#include <QCoreApplication>

namespace confab::protocol {
namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("confab", text);
}

// ---- Encoding -------------------------------------------------------------------------------

struct JsonObjectUnref {
    void operator()(JsonObject *object) const { json_object_unref(object); }
};
using JsonObjectPtr = std::unique_ptr<JsonObject, JsonObjectUnref>;
struct JsonArrayUnref {
    void operator()(JsonArray *array) const { json_array_unref(array); }
};
using JsonArrayPtr = std::unique_ptr<JsonArray, JsonArrayUnref>;

class ObjectWriter {
public:
    explicit ObjectWriter(MessageType type) : object_(json_object_new()) {
        set("type", wireName(type));
    }
    ObjectWriter &set(const char *member, const QString &value) {
        json_object_set_string_member(object_.get(), member, value.toUtf8().constData());
        return *this;
    }
    ObjectWriter &setIfNotEmpty(const char *member, const QString &value) {
        return value.isEmpty() ? *this : set(member, value);
    }
    ObjectWriter &set(const char *member, bool value) {
        json_object_set_boolean_member(object_.get(), member, value);
        return *this;
    }
    ObjectWriter &setIfAtLeast(const char *member, int value, int least) {
        if (value >= least) {
            json_object_set_int_member(object_.get(), member, value);
        }
        return *this;
    }
    ObjectWriter &set(const char *member, JsonObjectPtr value) {
        json_object_set_object_member(object_.get(), member, value.release());
        return *this;
    }
    ObjectWriter &set(const char *member, JsonArrayPtr value) {
        json_object_set_array_member(object_.get(), member, value.release());
        return *this;
    }
    QByteArray finish() {
        JsonNodePtr root(json_node_alloc());
        json_node_init_object(root.get(), object_.get());
        GCharPtr text(json_to_string(root.get(), FALSE));
        return QByteArray(text.get());
    }

private:
    JsonObjectPtr object_;
};

JsonArrayPtr stringArray(const QStringList &strings) {
    JsonArrayPtr array(json_array_sized_new(strings.size()));
    for (const QString &s : strings) {
        json_array_add_string_element(array.get(), s.toUtf8().constData());
    }
    return array;
}

JsonObjectPtr descriptionObject(const SessionDescription &description) {
    JsonObjectPtr object(json_object_new());
    json_object_set_string_member(object.get(), "type", description.type.toUtf8().constData());
    json_object_set_string_member(object.get(), "sdp", description.sdp.toUtf8().constData());
    return object;
}

JsonObjectPtr candidateObject(const IceCandidate &candidate) {
    JsonObjectPtr object(json_object_new());
    json_object_set_string_member(object.get(), "candidate", candidate.candidate.toUtf8().constData());
    json_object_set_string_member(object.get(), "sdpMid", candidate.sdpMid.toUtf8().constData());
    json_object_set_int_member(object.get(), "sdpMLineIndex", candidate.sdpMLineIndex);
    return object;
}

JsonArrayPtr iceServerArray(const QList<IceServer> &servers) {
    JsonArrayPtr array(json_array_sized_new(servers.size()));
    for (const IceServer &server : servers) {
        JsonObjectPtr object(json_object_new());
        json_object_set_array_member(object.get(), "urls", stringArray(server.urls).release());
        if (!server.username.isEmpty()) {
            json_object_set_string_member(object.get(), "username", server.username.toUtf8().constData());
        }
        if (!server.credential.isEmpty()) {
            json_object_set_string_member(object.get(), "credential", server.credential.toUtf8().constData());
        }
        json_array_add_object_element(array.get(), object.release());
    }
    return array;
}

struct Encoder {
    QByteArray operator()(const LoginRequest &m) const {
        return ObjectWriter(MessageType::Login)
            .set("name", m.name)
            .setIfNotEmpty("password", m.password)
            .setIfNotEmpty("token", m.token)
            .finish();
    }
    QByteArray operator()(const LoginReply &m) const {
        ObjectWriter writer(MessageType::Login);
        writer.set("success", m.success).setIfNotEmpty("name", m.name).setIfNotEmpty("message", m.message);
        if (m.code) {
            writer.set("code", wireName(*m.code));
        }
        if (!m.iceServers.isEmpty()) {
            writer.set("iceServers", iceServerArray(m.iceServers));
        }
        return writer.finish();
    }
    QByteArray operator()(const OfferMessage &m) const {
        return ObjectWriter(MessageType::Offer)
            .set("offer", descriptionObject(m.offer))
            .set("name", m.name)
            .setIfAtLeast("reconnect", m.reconnect, 0)
            .setIfNotEmpty("call", m.call)
            .finish();
    }
    QByteArray operator()(const AnswerMessage &m) const {
        return ObjectWriter(MessageType::Answer)
            .set("answer", descriptionObject(m.answer))
            .set("name", m.name)
            .setIfAtLeast("reconnect", m.reconnect, 0)
            .setIfNotEmpty("call", m.call)
            .finish();
    }
    QByteArray operator()(const CandidateMessage &m) const {
        return ObjectWriter(MessageType::Candidate)
            .set("candidate", candidateObject(m.candidate))
            .set("name", m.name)
            .setIfAtLeast("reconnect", m.reconnect, 1)
            .setIfNotEmpty("call", m.call)
            .finish();
    }
    QByteArray operator()(const LeaveMessage &m) const {
        return ObjectWriter(MessageType::Leave)
            .set("name", m.name)
            .setIfNotEmpty("reason", m.reason)
            .setIfNotEmpty("call", m.call)
            .finish();
    }
    QByteArray operator()(const RingingMessage &m) const {
        return ObjectWriter(MessageType::Ringing).set("name", m.name).setIfNotEmpty("call", m.call).finish();
    }
    QByteArray operator()(const UsersMessage &m) const {
        return ObjectWriter(MessageType::Users).set("users", stringArray(m.users)).finish();
    }
    QByteArray operator()(const PresenceMessage &m) const {
        return ObjectWriter(MessageType::Presence)
            .set("online", stringArray(m.online))
            .set("offline", stringArray(m.offline))
            .finish();
    }
    QByteArray operator()(const ErrorMessage &m) const {
        return ObjectWriter(MessageType::Error)
            .set("code", wireName(m.code))
            .set("message", m.message)
            .setIfNotEmpty("about", m.about)
            .setIfNotEmpty("name", m.name)
            .finish();
    }
};

// ---- Decoding -------------------------------------------------------------------------------

// Reads members of one JSON object, remembering the first thing that was missing or wrong.
class ObjectReader {
public:
    ObjectReader(JsonObject *object, QString context) : object_(object), context_(std::move(context)) {}

    QString string(const char *member, bool required = true) {
        JsonNode *node = json_object_get_member(object_, member);
        if (node && json_node_get_value_type(node) == G_TYPE_STRING) {
            return QString::fromUtf8(json_node_get_string(node));
        }
        if (required || (node && !JSON_NODE_HOLDS_NULL(node))) {
            fail(member, tr("text"));
        }
        return {};
    }

    std::optional<bool> boolean(const char *member) {
        JsonNode *node = json_object_get_member(object_, member);
        if (node && json_node_get_value_type(node) == G_TYPE_BOOLEAN) {
            return json_node_get_boolean(node) != FALSE;
        }
        fail(member, tr("true or false"));
        return std::nullopt;
    }

    int integer(const char *member) {
        JsonNode *node = json_object_get_member(object_, member);
        if (node && json_node_get_value_type(node) == G_TYPE_INT64) {
            const gint64 value = json_node_get_int(node);
            if (value >= 0 && value <= 65535) {
                return static_cast<int>(value);
            }
        }
        fail(member, tr("a small whole number"));
        return 0;
    }

    JsonObject *object(const char *member) {
        JsonNode *node = json_object_get_member(object_, member);
        if (node && JSON_NODE_HOLDS_OBJECT(node)) {
            return json_node_get_object(node);
        }
        fail(member, tr("an object"));
        return nullptr;
    }

    QStringList strings(const char *member, bool required = true) {
        JsonNode *node = json_object_get_member(object_, member);
        if (!node && !required) {
            return {};
        }
        if (!node || !JSON_NODE_HOLDS_ARRAY(node)) {
            fail(member, tr("a list of text"));
            return {};
        }
        QStringList result;
        JsonArray *array = json_node_get_array(node);
        const guint length = json_array_get_length(array);
        result.reserve(length);
        for (guint i = 0; i < length; ++i) {
            JsonNode *element = json_array_get_element(array, i);
            if (json_node_get_value_type(element) != G_TYPE_STRING) {
                fail(member, tr("a list of text"));
                return {};
            }
            result.append(QString::fromUtf8(json_node_get_string(element)));
        }
        return result;
    }

    bool has(const char *member) const { return json_object_has_member(object_, member); }
    JsonNode *node(const char *member) const { return json_object_get_member(object_, member); }
    bool ok() const { return error_.isEmpty(); }
    const QString &error() const { return error_; }
    void fail(const QString &sentence) {
        if (error_.isEmpty()) {
            error_ = sentence;
        }
    }

private:
    void fail(const char *member, const QString &expected) {
        fail(tr("In %1, \"%2\" must be %3.").arg(context_, QString::fromLatin1(member), expected));
    }

    JsonObject *object_;
    QString context_;
    QString error_;
};

SessionDescription readDescription(ObjectReader &outer, const char *member) {
    JsonObject *object = outer.object(member);
    if (!object) {
        return {};
    }
    ObjectReader reader(object, QString::fromLatin1(member));
    SessionDescription description;
    description.sdp = reader.string("sdp");
    description.type = reader.string("type", false);
    if (description.type.isEmpty()) {
        description.type = QString::fromLatin1(member);
    }
    if (!reader.ok()) {
        outer.fail(reader.error());
    }
    return description;
}

// The optional `reconnect` of offer, answer and candidate (docs/protocol.md); `absent` when it is
// absent or null.
int readReconnect(ObjectReader &reader, int absent) {
    if (!reader.has("reconnect") || JSON_NODE_HOLDS_NULL(reader.node("reconnect"))) {
        return absent;
    }
    return reader.integer("reconnect");
}

IceCandidate readCandidate(ObjectReader &outer) {
    JsonNode *node = outer.node("candidate");
    if (node && JSON_NODE_HOLDS_NULL(node)) {
        return {};  // a browser's null candidate: end of candidates
    }
    JsonObject *object = outer.object("candidate");
    if (!object) {
        return {};
    }
    ObjectReader reader(object, QStringLiteral("candidate"));
    IceCandidate candidate;
    candidate.candidate = reader.string("candidate", false);
    candidate.sdpMid = reader.string("sdpMid", false);
    if (reader.has("sdpMLineIndex") && !JSON_NODE_HOLDS_NULL(reader.node("sdpMLineIndex"))) {
        candidate.sdpMLineIndex = reader.integer("sdpMLineIndex");
    } else if (candidate.sdpMid.isEmpty()) {
        reader.fail(tr("A candidate needs \"sdpMid\" or \"sdpMLineIndex\"."));
    }
    if (!reader.ok()) {
        outer.fail(reader.error());
    }
    return candidate;
}

QList<IceServer> readIceServers(ObjectReader &outer, JsonObject *object) {
    QList<IceServer> servers;
    JsonNode *node = json_object_get_member(object, "iceServers");
    if (!node) {
        return servers;
    }
    if (!JSON_NODE_HOLDS_ARRAY(node)) {
        outer.fail(tr("In login, \"iceServers\" must be a list."));
        return servers;
    }
    JsonArray *array = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(array); ++i) {
        JsonNode *element = json_array_get_element(array, i);
        if (!JSON_NODE_HOLDS_OBJECT(element)) {
            outer.fail(tr("In login, each ICE server must be an object."));
            return servers;
        }
        ObjectReader reader(json_node_get_object(element), QStringLiteral("iceServers"));
        IceServer server;
        // RTCIceServer allows `urls` as one string or a list (and the older `url`).
        const char *urlsMember = reader.has("urls") ? "urls" : "url";
        JsonNode *urls = reader.node(urlsMember);
        if (urls && json_node_get_value_type(urls) == G_TYPE_STRING) {
            server.urls = QStringList{QString::fromUtf8(json_node_get_string(urls))};
        } else {
            server.urls = reader.strings(urlsMember);
        }
        server.username = reader.string("username", false);
        server.credential = reader.string("credential", false);
        if (!reader.ok()) {
            outer.fail(reader.error());
            return servers;
        }
        servers.append(server);
    }
    return servers;
}

Message readMessage(MessageType type, JsonObject *object, ObjectReader &reader) {
    switch (type) {
        case MessageType::Login: {
            if (!reader.has("success")) {
                JsonNode *name = reader.node("name");
                if (!name || json_node_get_value_type(name) != G_TYPE_STRING) {
                    reader.fail(tr("The name must be text."));
                    return LoginRequest{};
                }
                LoginRequest request{reader.string("name"), {}, {}};
                // Optional: a server without authentication never looks at them.
                request.password = reader.string("password", false);
                request.token = reader.string("token", false);
                return request;
            }
            LoginReply reply;
            reply.success = reader.boolean("success").value_or(false);
            reply.name = reader.string("name", false);
            reply.message = reader.string("message", false);
            if (const QString code = reader.string("code", false); !code.isEmpty()) {
                reply.code = errorCodeFromWire(code).value_or(ErrorCode::ServerError);
            }
            reply.iceServers = readIceServers(reader, object);
            return reply;
        }
        case MessageType::Offer: {
            OfferMessage m;
            m.name = reader.string("name");
            m.offer = readDescription(reader, "offer");
            m.reconnect = readReconnect(reader, -1);
            m.call = reader.string("call", false);
            return m;
        }
        case MessageType::Answer: {
            AnswerMessage m;
            m.name = reader.string("name");
            m.answer = readDescription(reader, "answer");
            m.reconnect = readReconnect(reader, -1);
            m.call = reader.string("call", false);
            return m;
        }
        case MessageType::Candidate: {
            CandidateMessage m;
            m.name = reader.string("name");
            m.candidate = readCandidate(reader);
            m.reconnect = readReconnect(reader, 0);
            m.call = reader.string("call", false);
            return m;
        }
        case MessageType::Leave: {
            LeaveMessage m;
            m.name = reader.string("name");
            m.reason = reader.string("reason", false);
            m.call = reader.string("call", false);
            return m;
        }
        case MessageType::Ringing: {
            RingingMessage m;
            m.name = reader.string("name");
            m.call = reader.string("call", false);
            return m;
        }
        case MessageType::Users:
            return UsersMessage{reader.strings("users")};
        case MessageType::Presence:
            return PresenceMessage{reader.strings("online", false), reader.strings("offline", false)};
        case MessageType::Error: {
            ErrorMessage m;
            m.message = reader.string("message");
            m.code = errorCodeFromWire(reader.string("code", false)).value_or(ErrorCode::ServerError);
            m.about = reader.string("about", false);
            m.name = reader.string("name", false);
            return m;
        }
    }
    reader.fail(tr("Unknown message type."));
    return ErrorMessage{};
}

}  // namespace

QByteArray MessageCodec::encode(const Message &message) {
    return std::visit(Encoder{}, message);
}

Decoded MessageCodec::decode(QByteArrayView text, const JsonLimits &limits) {
    Decoded result;
    std::optional<JsonFrame> frame = JsonFrame::parse(text, limits, &result.error);
    if (!frame) {
        return result;
    }
    return decode(*frame);
}

Decoded MessageCodec::decode(const JsonFrame &frame) {
    Decoded result;
    const std::optional<QString> type = frame.string("type");
    if (!type) {
        result.error = {ErrorCode::BadMessage, tr("The message has no \"type\".")};
        return result;
    }
    result.type = *type;
    const std::optional<MessageType> known = messageTypeFromWire(*type);
    if (!known) {
        result.error = {ErrorCode::UnknownType, tr("Unknown message type \"%1\".").arg(*type)};
        return result;
    }
    ObjectReader reader(frame.object(), *type);
    Message message = readMessage(*known, frame.object(), reader);
    if (!reader.ok()) {
        const ErrorCode code = (*known == MessageType::Login && !frame.has("success")) ? ErrorCode::NameInvalid
                                                                                      : ErrorCode::BadMessage;
        result.error = {code, reader.error()};
        return result;
    }
    result.message = std::move(message);
    return result;
}

}  // namespace confab::protocol
