// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/ServerAcceptor.h"

#include "util/ContextShardSet.h"
#include "util/Logging.h"
#include "util/ScopedThreadDefault.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

namespace confab {

ServerAcceptor::ServerAcceptor(SoupServer *server, GSocket *listener, GTlsCertificate *certificate,
                               ContextShardSet *shards)
    : server_(server),
      shards_(shards),
      listener_(retained(listener)),
      certificate_(certificate ? retained(certificate) : nullptr) {
    g_socket_set_blocking(listener, FALSE);
    listen();
}

void ServerAcceptor::listen() {
    retry_.reset();
    source_.reset(g_socket_create_source(listener_.get(), G_IO_IN, nullptr));
    g_source_set_callback(source_.get(), G_SOURCE_FUNC(onIncoming), this, nullptr);
    g_source_attach(source_.get(), g_main_context_get_thread_default());
}

void ServerAcceptor::pause() {
    retry_.reset(g_timeout_source_new(kRetryMs));
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

ServerAcceptor::~ServerAcceptor() = default;

gboolean ServerAcceptor::onIncoming(GSocket *, GIOCondition, gpointer self) {
    auto *acceptor = static_cast<ServerAcceptor *>(self);
    for (int i = 0; i < kAcceptBatch; ++i) {
        GErrorPtr error;
        GSocket *client = g_socket_accept(acceptor->listener_.get(), nullptr, out(error));
        if (!client) {
            if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
                break;
            }
            qCWarning(lcServer).noquote()
                << "cannot accept a connection:" << error->message << "- trying again in" << kRetryMs << "ms";
            acceptor->pause();
            return G_SOURCE_REMOVE;
        }
        GObjectPtr<GSocket> owned(client);
        acceptor->acceptOne(client);
    }
    return G_SOURCE_CONTINUE;
}

void ServerAcceptor::acceptOne(GSocket *client) {
    // Everything libsoup (and TLS) sets up for this connection attaches to its shard from here on.
    ContextShardSet::Placement shard;
    if (shards_) {
        shards_->forget(g_socket_get_fd(client));
        shard = shards_->place();
    }
    count(client, shard.shard);
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
    GObjectPtr<GSocketAddress> remote(g_socket_get_remote_address(client, nullptr));
    if (!soup_server_accept_iostream(server_, stream.get(), local.get(), remote.get(), out(error))) {
        qCWarning(lcServer).noquote() << "cannot serve a connection:" << (error ? error->message : "");
    }
}

void ServerAcceptor::count(GSocket *socket, int shard) {
    ++live_->sockets;
    // What the socket's end must tell, kept alive by the weak reference (which may be dropped on
    // a TLS worker thread, after this acceptor and the shards are gone).
    struct Ticket {
        std::shared_ptr<LiveCount> live;
        std::shared_ptr<ContextShardSet::Load> load;
        int shard;
    };
    auto *ticket = new Ticket{live_, shard >= 0 ? shards_->load() : nullptr, shard};
    g_object_weak_ref(
        G_OBJECT(socket),
        [](gpointer data, GObject *) {
            auto *ended = static_cast<Ticket *>(data);
            --ended->live->sockets;
            if (ended->load) {
                ended->load->leave(ended->shard);
            }
            delete ended;
        },
        ticket);
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
