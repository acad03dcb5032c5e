// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "signaling/AcceptedSockets.h"
#include "util/ContextShardSet.h"
#include "util/GLibPtr.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <functional>
#include <memory>

namespace confab {

// Accepts TCP connections on the server's listening socket and hands them to the SoupServer,
// bounding each one from the moment it is accepted (AcceptedSockets): against its address's
// connection limit, and by the handshake timeout and the cap on handshakes in progress.
//
// libsoup 3.2's own listener accepts one connection per main-loop wake-up, and each wake-up costs
// O(open connections) (GLib checks every source and polls every descriptor). With thousands
// connected, clients arriving together (a sign-in storm, everyone reconnecting after a restart)
// were let in a few dozen a second: 10,000 took minutes. This drains the kernel's queue, up to
// kAcceptBatch connections per wake-up, and gives each one to soup_server_accept_iostream().
//
// A connection handed over as a stream no longer tells the server its GSocket
// (soup_server_message_get_socket() is null); socketOf() finds it again under the WebSocket's
// stream (the fragment-flood watch needs the descriptor, and handshakeDone() the socket). Nothing
// here keeps a socket: one that was kept by peer address until a WebSocket claimed it stayed alive
// 60 s after a connection that never upgraded had closed, so a connect-and-close flood held memory
// for a minute.
//
// Not soup_server_listen_socket() for a second reason: libsoup 3.2's listener never releases the
// reference g_socket_accept() gives it (soup-listener.c, listen_watch), so every connection it
// accepted left its GSocket (336 bytes) alive for good: the soak's +0.7 MB per 2,000 connections.
//
// Each connection is set up with a shard of `shards` as the thread-default context, so that libsoup
// attaches all of its sources there (ContextShardSet says why).
//
// When the process runs out of descriptors (accept fails with EMFILE or ENFILE) the connection
// stays in the kernel's queue and the listening socket stays readable: accepting again at once
// would spin. Accepting pauses instead, retried at growing intervals up to kMaxRetryMs, while the
// open connections are served as before; one line is logged when it pauses and one when it
// accepts again.
class ServerAcceptor {
public:
    static constexpr int kAcceptBatch = 128;

    struct Policy {
        AcceptedSockets::Limits limits;
        bool limitLoopback = false;  // loopback addresses count against limits.maxPerAddress too
    };

    // `certificate` non-null: connections are TLS (wss://). `shards` null: every connection in the
    // main context. `released` runs (on the main thread) after handshakes were cut short, as
    // connections' memory was freed.
    ServerAcceptor(SoupServer *server, GSocket *listener, GTlsCertificate *certificate,
                   ContextShardSet *shards, Policy policy, std::function<void()> released = {});
    ~ServerAcceptor();
    ServerAcceptor(const ServerAcceptor &) = delete;
    ServerAcceptor &operator=(const ServerAcceptor &) = delete;

    // The TCP socket under a connection's stream (libsoup's wrapper, then TLS, then the
    // GSocketConnection we accepted); null when the stream is of a kind we do not know.
    static GSocket *socketOf(GIOStream *stream);
    // The connection on `socket` completed its WebSocket upgrade.
    void handshakeDone(GSocket *socket) { sockets_->handshakeDone(socket); }
    // Sockets accepted and not yet finalized, whoever holds them: the server's closed connections
    // must bring this back to the number still open (tst_signalingserver checks it).
    int liveSockets() const { return sockets_->live(); }
    int handshakesInProgress() const { return sockets_->inHandshake(); }
    // False while accepting is paused for want of descriptors.
    bool isAccepting() const { return source_ != nullptr; }

private:
    static gboolean onIncoming(GSocket *, GIOCondition, gpointer self);
    void acceptOne(GSocket *client);
    void listen();
    // After an accept error other than "nothing waiting" the connection stays queued, so the
    // level-triggered source would fire again at once: listening stops for a while instead.
    void pause(const GError *error);
    void armExpiry(gint64 dueUs);
    void expireHandshakes();
    static constexpr guint kFirstRetryMs = 100;
    static constexpr guint kMaxRetryMs = 1000;

    SoupServer *server_;
    ContextShardSet *shards_;
    GObjectPtr<GSocket> listener_;
    GObjectPtr<GTlsCertificate> certificate_;
    bool limitLoopback_;
    std::function<void()> released_;
    std::shared_ptr<AcceptedSockets> sockets_;
    GSourcePtr source_;  // null while paused
    GSourcePtr retry_;   // set while paused
    guint retryMs_ = kFirstRetryMs;
    gint64 pausedAtUs_ = 0;  // when the current pause for want of descriptors began; 0: none
    GSourcePtr expiry_;      // due when the oldest handshake times out
    gint64 expiryDueUs_ = G_MAXINT64;
    // Lines about refused and cut-short connections, at most one every kLogEveryUs per kind: a
    // flood must not become a flood of log lines.
    struct Tally {
        int count = 0;
        gint64 loggedUs = 0;
        QString last;  // the address of the last one
        // True when a line is due now; `count` then holds how many since the last line.
        bool due(gint64 nowUs);
    };
    static constexpr gint64 kLogEveryUs = 10'000'000;
    Tally refused_;
    Tally evicted_;
    Tally expired_;
};

}  // namespace confab
