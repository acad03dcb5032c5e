// SPDX-License-Identifier: GPL-3.0-or-later
#include "RawWebSocket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <random>

namespace confab::bench {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455, 1.3

enum Opcode { kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA };

// The users list grows with every client (about 13 bytes a name): like the libsoup path's limit.
constexpr uint64_t kMaxMessageBytes = 256 * 1024 * 1024;
// An upgrade response is a few hundred bytes; a server that sends more than this is not answering.
constexpr size_t kMaxUpgradeResponseBytes = 16 * 1024;
// Per-socket buffers keep their capacity after use, and every client once holds a users list of
// ~130 KiB (10,000 clients): above this, a buffer that empties gives its memory back.
constexpr size_t kKeptCapacityBytes = 4096;
// Reads go into one buffer per thread (every socket of a loop is read on its thread); only the
// bytes of an incomplete frame are copied to the socket's own input_.
constexpr size_t kReadBytes = 256 * 1024;

char *readBuffer() {
    thread_local std::unique_ptr<char[]> buffer(new char[kReadBytes]);
    return buffer.get();
}

// Frame masks (RFC 6455, 5.3) need to be unpredictable to a script on a web page, which the bench
// has none of: a per-thread generator seeded from the kernel is enough and costs nothing per frame.
uint32_t randomMask() {
    thread_local std::mt19937 generator{std::random_device{}()};
    return uint32_t(generator());
}

std::string base64(const void *data, size_t size) {
    const std::unique_ptr<gchar, decltype(&g_free)> text(
        g_base64_encode(static_cast<const guchar *>(data), size), &g_free);
    return text.get();
}

// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + GUID)).
std::string acceptFor(std::string_view key) {
    const std::unique_ptr<GChecksum, decltype(&g_checksum_free)> sha1(g_checksum_new(G_CHECKSUM_SHA1),
                                                                      &g_checksum_free);
    g_checksum_update(sha1.get(), reinterpret_cast<const guchar *>(key.data()), gssize(key.size()));
    g_checksum_update(sha1.get(), reinterpret_cast<const guchar *>(kAcceptGuid.data()),
                      gssize(kAcceptGuid.size()));
    guint8 digest[20];
    gsize length = sizeof digest;
    g_checksum_get_digest(sha1.get(), digest, &length);
    return base64(digest, length);
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// True when the comma-separated header value `list` has `token` (case-insensitive).
bool hasToken(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const size_t comma = list.find(',');
        if (equalsIgnoringCase(trimmed(list.substr(0, comma)), token)) {
            return true;
        }
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return false;
}

void releaseIfLarge(std::string &buffer) {
    if (buffer.empty() && buffer.capacity() > kKeptCapacityBytes) {
        std::string().swap(buffer);
    }
}

std::string errorText(int error) {
    return std::strerror(error);
}

}  // namespace

bool RawWebSocket::resolve(const std::string &url, Endpoint *endpoint, std::string *error) {
    constexpr std::string_view scheme = "ws://";
    if (url.compare(0, scheme.size(), scheme) != 0) {
        *error = "not a ws:// URL: " + url;
        return false;
    }
    const std::string_view rest = std::string_view(url).substr(scheme.size());
    const size_t pathAt = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, pathAt);
    std::string path = pathAt == std::string_view::npos ? "/" : std::string(rest.substr(pathAt));
    path = path.substr(0, path.find('#'));
    if (path.empty() || path.front() != '/') {
        path.insert(0, "/");
    }
    std::string host;
    std::string port = "80";
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            *error = "a bad IPv6 address in " + url;
            return false;
        }
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            port = authority.substr(close + 2);
        }
    } else {
        const size_t colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
        }
    }
    if (host.empty() || port.empty()) {
        *error = "no host or port in " + url;
        return false;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    if (const int status = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); status != 0) {
        *error = "cannot resolve " + std::string(authority) + ": " + gai_strerror(status);
        return false;
    }
    std::memcpy(&endpoint->address, found->ai_addr, found->ai_addrlen);
    endpoint->addressLength = found->ai_addrlen;
    freeaddrinfo(found);
    endpoint->host = authority;
    endpoint->path = path;
    return true;
}

