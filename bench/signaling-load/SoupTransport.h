// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ClientTransport.h"

#include <libsoup/soup.h>

#include <memory>
#include <vector>

namespace confab::bench {

// The clients of one bench thread as libsoup 3.2 WebSocket connections of one SoupSession, on the
// thread's own GMainContext. Works for ws:// and wss://, and is what a GLib application would use,
// but each main-loop iteration costs O(connections on the thread) and libsoup re-creates a GSource
// per read: the bench then spends about as much CPU per relayed message as the server. Kept for
// wss:// and for comparison (--client soup); EpollTransport is the default for ws://.
class SoupTransport final : public ClientTransport {
public:
    // `batchMicroseconds` > 0: before each wait for network events, sleep this long, so that one
    // main-loop iteration handles every frame that arrived meanwhile. For clients that only sit
    // signed in: presence reaches them all at once, and each iteration walks all their sources.
    SoupTransport(int clients, Events &events, int batchMicroseconds);
    ~SoupTransport() override;
    SoupTransport(const SoupTransport &) = delete;
    SoupTransport &operator=(const SoupTransport &) = delete;

    void run() override;
    void quit() override;
    void post(std::function<void()> work) override;
    void every(gint64 periodUs, std::function<bool()> callback) override;
    void connect(int client, const std::string &url) override;
    bool isOpen(int client) const override;
    void sendText(int client, const std::string &text) override;
    void close(int client) override;

private:
    struct Connection {
        SoupTransport *transport = nullptr;
        int client = 0;
        SoupWebsocketConnection *socket = nullptr;  // owned; null until the handshake succeeds
    };

    static gint batchingPoll(GPollFD *fds, guint count, gint timeoutMs);
    static void onNetworkEvent(SoupMessage *, GSocketClientEvent event, GIOStream *connection, gpointer);
    static void onConnected(GObject *session, GAsyncResult *result, gpointer data);
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer data);
    static void onClosed(SoupWebsocketConnection *socket, gpointer data);
    static void onError(SoupWebsocketConnection *, GError *error, gpointer data);

    Events &events_;
    const int batchMicroseconds_;
    GMainContext *context_ = nullptr;
    GMainLoop *loop_ = nullptr;
    SoupSession *session_ = nullptr;  // exists while run() runs, on the loop's thread
    std::vector<Connection> connections_;
};

}  // namespace confab::bench
