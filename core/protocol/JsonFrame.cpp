// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/JsonFrame.h"

#include "util/GLibPtr.h"

#include <QCoreApplication>

namespace confab::protocol {

std::optional<JsonFrame> JsonFrame::parse(QByteArrayView text, const JsonLimits &limits, ProtocolError *error) {
    if (text.size() > limits.maxBytes) {
        *error = {ErrorCode::TooLarge,
                  QCoreApplication::translate("confab", "The message is %1 bytes; the limit is %2 bytes.")
                      .arg(text.size())
                      .arg(limits.maxBytes)};
        return std::nullopt;
    }
    if (nestsDeeperThan(text, limits.maxDepth)) {
        *error = {ErrorCode::TooDeep,
                  QCoreApplication::translate("confab", "The message nests deeper than %1 levels.")
                      .arg(limits.maxDepth)};
        return std::nullopt;
    }
    // One parser per thread: creating a GObject per frame is measurable on the relay path.
    thread_local GObjectPtr<JsonParser> parser(json_parser_new());
    GErrorPtr parseError;
    if (!json_parser_load_from_data(parser.get(), text.data(), text.size(), out(parseError))) {
        *error = {ErrorCode::MalformedJson,
                  QCoreApplication::translate("confab", "The message is not valid JSON: %1")
                      .arg(QString::fromUtf8(parseError->message))};
        return std::nullopt;
    }
    JsonNodePtr root(json_parser_steal_root(parser.get()));
    if (!root) {  // json-glib accepts empty input and returns no root
        *error = {ErrorCode::MalformedJson, QCoreApplication::translate("confab", "The message is empty.")};
        return std::nullopt;
    }
    // Refused rather than passed on altered: the server promises to relay every field unchanged.
    if (hasUnsupportedEscape(text)) {
        *error = {
            ErrorCode::BadMessage,
            QCoreApplication::translate("confab",
                                        "The message contains \\u0000, \\u001f or an unpaired surrogate in "
                                        "its text, which cannot be passed on unchanged.")};
        return std::nullopt;
    }
    if (!JSON_NODE_HOLDS_OBJECT(root.get())) {
        *error = {ErrorCode::BadMessage, QCoreApplication::translate("confab", "The message is not a JSON object.")};
        return std::nullopt;
    }
    return JsonFrame(std::move(root));
}

std::optional<QString> JsonFrame::string(const char *member) const {
    JsonNode *node = json_object_get_member(object(), member);
    if (!node || json_node_get_value_type(node) != G_TYPE_STRING) {
        return std::nullopt;
    }
    return QString::fromUtf8(json_node_get_string(node));
}

bool JsonFrame::has(const char *member) const {
    return json_object_has_member(object(), member);
}

void JsonFrame::setString(const char *member, const QString &value) {
    json_object_set_string_member(object(), member, value.toUtf8().constData());
}

QByteArray JsonFrame::serialize() const {
    GCharPtr text(json_to_string(root_.get(), FALSE));
    return QByteArray(text.get());
}

}  // namespace confab::protocol
