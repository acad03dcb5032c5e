// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gio/gio.h>

#include <QString>

namespace confab {

// Who is at the other end of a server connection, and under which name the server's limits by
// address count it. One host on IPv6 usually holds a whole /64 and may use any address in it, so
// limits by address count an IPv6 peer by its /64; an IPv4 peer (also one written as an
// IPv4-mapped IPv6 address) by its address.
struct PeerAddress {
    QString text;  // address and port, for logs: "203.0.113.5:51234"
    QString ip;    // "203.0.113.5"
    QString key;   // what limits by address count: "203.0.113.5", "2001:db8:1:2::/64"
    bool loopback = false;

    // Empty fields when `address` is not an internet address.
    static PeerAddress of(GSocketAddress *address);
};

}  // namespace confab
