// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/JsonLimits.h"
#include "protocol/Message.h"

#include <json-glib/json-glib.h>

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace confab::protocol {

struct JsonNodeUnref {
    void operator()(JsonNode *node) const { json_node_unref(node); }
};
using JsonNodePtr = std::unique_ptr<JsonNode, JsonNodeUnref>;

// One received text frame parsed into a JSON object, within JsonLimits. The server routes with
// it (type, name) and relays it with only `name` rewritten, so every other field passes untouched.
// Only the protocol layer looks inside; the rest of the code gets typed messages from MessageCodec.
class JsonFrame {
public:
    // Empty with *error set when the text is too large, too deep, not JSON, or not an object.
    static std::optional<JsonFrame> parse(QByteArrayView text, const JsonLimits &limits, ProtocolError *error);

    // A member's value when it is a string, nothing when absent or of another kind.
    std::optional<QString> string(const char *member) const;
    bool has(const char *member) const;

    void setString(const char *member, const QString &value);
    QByteArray serialize() const;

    JsonObject *object() const { return json_node_get_object(root_.get()); }

private:
    explicit JsonFrame(JsonNodePtr root) : root_(std::move(root)) {}
    JsonNodePtr root_;
};

}  // namespace confab::protocol
