// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GLibPtr.h"

#include <gio/gio.h>

#include <QByteArray>

// A WebSocket client spoken by hand over a plain TCP connection: it completes the opening
// handshake, can send text frames, and then never reads again, so it never answers the server's
// pings. To the server this is a peer whose process froze or whose machine vanished without
// closing the socket. Owned by the test; uses the test thread's event loop while waiting.
class UnresponsivePeer {
public:
    explicit UnresponsivePeer(quint16 port);

    // Sends the HTTP upgrade request and waits for the 101 answer; true when upgraded.
    bool handshake();
    bool sendText(const QByteArray &text);
    // The TCP connection (null when the connect failed), for a test that writes or reads past the
    // handshake by itself.
    GSocketConnection *connection() const { return connection_.get(); }

private:
    confab::GObjectPtr<GSocketConnection> connection_;
};
