// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/PeerAddress.h"

#include "util/GLibPtr.h"

#include <algorithm>
#include <array>

namespace confab {

PeerAddress PeerAddress::of(GSocketAddress *address) {
    PeerAddress peer;
    if (!address) {
        return peer;
    }
    GCharPtr text(g_socket_connectable_to_string(G_SOCKET_CONNECTABLE(address)));
    peer.text = QString::fromUtf8(text.get());
    if (!G_IS_INET_SOCKET_ADDRESS(address)) {
        return peer;
    }
    GInetAddress *inet = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address));
    GCharPtr ip(g_inet_address_to_string(inet));
    peer.ip = QString::fromUtf8(ip.get());
    peer.loopback = g_inet_address_get_is_loopback(inet);
    peer.key = peer.ip;
    if (g_inet_address_get_family(inet) != G_SOCKET_FAMILY_IPV6) {
        return peer;
    }
    const auto *bytes = g_inet_address_to_bytes(inet);
    static constexpr std::array<guint8, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes)) {
        peer.key = QStringLiteral("%1.%2.%3.%4").arg(bytes[12]).arg(bytes[13]).arg(bytes[14]).arg(bytes[15]);
        return peer;
    }
    if (peer.loopback) {
        return peer;  // ::1
    }
    std::array<guint8, 16> prefix = {};
    std::copy(bytes, bytes + 8, prefix.begin());
    GObjectPtr<GInetAddress> network(g_inet_address_new_from_bytes(prefix.data(), G_SOCKET_FAMILY_IPV6));
    GCharPtr networkText(g_inet_address_to_string(network.get()));
    peer.key = QString::fromUtf8(networkText.get()) + QStringLiteral("/64");
    return peer;
}

}  // namespace confab
