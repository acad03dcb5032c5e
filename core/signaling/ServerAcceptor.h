// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/ContextShardSet.h"
#include "util/GLibPtr.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <atomic>
#include <memory>

namespace confab {

// Accepts TCP connections on the server's listening socket and hands them to the SoupServer.
//
// libsoup 3.2's own listener accepts one connection per main-loop wake-up, and each wake-up costs
// O(open connections) (GLib checks every source and polls every descriptor). With thousands
// connected, clients arriving together (a sign-in storm, everyone reconnecting after a restart)
// were let in a few dozen a second: 10,000 took minutes. This drains the kernel's queue, up to
// kAcceptBatch connections per wake-up, and gives each one to soup_server_accept_iostream().
//
// A connection handed over as a stream no longer tells the server its GSocket
// (soup_server_message_get_socket() is null); socketOf() finds it again under the WebSocket's
// stream (the fragment-flood watch needs the descriptor). Nothing here keeps a socket: one that
// was kept by peer address until a WebSocket claimed it stayed alive 60 s after a connection that
// never upgraded had closed, so a connect-and-close flood held memory for a minute.
//
// Not soup_server_listen_socket() for a second reason: libsoup 3.2's listener never releases the
// reference g_socket_accept() gives it (soup-listener.c, listen_watch), so every connection it
// accepted left its GSocket (336 bytes) alive for good: the soak's +0.7 MB per 2,000 connections.
//
// Each connection is set up with a shard of `shards` as the thread-default context, so that libsoup
// attaches all of its sources there (ContextShardSet says why).
class ServerAcceptor {
public:
    static constexpr int kAcceptBatch = 128;

    // `certificate` non-null: connections are TLS (wss://). `shards` null: every connection in the
    // main context.
    ServerAcceptor(SoupServer *server, GSocket *listener, GTlsCertificate *certificate,
                   ContextShardSet *shards);
    ~ServerAcceptor();
    ServerAcceptor(const ServerAcceptor &) = delete;
    ServerAcceptor &operator=(const ServerAcceptor &) = delete;

    // The TCP socket under a connection's stream (libsoup's wrapper, then TLS, then the
    // GSocketConnection we accepted); null when the stream is of a kind we do not know.
    static GSocket *socketOf(GIOStream *stream);
    // Sockets accepted and not yet finalized, whoever holds them: the server's closed connections
    // must bring this back to the number still open (tst_signalingserver checks it).
    int liveSockets() const { return live_->sockets.load(); }

private:
    static gboolean onIncoming(GSocket *, GIOCondition, gpointer self);
    void acceptOne(GSocket *client);
    void listen();
    // After an accept error other than "nothing waiting" (EMFILE and the like) the connection
    // stays queued, so the level-triggered source would fire again at once: a busy loop writing a
    // warning each time. Listening stops for kRetryMs instead.
    void pause();
    static constexpr guint kRetryMs = 1000;

    SoupServer *server_;
    ContextShardSet *shards_;
    GObjectPtr<GSocket> listener_;
    GObjectPtr<GTlsCertificate> certificate_;
    GSourcePtr source_;  // null while paused
    GSourcePtr retry_;   // set while paused
    // Shared with a weak reference on each accepted socket, which may outlive the acceptor (and
    // may be dropped on a TLS worker thread).
    struct LiveCount {
        std::atomic<int> sockets{0};
    };
    std::shared_ptr<LiveCount> live_ = std::make_shared<LiveCount>();
    // Counts the socket as live until it is finalized, and in `shard` (-1: none) meanwhile.
    void count(GSocket *socket, int shard);
};

}  // namespace confab
