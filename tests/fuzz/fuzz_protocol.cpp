// SPDX-License-Identifier: GPL-3.0-or-later
// One WebSocket text frame from a client, through what the server and clients do with it: the
// relay's FrameScanner (and its name splice), the json-glib pre-checks, and the full codec.
#include "protocol/FrameScanner.h"
#include "protocol/JsonLimits.h"
#include "protocol/MessageCodec.h"

#include <cstddef>
#include <cstdint>

using namespace confab::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    const JsonLimits limits;
    ProtocolError error;
    if (std::optional<FrameScanner> frame = FrameScanner::scan(text, limits, &error)) {
        (void)frame->string("type");
        if (frame->member("name") && frame->member("name")->kind == FrameScanner::Kind::String) {
            // What the server relays must itself scan as the same kind of frame.
            const QByteArray spliced = frame->withString("name", QStringLiteral("sender \"quoted\" ü"));
            ProtocolError again;
            if (!FrameScanner::scan(spliced, JsonLimits{limits.maxBytes * 2, limits.maxDepth}, &again)) {
                __builtin_trap();
            }
        }
    }
    (void)nestsDeeperThan(text, limits.maxDepth);
    (void)hasUnsupportedEscape(text);
    const Decoded decoded = MessageCodec::decode(text, limits);
    if (decoded.message) {
        // Whatever decodes must encode and decode to the same message.
        const Decoded round = MessageCodec::decode(MessageCodec::encode(*decoded.message), JsonLimits{1 << 24, 64});
        if (!round.message) {
            __builtin_trap();
        }
    }
    return 0;
}
