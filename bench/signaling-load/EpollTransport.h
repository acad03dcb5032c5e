// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ClientTransport.h"
#include "EpollLoop.h"
#include "RawWebSocket.h"

#include <map>
#include <memory>
#include <vector>

namespace confab::bench {

// The clients of one bench thread as RawWebSocket connections on an EpollLoop: ws:// only, the
// default for it (--client raw). Why not libsoup: with 1,000 clients the relaying thread spent
// 94-97 µs of CPU per relayed message through it, as much as the server, because GLib's main loop
// prepares, checks and polls every source of the thread on each iteration, libsoup 3.2 destroys and
// re-creates a connection's input GSource on every read, and GLib 2.74 keeps poll records in a
// sorted list (O(sockets) per insert and removal). On two cores the bench then competed with the
// server it measures. Here a message costs a read, a scan and a write, whatever the number of
// sockets on the thread, and an idle connection costs nothing until the server pings it.
class EpollTransport final : public ClientTransport, private RawWebSocket::Listener {
public:
    // `pollIntervalUs`: see EpollLoop::setPollInterval (0: wait in epoll_wait).
    EpollTransport(int clients, Events &events, gint64 pollIntervalUs);
    ~EpollTransport() override;
    EpollTransport(const EpollTransport &) = delete;
    EpollTransport &operator=(const EpollTransport &) = delete;

    void run() override;
    void quit() override { loop_.quit(); }
    void post(std::function<void()> work) override { loop_.post(std::move(work)); }
    void every(gint64 periodUs, std::function<bool()> callback) override;
    void connect(int client, const std::string &url) override;
    bool isOpen(int client) const override { return sockets_[size_t(client)]->isOpen(); }
    void sendText(int client, const std::string &text) override { sockets_[size_t(client)]->sendText(text); }
    void close(int client) override;

private:
    void opened(RawWebSocket &socket) override { events_.opened(socket.id()); }
    void openFailed(RawWebSocket &socket, std::string_view why) override;
    void receivedText(RawWebSocket &socket, std::string_view text) override;
    void failed(RawWebSocket &socket, std::string_view why) override;
    void closed(RawWebSocket &socket, int code, std::string_view reason) override;

    Events &events_;
    EpollLoop loop_;
    std::vector<std::unique_ptr<RawWebSocket>> sockets_;  // one per client, for the whole run
    // Each URL resolved once; an unresolvable one keeps its error, so every client gets the same.
    std::map<std::string, RawWebSocket::Endpoint> endpoints_;
    std::map<std::string, std::string> unresolved_;
};

}  // namespace confab::bench
