// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "EpollLoop.h"

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace confab::bench {

// One WebSocket client connection (RFC 6455) over a plain non-blocking TCP socket on an EpollLoop:
// the HTTP/1.1 upgrade (random Sec-WebSocket-Key, 101 and Sec-WebSocket-Accept checked), masked
// frames out, unmasked frames in (16- and 64-bit lengths, fragmented messages, pings answered,
// close answered). Just enough for the bench: no TLS, no extensions, no UTF-8 validation of text.
// It exists because libsoup 3.2 costs the bench as much CPU per relayed message as the server (see
// EpollTransport). Owned by EpollTransport; runs on its loop's thread.
//
// Events go to the Listener, and only from the loop (never from inside open(), sendText() or
// close()), so a listener may call any of those from its handlers.
class RawWebSocket final : private EpollLoop::Watcher {
public:
    // Where to connect: an address resolved once per URL, and what the request line and Host say.
    struct Endpoint {
        sockaddr_storage address{};
        socklen_t addressLength = 0;
        std::string host;  // Host header: host[:port] as in the URL
        std::string path;  // request target: the URL's path and query, "/" when empty
    };
    // Resolves a ws:// URL (getaddrinfo, blocking: the bench's URLs are addresses or local names).
    // False with *error set when it is not one or does not resolve.
    static bool resolve(const std::string &url, Endpoint *endpoint, std::string *error);

    class Listener {
    public:
        virtual void opened(RawWebSocket &socket) = 0;
        virtual void openFailed(RawWebSocket &socket, std::string_view why) = 0;
        virtual void receivedText(RawWebSocket &socket, std::string_view text) = 0;
        // Something went wrong on an open connection; closed() follows.
        virtual void failed(RawWebSocket &socket, std::string_view why) = 0;
        // The connection is gone after it opened: `code` and `reason` from the server's close
        // frame (1005 when it had no code), 1006 when the connection ended without one.
        virtual void closed(RawWebSocket &socket, int code, std::string_view reason) = 0;

    protected:
        ~Listener() = default;
    };

    RawWebSocket(EpollLoop &loop, Listener &listener, int id);
    ~RawWebSocket();
    RawWebSocket(const RawWebSocket &) = delete;
    RawWebSocket &operator=(const RawWebSocket &) = delete;

    int id() const { return id_; }
    // Starts connecting; the answer is opened() or openFailed().
    void open(const Endpoint &endpoint);
    bool isOpen() const { return state_ == State::Open; }
    // Queues one text message as a single frame; ignored unless open.
    void sendText(std::string_view text);
    // Starts the closing handshake (unless the connection is not open); closed() follows when the
    // server answers or the connection ends.
    void close(uint16_t code);
    // Drops the connection without a handshake and without events.
    void abandon();

private:
    enum class State { Idle, Connecting, Upgrading, Open, Closing, Gone };

    void ready(uint32_t events) override;
    void finishConnect();
    void readable();
    // Consumes what was read: the upgrade response, then frames. Returns how many bytes of
    // `data` were used; the rest is an incomplete frame (or response) for the next read.
    size_t consume(std::string_view data);
    size_t consumeUpgrade(std::string_view data);
    size_t consumeFrames(std::string_view data);
    void frame(int opcode, bool fin, std::string_view payload);
    // Masks and writes one frame; what the kernel does not take waits in output_ for EPOLLOUT.
    void sendFrame(int opcode, std::string_view payload);
    void flush();
    void watchFor(uint32_t events);
    void openFailedNow(std::string_view why);
    void openFailedLater(std::string why);
    void protocolError(std::string_view why);
    void fail(std::string_view why);
    void failLater(std::string why);
    void end(int code, std::string_view reason);
    void closeDescriptor();

    EpollLoop &loop_;
    Listener &listener_;
    const int id_;
    State state_ = State::Idle;
    int fd_ = -1;
    std::string host_;               // host[:port], for error messages
    uint32_t watched_ = 0;           // the epoll events asked for now
    std::string key_;                // Sec-WebSocket-Key sent, to check the accept value against
    std::string input_;              // what arrived but is not a whole frame (or response) yet
    std::string message_;            // a fragmented message being put together
    int messageOpcode_ = 0;          // its opcode; 0 when none is in progress
    std::string output_;             // what the kernel has not taken yet
    bool closeWhenFlushed_ = false;  // we answered the server's close: end once it is written
    int closeCode_ = 1005;
    std::string closeReason_;
};

}  // namespace confab::bench
