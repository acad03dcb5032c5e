// SPDX-License-Identifier: GPL-3.0-or-later
#include "EpollTransport.h"

namespace confab::bench {

EpollTransport::EpollTransport(int clients, Events &events, gint64 pollIntervalUs) : events_(events) {
    loop_.setPollInterval(pollIntervalUs);
    RawWebSocket::Listener &listener = *this;  // a private base, which make_unique cannot reach
    sockets_.reserve(size_t(clients));
    for (int i = 0; i < clients; ++i) {
        sockets_.push_back(std::make_unique<RawWebSocket>(loop_, listener, i));
    }
}

EpollTransport::~EpollTransport() {
    sockets_.clear();  // before loop_, which they unwatch themselves from
}

void EpollTransport::run() {
    loop_.run();
    for (auto &socket : sockets_) {
        socket->abandon();
    }
}

void EpollTransport::every(gint64 periodUs, std::function<bool()> callback) {
    loop_.every(periodUs, std::move(callback));
}

void EpollTransport::connect(int client, const std::string &url) {
    auto endpoint = endpoints_.find(url);
    if (endpoint == endpoints_.end() && !unresolved_.count(url)) {
        RawWebSocket::Endpoint resolved;
        std::string error;
        if (RawWebSocket::resolve(url, &resolved, &error)) {
            endpoint = endpoints_.emplace(url, std::move(resolved)).first;
        } else {
            unresolved_.emplace(url, std::move(error));
        }
    }
    if (endpoint == endpoints_.end()) {
        // Reported from the loop, like every other event.
        post([this, client, why = unresolved_.at(url)] { events_.openFailed(client, why); });
        return;
    }
    sockets_[size_t(client)]->open(endpoint->second);
}

void EpollTransport::close(int client) {
    sockets_[size_t(client)]->close(1000);
}

void EpollTransport::openFailed(RawWebSocket &socket, std::string_view why) {
    events_.openFailed(socket.id(), why);
}

void EpollTransport::receivedText(RawWebSocket &socket, std::string_view text) {
    events_.received(socket.id(), text);
}

void EpollTransport::failed(RawWebSocket &socket, std::string_view why) {
    events_.failed(socket.id(), why);
}

void EpollTransport::closed(RawWebSocket &socket, int code, std::string_view reason) {
    events_.closed(socket.id(), code, reason);
}

}  // namespace confab::bench
