// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/ServerAcceptor.h"

#include "signaling/PeerAddress.h"
#include "util/ContextShardSet.h"
#include "util/Logging.h"
#include "util/ScopedThreadDefault.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>

namespace confab {

namespace {

// Descriptors this process has open, for the log line when it runs out; -1 when unknown.
int openDescriptors() {
    GDir *dir = g_dir_open("/proc/self/fd", 0, nullptr);
    if (!dir) {
        return -1;
    }
    int count = 0;
    while (g_dir_read_name(dir)) {
        ++count;
    }
    g_dir_close(dir);
    return count - 1;  // the directory's own
}

}  // namespace

bool ServerAcceptor::Tally::due(gint64 nowUs) {
    if (loggedUs != 0 && nowUs - loggedUs < kLogEveryUs) {
        return false;
    }
    loggedUs = nowUs;
    return true;
}

ServerAcceptor::ServerAcceptor(SoupServer *server, GSocket *listener, GTlsCertificate *certificate,
                               ContextShardSet *shards, Policy policy, std::function<void()> released)
    : server_(server),
      shards_(shards),
      listener_(retained(listener)),
      certificate_(certificate ? retained(certificate) : nullptr),
      limitLoopback_(policy.limitLoopback),
      released_(std::move(released)),
      sockets_(std::make_shared<AcceptedSockets>(policy.limits)) {
    g_socket_set_blocking(listener, FALSE);
    listen();
}

ServerAcceptor::~ServerAcceptor() = default;

void ServerAcceptor::listen() {
    retry_.reset();
    source_.reset(g_socket_create_source(listener_.get(), G_IO_IN, nullptr));
    g_source_set_callback(source_.get(), G_SOURCE_FUNC(onIncoming), this, nullptr);
    g_source_attach(source_.get(), g_main_context_get_thread_default());
}

void ServerAcceptor::pause(const GError *error) {
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES)) {
        if (pausedAtUs_ == 0) {
            pausedAtUs_ = g_get_monotonic_time();
            rlimit limit{};
            getrlimit(RLIMIT_NOFILE, &limit);
            qCWarning(lcServer).noquote()
                << "cannot accept connections:" << error->message << "(" << openDescriptors() << "open, limit"
                << qulonglong(limit.rlim_cur) << "); serving the" << liveSockets()
                << "accepted, and accepting again once descriptors are free";
        }
    } else {
        qCWarning(lcServer).noquote()
            << "cannot accept a connection:" << error->message << "- trying again in" << retryMs_ << "ms";
    }
    retry_.reset(g_timeout_source_new(retryMs_));
    retryMs_ = std::min(retryMs_ * 2, kMaxRetryMs);
    g_source_set_callback(
        retry_.get(),
        [](gpointer self) -> gboolean {
            static_cast<ServerAcceptor *>(self)->listen();  // destroys this source
            return G_SOURCE_REMOVE;
        },
        this, nullptr);
    g_source_attach(retry_.get(), g_main_context_get_thread_default());
    source_.reset();  // last: we may be inside its callback, which returns G_SOURCE_REMOVE
}

gboolean ServerAcceptor::onIncoming(GSocket *, GIOCondition, gpointer self) {
    auto *acceptor = static_cast<ServerAcceptor *>(self);
    for (int i = 0; i < kAcceptBatch; ++i) {
        GErrorPtr error;
        GSocket *client = g_socket_accept(acceptor->listener_.get(), nullptr, out(error));
        if (!client) {
            if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
                break;
            }
            if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
                continue;  // ECONNABORTED: that client gave up while queued; the next may be fine
            }
            acceptor->pause(error.get());
            return G_SOURCE_REMOVE;
        }
        if (acceptor->pausedAtUs_ != 0) {
            qCInfo(lcServer).noquote() << "accepting connections again after"
                                       << (g_get_monotonic_time() - acceptor->pausedAtUs_) / 1000 << "ms";
            acceptor->pausedAtUs_ = 0;
        }
        acceptor->retryMs_ = kFirstRetryMs;
        GObjectPtr<GSocket> owned(client);
        acceptor->acceptOne(client);
    }
    return G_SOURCE_CONTINUE;
}

