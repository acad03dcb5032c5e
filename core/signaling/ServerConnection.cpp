// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/ServerConnection.h"

#include "signaling/PendingBytesWatch.h"

#include "util/Logging.h"

#include <QCoreApplication>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstddef>

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace confab {

namespace {

// A client may send a burst (trickled ICE candidates come in dozens at once) but not a sustained
// flood: a bucket of `messageBurst` whole messages, refilled at the rate by the millisecond. A
// rate of 0 (--message-rate 0) means no limit, and so no bucket.
std::optional<TokenBucket> messageRate(double messagesPerSecond, int burst) {
    if (messagesPerSecond <= 0) {
        return std::nullopt;
    }
    return TokenBucket(messagesPerSecond / 1000.0, burst);
}

// Bytes per second a connection's unaccounted bytes may grow without a whole message: the
// client's own pings and TLS record overhead, which never reach us as messages, stay below this
// on an idle connection for days; a fragment flood is many orders of magnitude faster.
constexpr double kPendingLeakBytesPerSecond = 64;

}  // namespace

ServerConnection::ServerConnection(SoupWebsocketConnection *socket, GSocket *tcp, PendingBytesWatch *watch,
                                   QString peerAddress, QString addressKey, const Limits &limits,
                                   Handlers handlers)
    : socket_(retained(socket)),
      tcp_(tcp ? retained(tcp) : nullptr),
      peerAddress_(std::move(peerAddress)),
      addressKey_(std::move(addressKey)),
      handlers_(std::move(handlers)),
      messageBurst_(std::max(1, limits.messageBurst)),
      rate_(messageRate(limits.messagesPerSecond, messageBurst_)),
      pendingLimit_(limits.pendingLimit) {
    lastHeard_.start();
    // libsoup closes the connection (1009) above this; frames below it but over the protocol
    // limit are refused with an error by the server and the connection stays usable.
    soup_websocket_connection_set_max_incoming_payload_size(socket, static_cast<guint64>(limits.frameLimit));
    soup_websocket_connection_set_keepalive_interval(socket, static_cast<guint>(limits.keepaliveSeconds));
    g_signal_connect(socket, "message", G_CALLBACK(onMessage), this);
    g_signal_connect(socket, "pong", G_CALLBACK(onPong), this);
    g_signal_connect(socket, "closed", G_CALLBACK(onClosed), this);
    // libsoup 3.2 appends continuation frames without bounding their total (CVE-2025-32049, fixed
    // upstream in 3.7.1) and never tells us about fragments. So we watch the TCP socket: when the
    // kernel has received far more bytes than have come out as whole messages, the client is
    // making libsoup buffer without end, and the connection goes.
    // libsoup queues what the client does not read without a limit (and the kernel up to
    // megabytes); the meter tells how much.
    if (tcp_ && limits.maxQueuedBytes > 0) {
        sendMeter_.emplace(g_socket_get_fd(tcp_.get()), limits.maxQueuedBytes);
        if (!sendMeter_->isValid()) {
            sendMeter_.reset();
        }
    }
    if (tcp_ && watch && pendingLimit_ > 0 && bytesReceived() >= 0) {
        const int fd = g_socket_get_fd(tcp_.get());
        watch->watch(fd, this);
        watch_ = watch;
        watchedFd_ = fd;
        markDelivered();
    }
}

ServerConnection::~ServerConnection() {
    stopWatching();
    g_signal_handlers_disconnect_by_data(socket_.get(), this);
    if (soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_close(socket_.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
    }
}

void ServerConnection::send(const QByteArray &text) {
    if (closed_ || overQueued_ ||
        soup_websocket_connection_get_state(socket_.get()) != SOUP_WEBSOCKET_STATE_OPEN) {
        return;
    }
    soup_websocket_connection_send_text(socket_.get(), text.constData());
    if (sendMeter_ && sendMeter_->sentOverLimit(SendQueueMeter::frameSize(text.size()))) {
        qCWarning(lcServer).noquote() << "dropping" << peerAddress_ << name_ << "with"
                                      << sendMeter_->lastHeld() << "bytes queued that it does not read";
        overQueued_ = true;
        // Shut down now: nothing more goes out, and libsoup lets go of what it holds for this
        // client without waiting for a close handshake that cannot reach it.
        g_socket_shutdown(tcp_.get(), TRUE, TRUE, nullptr);
        // Reported closed from the event loop, not here: the caller may be walking the server's
        // list of everyone online, which the report changes.
        QMetaObject::invokeMethod(
            this,
            [this] {
                abandon(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                        QCoreApplication::translate("confab", "Too much sent to you that you did not read."));
            },
            Qt::QueuedConnection);
    }
}

void ServerConnection::close(int code, const QString &reason) {
    closing_ = true;
    if (soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_close(socket_.get(), static_cast<gushort>(code),
                                        reason.toUtf8().constData());
        // A client that does not answer the close is let go before libsoup's own 5 s wait ends:
        // libsoup 3.2 never frees that timer's source when it fires (on_timeout_close_io drops its
        // reference without an unref), 112 bytes for every peer that never answers. Letting go
        // first disposes of the WebSocket, which frees the timer (LeakSanitizer found it in
        // tst_serverlimits' flooder, which is closed and never answers).
        QTimer::singleShot(kCloseAnswerWaitMs, this, [this] { reportClosed(); });
    }
}

void ServerConnection::abandon(int code, const QString &reason) {
    close(code, reason);
    reportClosed();  // the socket itself goes when this object does
}

ServerConnection::Admission ServerConnection::admitMessage() {
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    if (!rate_ || rate_->take(1, std::chrono::duration_cast<std::chrono::milliseconds>(now).count())) {
        refusedInARow_ = 0;
        return Admission::Accept;
    }
    // One error per run of refusals, so a flood is not answered with a flood; a run as long as
    // the burst itself means the client does not slow down, and it goes.
    ++refusedInARow_;
    if (refusedInARow_ > messageBurst_) {
        return Admission::Disconnect;
    }
    return refusedInARow_ == 1 ? Admission::RefuseWithError : Admission::RefuseQuietly;
}

bool ServerConnection::isUnacknowledgedFor(int ms) const {
    if (!tcp_) {
        return false;
    }
    struct tcp_info info = {};
    socklen_t length = sizeof info;
    if (getsockopt(g_socket_get_fd(tcp_.get()), IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
        length < offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof info.tcpi_last_ack_recv) {
        return false;
    }
    return info.tcpi_unacked > 0 && info.tcpi_last_ack_recv >= static_cast<__u32>(ms);
}

qint64 ServerConnection::bytesReceived() const {
    // What the kernel received minus what still waits in its buffer: what libsoup has read.
    struct tcp_info info = {};
    socklen_t length = sizeof info;
    const int fd = g_socket_get_fd(tcp_.get());
    int unread = 0;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
        length < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received ||
        ioctl(fd, SIOCINQ, &unread) != 0) {
        return -1;
    }
    return static_cast<qint64>(info.tcpi_bytes_received) - unread;
}

void ServerConnection::markDelivered() {
    if (watch_) {
        deliveredThrough_ = bytesReceived();
        deliveredAt_.start();
    }
}

void ServerConnection::checkPending() {
    if (deliveredInThisRead_) {
        // The read just done made whole messages: what it took is accounted for. Taken once per
        // read rather than at each message (two system calls each), at the price of also counting
        // as delivered the start of a fragmented message that follows the last whole one in the
        // same read: at most one read's worth (the socket's receive buffer), after which no whole
        // message can come until that one ends, so the next reads are checked in full.
        deliveredInThisRead_ = false;
        markDelivered();
        return;
    }
    const qint64 pending = bytesReceived() - deliveredThrough_;
    const double allowance =
        double(pendingLimit_) + kPendingLeakBytesPerSecond * double(deliveredAt_.elapsed()) / 1000.0;
    if (!closed_ && double(pending) > allowance) {
        qCWarning(lcServer).noquote() << "dropping" << peerAddress_ << name_ << "after" << pending
                                      << "bytes that did not make a whole message";
        abandon(SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                QCoreApplication::translate("confab", "Too much data without a whole message."));
    }
}

void ServerConnection::stopWatching() {
    if (watch_) {
        watch_->unwatch(watchedFd_, this);
        watch_ = nullptr;
    }
}

void ServerConnection::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self) {
    auto *connection = static_cast<ServerConnection *>(self);
    if (connection->closing_) {
        return;  // what a client sends after we closed on it is not read
    }
    connection->lastHeard_.restart();
    // A data message cannot interleave with a fragmented one, so none is half-buffered now;
    // checkPending(), after this read, takes the count.
    connection->deliveredInThisRead_ = true;
    connection->deliveredAt_.restart();
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        connection->handlers_.binary(connection);
        return;
    }
    gsize size = 0;
    const auto *data = static_cast<const char *>(g_bytes_get_data(message, &size));
    connection->handlers_.text(connection, QByteArrayView(data, static_cast<qsizetype>(size)));
}

void ServerConnection::onPong(SoupWebsocketConnection *, GBytes *, gpointer self) {
    static_cast<ServerConnection *>(self)->lastHeard_.restart();
}

void ServerConnection::onClosed(SoupWebsocketConnection *, gpointer self) {
    static_cast<ServerConnection *>(self)->reportClosed();
}

void ServerConnection::reportClosed() {
    if (!closed_) {
        closed_ = true;
        stopWatching();
        handlers_.closed(this);
    }
}

}  // namespace confab