RawWebSocket::RawWebSocket(EpollLoop &loop, Listener &listener, int id)
    : loop_(loop), listener_(listener), id_(id) {}

RawWebSocket::~RawWebSocket() {
    abandon();
}

// ---- Connecting and the upgrade ----------------------------------------------------------------

void RawWebSocket::open(const Endpoint &endpoint) {
    host_ = endpoint.host;
    unsigned char nonce[16];
    std::random_device random;  // the kernel's generator: the key must be random (RFC 6455, 4.1)
    for (size_t i = 0; i < sizeof nonce; i += sizeof(unsigned)) {
        const unsigned value = random();
        std::memcpy(nonce + i, &value, sizeof value);
    }
    key_ = base64(nonce, sizeof nonce);
    output_ = "GET " + endpoint.path + " HTTP/1.1\r\nHost: " + endpoint.host +
              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key_ +
              "\r\nSec-WebSocket-Version: 13\r\n\r\n";

    fd_ = socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        openFailedLater("cannot create a socket: " + errorText(errno));
        return;
    }
    // Like browsers: no Nagle delay on small frames.
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    state_ = State::Connecting;
    if (connect(fd_, reinterpret_cast<const sockaddr *>(&endpoint.address), endpoint.addressLength) != 0 &&
        errno != EINPROGRESS) {
        openFailedLater("cannot connect to " + host_ + ": " + errorText(errno));
        return;
    }
    // Even a connect that finished at once is reported through the loop, as writable.
    watched_ = EPOLLOUT;
    if (!loop_.watch(fd_, watched_, this)) {
        openFailedLater("cannot watch a socket: " + errorText(errno));
    }
}

void RawWebSocket::finishConnect() {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
    }
    if (error != 0) {
        openFailedNow("cannot connect to " + host_ + ": " + errorText(error));
        return;
    }
    state_ = State::Upgrading;
    flush();
}

size_t RawWebSocket::consumeUpgrade(std::string_view data) {
    const size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (data.size() > kMaxUpgradeResponseBytes) {
            openFailedNow("the server's answer to the upgrade request has no end");
        }
        return 0;
    }
    const std::string_view head = data.substr(0, end + 2);  // every line ends with CRLF
    const size_t statusEnd = head.find("\r\n");
    const std::string_view status = head.substr(0, statusEnd);
    // "HTTP/1.1 101 Switching Protocols": the code is the second word (the reason may be empty).
    const size_t space = status.find(' ');
    const std::string_view code =
        space == std::string_view::npos ? std::string_view() : status.substr(space + 1).substr(0, 4);
    if (status.substr(0, 5) != "HTTP/" || (code != "101" && code != "101 ")) {
        openFailedNow("the server did not switch to WebSocket: " + std::string(status));
        return 0;
    }
    bool upgrade = false;
    bool connection = false;
    std::string_view accept;
    std::string_view unasked;  // an extension or subprotocol we did not offer
    for (size_t at = statusEnd + 2; at < head.size();) {
        const size_t lineEnd = head.find("\r\n", at);
        const std::string_view line = head.substr(at, lineEnd - at);
        at = lineEnd + 2;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trimmed(line.substr(colon + 1));
        if (equalsIgnoringCase(name, "Upgrade")) {
            upgrade = equalsIgnoringCase(value, "websocket");
        } else if (equalsIgnoringCase(name, "Connection")) {
            connection = hasToken(value, "upgrade");
        } else if (equalsIgnoringCase(name, "Sec-WebSocket-Accept")) {
            accept = value;
        } else if (equalsIgnoringCase(name, "Sec-WebSocket-Extensions") ||
                   equalsIgnoringCase(name, "Sec-WebSocket-Protocol")) {
            unasked = line;
        }
    }
    if (!upgrade || !connection) {
        openFailedNow("the server's 101 answer lacks Upgrade: websocket or Connection: upgrade");
        return 0;
    }
    if (accept != acceptFor(key_)) {
        openFailedNow("the server's Sec-WebSocket-Accept does not match our key");
        return 0;
    }
    if (!unasked.empty()) {
        openFailedNow("the server chose what we did not offer: " + std::string(unasked));
        return 0;
    }
    key_.clear();
    state_ = State::Open;
    listener_.opened(*this);
    return end + 4;
}

