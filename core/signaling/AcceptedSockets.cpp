// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/AcceptedSockets.h"

#include <memory>

namespace confab {

namespace {

GQuark ticketQuark() {
    static const GQuark quark = g_quark_from_static_string("confab-accepted-socket");
    return quark;
}

}  // namespace

// What a socket's weak reference keeps: its place in the books until it is finalized.
struct AcceptedSockets::Ticket {
    std::shared_ptr<AcceptedSockets> owner;
    GSocket *socket;
    QString address;
    bool counted;
    std::function<void()> onGone;
    gint64 acceptedUs;
    bool handshaking = true;
    std::list<Ticket *>::iterator place;  // in handshakes_ while handshaking
};

AcceptedSockets::AcceptedSockets(Limits limits) : limits_(limits) {}

AcceptedSockets::~AcceptedSockets() = default;

bool AcceptedSockets::admit(const std::shared_ptr<AcceptedSockets> &self, GSocket *socket,
                            const QString &address, bool counted, std::function<void()> onGone,
                            Evicted *evicted) {
    auto ticket = std::make_unique<Ticket>(
        Ticket{self, socket, address, counted, std::move(onGone), g_get_monotonic_time(), true, {}});
    {
        const std::lock_guard lock(self->mutex_);
        if (counted && self->limits_.maxPerAddress > 0 &&
            self->held_.value(address) >= self->limits_.maxPerAddress) {
            return false;
        }
        if (counted) {
            ++self->held_[address];
        }
        ++self->live_;
        ++self->handshaking_[address];
        ticket->place = self->handshakes_.insert(self->handshakes_.end(), ticket.get());
        while (self->limits_.maxHandshakes > 0 &&
               int(self->handshakes_.size()) > self->limits_.maxHandshakes) {
            Ticket *oldest = self->busiestOldestLocked();
            evicted->address = oldest->address;
            ++evicted->count;
            self->shutDownLocked(oldest);
        }
    }
    g_object_set_qdata(G_OBJECT(socket), ticketQuark(), ticket.get());
    g_object_weak_ref(G_OBJECT(socket), &AcceptedSockets::finalized, ticket.release());
    return true;
}

void AcceptedSockets::finalized(gpointer data, GObject *) {
    std::unique_ptr<Ticket> ticket(static_cast<Ticket *>(data));
    {
        AcceptedSockets &self = *ticket->owner;
        const std::lock_guard lock(self.mutex_);
        if (ticket->handshaking) {
            self.handshakes_.erase(ticket->place);
            if (--self.handshaking_[ticket->address] <= 0) {
                self.handshaking_.remove(ticket->address);
            }
        }
        if (ticket->counted && --self.held_[ticket->address] <= 0) {
            self.held_.remove(ticket->address);
        }
        --self.live_;
    }
    if (ticket->onGone) {
        ticket->onGone();
    }
}

void AcceptedSockets::handshakeDone(GSocket *socket) {
    const std::lock_guard lock(mutex_);
    auto *ticket = static_cast<Ticket *>(g_object_get_qdata(G_OBJECT(socket), ticketQuark()));
    if (!ticket || !ticket->handshaking) {
        return;
    }
    ticket->handshaking = false;
    handshakes_.erase(ticket->place);
    if (--handshaking_[ticket->address] <= 0) {
        handshaking_.remove(ticket->address);
    }
}

int AcceptedSockets::expire(gint64 nowUs, gint64 *nextUs) {
    const gint64 timeoutUs = std::chrono::microseconds(limits_.handshakeTimeout).count();
    int expired = 0;
    const std::lock_guard lock(mutex_);
    *nextUs = G_MAXINT64;
    if (timeoutUs <= 0) {
        return 0;
    }
    while (!handshakes_.empty()) {
        Ticket *oldest = handshakes_.front();
        if (oldest->acceptedUs + timeoutUs > nowUs) {
            *nextUs = oldest->acceptedUs + timeoutUs;
            break;
        }
        shutDownLocked(oldest);
        ++expired;
    }
    return expired;
}

void AcceptedSockets::shutDownLocked(Ticket *ticket) {
    // The socket is alive: its weak reference, which would take it out of the books, waits for
    // our lock. Shutting down neither closes the descriptor nor runs anything of anyone else's.
    g_socket_shutdown(ticket->socket, TRUE, TRUE, nullptr);
    ticket->handshaking = false;
    handshakes_.erase(ticket->place);
    if (--handshaking_[ticket->address] <= 0) {
        handshaking_.remove(ticket->address);
    }
}

AcceptedSockets::Ticket *AcceptedSockets::busiestOldestLocked() const {
    int most = 0;
    for (auto it = handshaking_.cbegin(); it != handshaking_.cend(); ++it) {
        most = std::max(most, it.value());
    }
    // Oldest first: the first one of an address with `most` is the oldest of the busiest (ties
    // between addresses go to the one waiting longest).
    for (Ticket *ticket : handshakes_) {
        if (handshaking_.value(ticket->address) == most) {
            return ticket;
        }
    }
    return handshakes_.front();
}

int AcceptedSockets::live() const {
    const std::lock_guard lock(mutex_);
    return live_;
}

int AcceptedSockets::inHandshake() const {
    const std::lock_guard lock(mutex_);
    return int(handshakes_.size());
}

int AcceptedSockets::heldBy(const QString &address) const {
    const std::lock_guard lock(mutex_);
    return held_.value(address);
}

}  // namespace confab
