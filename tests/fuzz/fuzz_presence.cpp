// SPDX-License-Identifier: GPL-3.0-or-later
// Presence and users lists as a client receives them: the fuzzer's bytes are the list.
#include "protocol/MessageCodec.h"

#include <QSet>

#include <cstddef>
#include <cstdint>

using namespace confab::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const QByteArray list(reinterpret_cast<const char *>(data), qsizetype(size));
    QSet<QString> online;
    for (const QByteArray &frame : {QByteArray(R"({"type":"users","users":)") + list + '}',
                                    QByteArray(R"({"type":"presence","online":)") + list + R"(,"offline":["a"]})",
                                    QByteArray(R"({"type":"presence","offline":)") + list + '}'}) {
        const Decoded decoded = MessageCodec::decode(frame);
        if (!decoded.message) {
            continue;
        }
        // Applied as SignalingClient applies them.
        if (const auto *users = std::get_if<UsersMessage>(&*decoded.message)) {
            online = QSet<QString>(users->users.cbegin(), users->users.cend());
        } else if (const auto *presence = std::get_if<PresenceMessage>(&*decoded.message)) {
            for (const QString &name : presence->online) {
                online.insert(name);
            }
            for (const QString &name : presence->offline) {
                online.remove(name);
            }
        }
    }
    return 0;
}