void RawWebSocket::openFailedNow(std::string_view why) {
    closeDescriptor();
    state_ = State::Gone;
    listener_.openFailed(*this, why);
}

void RawWebSocket::openFailedLater(std::string why) {
    closeDescriptor();
    state_ = State::Gone;
    loop_.post([this, why = std::move(why)] { listener_.openFailed(*this, why); });
}

// ---- Reading -----------------------------------------------------------------------------------

void RawWebSocket::ready(uint32_t events) {
    if (fd_ < 0) {
        return;  // closed by an earlier event of the same epoll batch
    }
    if (state_ == State::Connecting) {
        finishConnect();
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        readable();
    }
    if (fd_ >= 0 && (events & EPOLLOUT)) {
        flush();
    }
}

void RawWebSocket::readable() {
    char *buffer = readBuffer();
    while (true) {
        const ssize_t count = recv(fd_, buffer, kReadBytes, 0);
        if (count > 0) {
            size_t used = 0;
            if (input_.empty()) {  // the usual case: whole frames, parsed where they were read
                used = consume(std::string_view(buffer, size_t(count)));
                if (fd_ >= 0) {
                    input_.assign(buffer + used, size_t(count) - used);
                }
            } else {
                input_.append(buffer, size_t(count));
                used = consume(input_);
                if (fd_ >= 0) {
                    input_.erase(0, used);
                }
            }
            if (fd_ < 0) {
                input_.clear();
                releaseIfLarge(input_);
                return;
            }
            releaseIfLarge(input_);
            if (size_t(count) < kReadBytes) {
                return;  // level-triggered: if more arrived meanwhile, epoll says so again
            }
        } else if (count == 0) {
            if (state_ == State::Upgrading) {
                openFailedNow("the server closed the connection instead of answering the upgrade");
            } else {
                end(1006, "the connection ended without a close frame");
            }
            return;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else {
            fail(errorText(errno));
            return;
        }
    }
}

size_t RawWebSocket::consume(std::string_view data) {
    size_t used = 0;
    if (state_ == State::Upgrading) {
        used = consumeUpgrade(data);
    }
    // opened() may already have closed it again: its close answer still has to be read.
    if (state_ != State::Open && state_ != State::Closing) {
        return used;
    }
    return used + consumeFrames(data.substr(used));
}

size_t RawWebSocket::consumeFrames(std::string_view data) {
    size_t at = 0;
    while (fd_ >= 0) {  // a frame's handler may end the connection
        const std::string_view rest = data.substr(at);
        if (rest.size() < 2) {
            break;
        }
        const auto byte = [&](size_t i) { return uint8_t(rest[i]); };
        const bool fin = byte(0) & 0x80;
        const int opcode = byte(0) & 0x0F;
        uint64_t length = byte(1) & 0x7F;
        size_t header = 2;
        if (length == 126) {
            if (rest.size() < 4) {
                break;
            }
            length = uint64_t(byte(2)) << 8 | byte(3);
            header = 4;
        } else if (length == 127) {
            if (rest.size() < 10) {
                break;
            }
            length = 0;
            for (size_t i = 2; i < 10; ++i) {
                length = length << 8 | byte(i);
            }
            header = 10;
        }
        // Checked before the payload is all there, so that a bad length fails at once instead of
        // making us buffer it.
        if (byte(0) & 0x70) {
            protocolError("a frame with reserved bits set (no extension was agreed)");
            break;
        }
        if (byte(1) & 0x80) {
            protocolError("a masked frame from the server");
            break;
        }
        if ((opcode & 0x08) && (!fin || length > 125)) {
            protocolError("a fragmented or oversized control frame");
            break;
        }
        if (length > kMaxMessageBytes || message_.size() + length > kMaxMessageBytes) {
            protocolError("a message larger than 256 MiB");
            break;
        }
        if (rest.size() - header < length) {
            break;
        }
        at += header + size_t(length);
        frame(opcode, fin, rest.substr(header, size_t(length)));
    }
    return at;
}

void RawWebSocket::frame(int opcode, bool fin, std::string_view payload) {
    switch (opcode) {
        case kText:
        case kBinary:
            if (messageOpcode_ != 0) {
                protocolError("a new message inside a fragmented one");
            } else if (!fin) {
                messageOpcode_ = opcode;
                message_.assign(payload);
            } else if (opcode == kText) {
                listener_.receivedText(*this, payload);
            }
            return;  // binary messages mean nothing in this protocol: dropped, like the libsoup path
        case kContinuation:
            if (messageOpcode_ == 0) {
                protocolError("a continuation frame without a message to continue");
                return;
            }
            message_.append(payload);
            if (fin) {
                const bool text = messageOpcode_ == kText;
                messageOpcode_ = 0;
                if (text) {
                    listener_.receivedText(*this, message_);
                }
                message_.clear();
                releaseIfLarge(message_);
            }
            return;
        case kPing:
            if (state_ == State::Open) {
                sendFrame(kPong, payload);  // with the ping's payload (RFC 6455, 5.5.3)
            }
            return;
        case kPong:
            return;  // we send no pings
        case kClose: {
            if (payload.size() == 1) {
                protocolError("a close frame with a one-byte body");
                return;
            }
            const int code = payload.size() >= 2 ? int(uint8_t(payload[0])) << 8 | uint8_t(payload[1]) : 1005;
            const std::string_view reason = payload.size() > 2 ? payload.substr(2) : std::string_view();
            if (state_ == State::Closing) {
                end(code, reason);  // the answer to ours: done
                return;
            }
            // The server closes: answer with its code (RFC 6455, 5.5.1), and end once that is written.
            state_ = State::Closing;
            closeCode_ = code;
            closeReason_ = reason;
            closeWhenFlushed_ = true;
            sendFrame(kClose, payload.substr(0, 2));
            return;
        }
        default:
            protocolError("a frame with an unknown opcode");
            return;
    }
}

// ---- Writing -----------------------------------------------------------------------------------

void RawWebSocket::sendText(std::string_view text) {
    if (state_ == State::Open) {
        sendFrame(kText, text);
    }
}

void RawWebSocket::close(uint16_t code) {
    if (state_ != State::Open) {
        return;
    }
    state_ = State::Closing;
    const char body[2] = {char(code >> 8), char(code & 0xFF)};
    sendFrame(kClose, std::string_view(body, sizeof body));
}

void RawWebSocket::sendFrame(int opcode, std::string_view payload) {
    // Built in a per-thread buffer and written straight away; copied to output_ only when the
    // kernel does not take it all, or when earlier frames are still waiting there.
    thread_local std::string frame;
    frame.clear();
    frame += char(0x80 | opcode);  // FIN: the bench never fragments
    if (payload.size() < 126) {
        frame += char(0x80 | payload.size());  // 0x80: masked, as every client frame must be
    } else if (payload.size() <= 0xFFFF) {
        frame += char(0x80 | 126);
        frame += char(payload.size() >> 8);
        frame += char(payload.size() & 0xFF);
    } else {
        frame += char(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            frame += char((uint64_t(payload.size()) >> shift) & 0xFF);
        }
    }
    const uint32_t maskWord = randomMask();
    char mask[4];
    std::memcpy(mask, &maskWord, sizeof mask);
    frame.append(mask, sizeof mask);
    const size_t start = frame.size();
    frame.resize(start + payload.size());
    char *out = frame.data() + start;
    for (size_t i = 0; i < payload.size(); ++i) {
        out[i] = char(payload[i] ^ mask[i & 3]);
    }
    if (!output_.empty()) {
        output_ += frame;  // behind what is already waiting for EPOLLOUT
        return;
    }
    const ssize_t written = ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL);
    if (written == ssize_t(frame.size())) {
        if (closeWhenFlushed_) {
            end(closeCode_, closeReason_);
        }
        return;
    }
    if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        failLater(errorText(errno));
        return;
    }
    output_.assign(frame, written > 0 ? size_t(written) : 0);
    watchFor(EPOLLIN | EPOLLOUT);
}

