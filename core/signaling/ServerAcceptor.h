#pragma once

#include "util/GLibPtr.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <QElapsedTimer>
#include <string>
#include <unordered_map>

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
// (soup_server_message_get_socket() is null), so the acceptor keeps each socket by its peer
// address until the WebSocket handler claims it (TCP_NODELAY is set here, the fragment-flood
// watch needs the descriptor).
class ServerAcceptor {
public:
    static constexpr int kAcceptBatch = 128;

    // `certificate` non-null: connections are TLS (wss://).
    ServerAcceptor(SoupServer *server, GSocket *listener, GTlsCertificate *certificate);
    ~ServerAcceptor();
    ServerAcceptor(const ServerAcceptor &) = delete;
    ServerAcceptor &operator=(const ServerAcceptor &) = delete;

    // The TCP socket of the connection from `peer`, once; null when unknown.
    GObjectPtr<GSocket> claim(GSocketAddress *peer);
    // Forgets sockets accepted more than `ageMs` ago and never claimed (connections that never
    // became WebSockets).
    void forgetOlderThan(qint64 ageMs);

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
    GObjectPtr<GSocket> listener_;
    GObjectPtr<GTlsCertificate> certificate_;
    GSourcePtr source_;  // null while paused
    GSourcePtr retry_;   // set while paused
    struct Accepted {
        GObjectPtr<GSocket> socket;
        QElapsedTimer since;
    };
    std::unordered_map<std::string, Accepted> unclaimed_;  // by peer address
};

}  // namespace confab
