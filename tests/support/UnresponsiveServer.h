// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GLibPtr.h"

#include <gio/gio.h>

#include <QByteArray>
#include <QUrl>

#include <memory>
#include <vector>

// A WebSocket server spoken by hand over plain TCP: it accepts the opening handshake and then
// never reads or writes again, so it neither answers a login nor the client's pings. To a client
// this is a server whose process froze, or a path that silently stopped carrying packets.
// Listens on 127.0.0.1 on a free port; owned by the test.
class UnresponsiveServer {
public:
    UnresponsiveServer();
    ~UnresponsiveServer();

    QUrl url() const;
    // How many WebSocket handshakes it has answered so far.
    int upgrades() const { return upgrades_; }

private:
    struct Upgrade;
    static gboolean onIncoming(GSocketService *, GSocketConnection *connection, GObject *, gpointer self);
    static void onRead(GObject *stream, GAsyncResult *result, gpointer upgrade);
    void readMore(Upgrade *upgrade);

    confab::GObjectPtr<GSocketService> service_;
    confab::GObjectPtr<GCancellable> cancellable_;
    std::vector<std::unique_ptr<Upgrade>> connections_;  // kept open, never read again
    quint16 port_ = 0;
    int upgrades_ = 0;
};
