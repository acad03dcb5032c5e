// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GLibPtr.h"

#include <libsoup/soup.h>

#include <QByteArray>
#include <QList>
#include <QUrl>

#include <vector>

// A WebSocket server that answers every frame a client sends with the same scripted frames, to
// show how SignalingClient treats messages our own server never sends (types from a newer server,
// malformed messages). Listens on 127.0.0.1 on a free port; owned by the test.
class ScriptedServer {
public:
    explicit ScriptedServer(QList<QByteArray> frames);
    ~ScriptedServer();

    QUrl url() const;

private:
    static void onSocket(SoupServer *, SoupServerMessage *, const char *, SoupWebsocketConnection *socket,
                         gpointer self);
    static void onMessage(SoupWebsocketConnection *socket, gint, GBytes *, gpointer self);

    QList<QByteArray> frames_;
    confab::GObjectPtr<SoupServer> server_;
    std::vector<confab::GObjectPtr<SoupWebsocketConnection>> sockets_;
    int port_ = 0;
};
