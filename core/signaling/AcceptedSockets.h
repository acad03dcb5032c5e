// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gio/gio.h>

#include <QHash>
#include <QString>

#include <chrono>
#include <functional>
#include <list>
#include <mutex>

namespace confab {

// Every TCP socket the server accepted, from accept until the socket is finalized, whoever holds it
// by then (libsoup, a TLS handshake on a worker thread, a WebSocket): how many each address holds,
// and which have not completed their WebSocket upgrade yet. Owned by ServerAcceptor through a
// shared pointer that each socket's weak reference also holds, as a socket may outlive the acceptor
// and be finalized on another thread; hence the mutex.
//
// Why from accept: SoupServer 3.2 has no timeout of its own for a request that never ends, so a
// connection that sends half an upgrade request (or stalls in its TLS handshake) held a descriptor
// and libsoup's buffers for ever, and did not count against any limit until it became a WebSocket:
// 3,000 of them from one address kept 3,383 descriptors and 63 MB. Here each one counts against its
// address from the start, has `handshakeTimeout` to become a WebSocket, and at most `maxHandshakes`
// are in their handshake at once.
//
// A socket is let go by shutting it down (both ways), never by closing it: its descriptor stays
// valid for whoever still watches it, and libsoup or the TLS handshake sees the end of the stream,
// drops the connection and finalizes the socket, which closes the descriptor.
class AcceptedSockets {
public:
    struct Limits {
        int maxPerAddress = 0;                          // sockets one counted address may hold; 0: any number
        int maxHandshakes = 0;                          // sockets in their handshake at once; 0: any number
        std::chrono::milliseconds handshakeTimeout{0};  // 0: no timeout
    };

    explicit AcceptedSockets(Limits limits);
    ~AcceptedSockets();
    AcceptedSockets(const AcceptedSockets &) = delete;
    AcceptedSockets &operator=(const AcceptedSockets &) = delete;

    // Why a handshake was cut short, for the acceptor's log.
    struct Evicted {
        int count = 0;
        QString address;  // of the last one
    };

    // `socket` was just accepted from `address` (PeerAddress::key); `counted`: against
    // maxPerAddress. False, and nothing kept, when that address already holds maxPerAddress.
    // Otherwise the socket is tracked until finalized (`onGone` then runs, on the thread that
    // finalizes it, with no lock held) and is in its handshake until handshakeDone(). When that
    // makes more than maxHandshakes, the oldest handshake of the address with most is shut down.
    // `self` is the shared pointer owning this object, kept by the socket's weak reference.
    static bool admit(const std::shared_ptr<AcceptedSockets> &self, GSocket *socket, const QString &address,
                      bool counted, std::function<void()> onGone, Evicted *evicted);
    // The socket's WebSocket upgrade is done: the handshake timeout no longer applies.
    void handshakeDone(GSocket *socket);
    // Shuts down every socket whose handshake began `handshakeTimeout` or more before `nowUs`
    // (monotonic µs); returns how many, and in *nextUs when the next one is due (G_MAXINT64: none).
    int expire(gint64 nowUs, gint64 *nextUs);

    const Limits &limits() const { return limits_; }
    int live() const;
    int inHandshake() const;
    // Sockets a counted address holds now.
    int heldBy(const QString &address) const;

private:
    struct Ticket;
    static void finalized(gpointer ticket, GObject *);
    void shutDownLocked(Ticket *ticket);
    Ticket *busiestOldestLocked() const;

    const Limits limits_;
    mutable std::mutex mutex_;
    int live_ = 0;
    QHash<QString, int> held_;         // by counted address
    QHash<QString, int> handshaking_;  // by address, counted or not
    std::list<Ticket *> handshakes_;   // in their handshake, oldest first
};

}  // namespace confab
