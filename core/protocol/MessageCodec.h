// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/JsonFrame.h"
#include "protocol/JsonLimits.h"
#include "protocol/Message.h"

#include <QByteArray>

#include <optional>

namespace confab::protocol {

// The result of decoding one frame: a message, or the reason it was refused.
struct Decoded {
    std::optional<Message> message;
    ProtocolError error;  // meaningful only when message is empty
    QString type;         // the frame's `type` as received, when it had one (for error replies)
};

// Builds and parses every protocol message. Decoding is strict about the fields a message needs
// and ignores fields it does not know, so additive extensions pass.
class MessageCodec {
public:
    static QByteArray encode(const Message &message);
    static Decoded decode(QByteArrayView text, const JsonLimits &limits = {});
    static Decoded decode(const JsonFrame &frame);
};

}  // namespace confab::protocol