void RawWebSocket::flush() {
    while (!output_.empty()) {
        const ssize_t written = ::send(fd_, output_.data(), output_.size(), MSG_NOSIGNAL);
        if (written > 0) {
            output_.erase(0, size_t(written));
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else {
            failLater(errorText(errno));
            return;
        }
    }
    releaseIfLarge(output_);
    if (output_.empty() && closeWhenFlushed_) {
        end(closeCode_, closeReason_);
        return;
    }
    // EPOLLOUT only while something waits: a socket with room to write is writable nearly always.
    watchFor(output_.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
}

void RawWebSocket::watchFor(uint32_t events) {
    if (fd_ >= 0 && events != watched_) {
        watched_ = events;
        loop_.change(fd_, events, this);
    }
}

// ---- Ending ------------------------------------------------------------------------------------

void RawWebSocket::protocolError(std::string_view why) {
    // Best effort: tell the server why (1002: protocol error), then drop the connection.
    if (state_ == State::Open) {
        const char body[2] = {char(1002 >> 8), char(1002 & 0xFF)};
        sendFrame(kClose, std::string_view(body, sizeof body));
    }
    fail(why);
}

void RawWebSocket::fail(std::string_view why) {
    if (state_ == State::Gone) {
        return;
    }
    if (state_ == State::Connecting || state_ == State::Upgrading) {
        openFailedNow("connection to " + host_ + " lost during the upgrade: " + std::string(why));
        return;
    }
    const std::string reason(why);  // `why` may point into a buffer that end() frees
    closeDescriptor();
    state_ = State::Gone;
    listener_.failed(*this, reason);
    listener_.closed(*this, 1006, reason);
}

void RawWebSocket::failLater(std::string why) {
    // A write failed, perhaps inside sendText() or close(), whose callers get no events from
    // inside the call: the failure is reported from the loop. Meanwhile nothing more is written
    // (sendText() sends only while open).
    output_.clear();
    closeWhenFlushed_ = false;
    if (state_ == State::Open) {
        state_ = State::Closing;
    }
    loop_.post([this, why = std::move(why)] { fail(why); });
}

void RawWebSocket::end(int code, std::string_view reason) {
    const std::string text(reason);
    closeDescriptor();
    state_ = State::Gone;
    listener_.closed(*this, code, text);
}

void RawWebSocket::abandon() {
    closeDescriptor();
    state_ = State::Gone;
}

void RawWebSocket::closeDescriptor() {
    if (fd_ >= 0) {
        loop_.unwatch(fd_);
        ::close(fd_);
        fd_ = -1;
    }
    watched_ = 0;
    closeWhenFlushed_ = false;
    output_.clear();
    releaseIfLarge(output_);
    message_.clear();
    releaseIfLarge(message_);
    messageOpcode_ = 0;
}

}  // namespace confab::bench
