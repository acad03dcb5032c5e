// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

#include <functional>
#include <string>
#include <string_view>

namespace confab::bench {

// How one LoadWorker's clients reach the server: the event loop of the worker's thread and the
// WebSocket connections on it, each known by the client's index. Two kinds, so that their figures
// can be compared on the same server:
// - SoupTransport: libsoup 3.2 on a GLib main loop; ws:// and wss://.
// - EpollTransport: RawWebSocket on epoll; ws:// only, and far cheaper per message and per idle
//   connection (see EpollTransport.h).
// Owned by its LoadWorker. Everything but post() is called on the loop's thread, and every event
// arrives there, from the loop: never from inside a call to connect(), sendText() or close().
class ClientTransport {
public:
    enum class Kind { Soup = 1, Raw };

    class Events {
    public:
        virtual void opened(int client) = 0;
        virtual void openFailed(int client, std::string_view why) = 0;
        virtual void received(int client, std::string_view text) = 0;
        // Something went wrong on an open connection; closed() follows.
        virtual void failed(int client, std::string_view why) = 0;
        // An open connection is gone, closed by either side (`reason` may be empty).
        virtual void closed(int client, int code, std::string_view reason) = 0;

    protected:
        ~Events() = default;
    };

    virtual ~ClientTransport() = default;

    // Runs the loop on the calling thread until quit(), then drops every connection still there
    // (no closing handshake: that is close()'s job, before quit()).
    virtual void run() = 0;
    virtual void quit() = 0;
    // Any thread: runs `work` on the loop's thread.
    virtual void post(std::function<void()> work) = 0;
    // Calls `callback` every `periodUs` while it returns true (milliseconds for SoupTransport).
    virtual void every(gint64 periodUs, std::function<bool()> callback) = 0;

    // Starts the WebSocket handshake; the answer is opened() or openFailed().
    virtual void connect(int client, const std::string &url) = 0;
    virtual bool isOpen(int client) const = 0;
    virtual void sendText(int client, const std::string &text) = 0;
    // A normal close (1000); closed() follows once the server answers.
    virtual void close(int client) = 0;
};

}  // namespace confab::bench