void ServerAcceptor::acceptOne(GSocket *client) {
    GObjectPtr<GSocketAddress> remote(g_socket_get_remote_address(client, nullptr));
    const PeerAddress peer = PeerAddress::of(remote.get());
    // Everything libsoup (and TLS) sets up for this connection attaches to its shard from here on.
    ContextShardSet::Placement shard;
    if (shards_) {
        shards_->forget(g_socket_get_fd(client));
        shard = shards_->place();
    }
    // What the socket's end must tell the shards, kept alive by the socket (which may be
    // finalized on a TLS worker thread, after this acceptor and the shards are gone).
    std::shared_ptr<ContextShardSet::Load> load = shard.shard >= 0 ? shards_->load() : nullptr;
    const int shardIndex = shard.shard;
    const auto leaveShard = [load, shardIndex] {
        if (load) {
            load->leave(shardIndex);
        }
    };
    AcceptedSockets::Evicted evicted;
    const bool counted = !peer.loopback || limitLoopback_;
    if (!AcceptedSockets::admit(sockets_, client, peer.key, counted, leaveShard, &evicted)) {
        leaveShard();
        // Closed before a byte is read: the cheapest answer to a flood from one address.
        ++refused_.count;
        refused_.last = peer.key;
        if (refused_.due(g_get_monotonic_time())) {
            qCWarning(lcServer).noquote()
                << "refused" << refused_.count << "connection(s) from addresses that already hold"
                << sockets_->limits().maxPerAddress << "- the last from" << refused_.last;
            refused_.count = 0;
        }
        return;
    }
    if (evicted.count > 0) {
        evicted_.count += evicted.count;
        evicted_.last = evicted.address;
        if (evicted_.due(g_get_monotonic_time())) {
            qCWarning(lcServer).noquote()
                << "cut short" << evicted_.count << "handshake(s) to stay within"
                << sockets_->limits().maxHandshakes << "at once, the last from" << evicted_.last;
            evicted_.count = 0;
        }
        if (released_) {
            released_();
        }
    }
    if (sockets_->limits().handshakeTimeout.count() > 0 && !expiry_) {
        armExpiry(g_get_monotonic_time() +
                  std::chrono::microseconds(sockets_->limits().handshakeTimeout).count());
    }
    const ScopedThreadDefault inShard(shard.context);
    // Signaling frames are small and each one matters now (an ICE candidate waiting behind
    // Nagle's algorithm and a delayed ACK costs 40 ms or more).
    g_socket_set_option(client, IPPROTO_TCP, TCP_NODELAY, 1, nullptr);
    GObjectPtr<GSocketConnection> connection(g_socket_connection_factory_create_connection(client));
    GObjectPtr<GIOStream> stream(G_IO_STREAM(g_object_ref(connection.get())));
    GErrorPtr error;
    if (certificate_) {
        GIOStream *tls =
            g_tls_server_connection_new(G_IO_STREAM(connection.get()), certificate_.get(), out(error));
        if (!tls) {
            qCWarning(lcServer).noquote() << "cannot start TLS on a connection:" << error->message;
            return;
        }
        // As libsoup's own listener: clients that just close are not an error.
        g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(tls), FALSE);
        stream.reset(tls);
    }
    GObjectPtr<GSocketAddress> local(g_socket_get_local_address(client, nullptr));
    if (!soup_server_accept_iostream(server_, stream.get(), local.get(), remote.get(), out(error))) {
        qCWarning(lcServer).noquote() << "cannot serve a connection:" << (error ? error->message : "");
    }
}

void ServerAcceptor::armExpiry(gint64 dueUs) {
    expiryDueUs_ = dueUs;
    const gint64 inMs = std::max<gint64>(0, (dueUs - g_get_monotonic_time() + 999) / 1000);
    expiry_.reset(g_timeout_source_new(guint(std::min<gint64>(inMs, G_MAXUINT))));
    g_source_set_callback(
        expiry_.get(),
        [](gpointer self) -> gboolean {
            static_cast<ServerAcceptor *>(self)->expireHandshakes();
            return G_SOURCE_REMOVE;
        },
        this, nullptr);
    g_source_attach(expiry_.get(), g_main_context_get_thread_default());
}

void ServerAcceptor::expireHandshakes() {
    gint64 nextUs = G_MAXINT64;
    const gint64 now = g_get_monotonic_time();
    const int expired = sockets_->expire(now, &nextUs);
    if (expired > 0) {
        expired_.count += expired;
        if (expired_.due(now)) {
            qCInfo(lcServer).noquote()
                << "closed" << expired_.count << "connection(s) that had not completed their"
                << "handshake within"
                << std::chrono::duration<double>(sockets_->limits().handshakeTimeout).count() << "s";
            expired_.count = 0;
        }
        if (released_) {
            released_();
        }
    }
    // Destroys the source we are called from (which returns G_SOURCE_REMOVE) or replaces it.
    GSourcePtr done = std::move(expiry_);
    if (nextUs != G_MAXINT64) {
        armExpiry(nextUs);
    }
}

GSocket *ServerAcceptor::socketOf(GIOStream *stream) {
    // At most libsoup's wrapper over TLS over the socket connection.
    for (int depth = 0; stream && depth < 4; ++depth) {
        if (G_IS_SOCKET_CONNECTION(stream)) {
            return g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream));
        }
        // GTlsConnection's "base-io-stream"; libsoup's SoupIOStream (the stream a WebSocket is
        // given) is not public API but names what it wraps "base-iostream".
        const char *property = G_IS_TLS_CONNECTION(stream) ? "base-io-stream" : "base-iostream";
        if (!g_object_class_find_property(G_OBJECT_GET_CLASS(stream), property)) {
            return nullptr;
        }
        GIOStream *base = nullptr;
        g_object_get(stream, property, &base, nullptr);
        // The wrapper holds its base for as long as it lives, so the pointer stays valid.
        if (base) {
            g_object_unref(base);
        }
        stream = base;
    }
    return nullptr;
}

}  // namespace confab
