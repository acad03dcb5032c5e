// SPDX-License-Identifier: GPL-3.0-or-later
#include "SoupTransport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>

namespace confab::bench {
namespace {

// The sleep before each poll, for batchingPoll(): a GLib poll function gets no user data.
thread_local int batchMicroseconds = 0;

}  // namespace

SoupTransport::SoupTransport(int clients, Events &events, int batchMicroseconds)
    : events_(events), batchMicroseconds_(batchMicroseconds), connections_(size_t(clients)) {
    for (size_t i = 0; i < connections_.size(); ++i) {
        connections_[i].transport = this;
        connections_[i].client = int(i);
    }
    context_ = g_main_context_new();
    loop_ = g_main_loop_new(context_, FALSE);
}

SoupTransport::~SoupTransport() {
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
}

gint SoupTransport::batchingPoll(GPollFD *fds, guint count, gint timeoutMs) {
    if (timeoutMs != 0) {
        g_usleep(gulong(batchMicroseconds));
        if (timeoutMs > 0) {
            timeoutMs = std::max(0, timeoutMs - batchMicroseconds / 1000);
        }
    }
    return g_poll(fds, count, timeoutMs);
}

void SoupTransport::run() {
    if (batchMicroseconds_ > 0) {
        batchMicroseconds = batchMicroseconds_;
        g_main_context_set_poll_func(context_, &SoupTransport::batchingPoll);
    }
    g_main_context_push_thread_default(context_);
    // The session belongs to this thread's context, and so does every connection it makes.
    session_ = soup_session_new_with_options("max-conns", 4096, "max-conns-per-host", 4096, nullptr);
    g_main_loop_run(loop_);
    for (Connection &connection : connections_) {
        if (connection.socket) {
            g_signal_handlers_disconnect_by_data(connection.socket, &connection);
            g_object_unref(connection.socket);
            connection.socket = nullptr;
        }
    }
    g_object_unref(session_);
    session_ = nullptr;
    // Dispatch whatever the closes queued, then leave the context to the main thread.
    while (g_main_context_iteration(context_, FALSE)) {
    }
    g_main_context_pop_thread_default(context_);
}

void SoupTransport::quit() {
    g_main_loop_quit(loop_);
}

void SoupTransport::post(std::function<void()> work) {
    GSource *source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_HIGH);
    g_source_set_callback(
        source,
        [](gpointer data) -> gboolean {
            (*static_cast<std::function<void()> *>(data))();
            return G_SOURCE_REMOVE;
        },
        new std::function<void()>(std::move(work)),
        [](gpointer data) { delete static_cast<std::function<void()> *>(data); });
    g_source_attach(source, context_);
    g_source_unref(source);
}

void SoupTransport::every(gint64 periodUs, std::function<bool()> callback) {
    GSource *source = g_timeout_source_new(guint(std::max<gint64>(1, periodUs / 1000)));
    g_source_set_callback(
        source,
        [](gpointer data) -> gboolean {
            return (*static_cast<std::function<bool()> *>(data))() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
        },
        new std::function<bool()>(std::move(callback)),
        [](gpointer data) { delete static_cast<std::function<bool()> *>(data); });
    g_source_attach(source, context_);
    g_source_unref(source);
}

void SoupTransport::connect(int client, const std::string &url) {
    SoupMessage *message = soup_message_new("GET", url.c_str());
    if (!message) {
        post([this, client, url] { events_.openFailed(client, "not a URL: " + url); });
        return;
    }
    g_signal_connect(message, "network-event", G_CALLBACK(onNetworkEvent), nullptr);
    soup_session_websocket_connect_async(session_, message, nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
                                         onConnected, &connections_[size_t(client)]);
    g_object_unref(message);
}

void SoupTransport::onNetworkEvent(SoupMessage *, GSocketClientEvent event, GIOStream *connection, gpointer) {
    // Like browsers: no Nagle delay on small frames. This is the one moment the plain socket is
    // reachable: the connection a finished WebSocket handshake hands over wraps it, so a
    // G_IS_SOCKET_CONNECTION check on soup_websocket_connection_get_io_stream() is always false.
    if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION(connection)) {
        g_socket_set_option(g_socket_connection_get_socket(G_SOCKET_CONNECTION(connection)), IPPROTO_TCP,
                            TCP_NODELAY, 1, nullptr);
    }
}

void SoupTransport::onConnected(GObject *session, GAsyncResult *result, gpointer data) {
    Connection &connection = *static_cast<Connection *>(data);
    GError *error = nullptr;
    connection.socket = soup_session_websocket_connect_finish(SOUP_SESSION(session), result, &error);
    if (!connection.socket) {
        connection.transport->events_.openFailed(connection.client, error->message);
        g_error_free(error);
        return;
    }
    // The users list grows with every client (about 10 bytes a name): no 128 KiB default cap.
    soup_websocket_connection_set_max_incoming_payload_size(connection.socket, 256 * 1024 * 1024);
    soup_websocket_connection_set_keepalive_interval(connection.socket, 0);
    g_signal_connect(connection.socket, "message", G_CALLBACK(onMessage), &connection);
    g_signal_connect(connection.socket, "closed", G_CALLBACK(onClosed), &connection);
    g_signal_connect(connection.socket, "error", G_CALLBACK(onError), &connection);
    connection.transport->events_.opened(connection.client);
}

void SoupTransport::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer data) {
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        return;  // binary messages mean nothing in this protocol
    }
    const Connection &connection = *static_cast<Connection *>(data);
    gsize size = 0;
    const auto *text = static_cast<const char *>(g_bytes_get_data(message, &size));
    connection.transport->events_.received(connection.client, std::string_view(text, size));
}

void SoupTransport::onClosed(SoupWebsocketConnection *socket, gpointer data) {
    const Connection &connection = *static_cast<Connection *>(data);
    const char *reason = soup_websocket_connection_get_close_data(socket);
    connection.transport->events_.closed(connection.client, soup_websocket_connection_get_close_code(socket),
                                         reason ? reason : "");
}

void SoupTransport::onError(SoupWebsocketConnection *, GError *error, gpointer data) {
    const Connection &connection = *static_cast<Connection *>(data);
    connection.transport->events_.failed(connection.client, error->message);
}

bool SoupTransport::isOpen(int client) const {
    SoupWebsocketConnection *socket = connections_[size_t(client)].socket;
    return socket && soup_websocket_connection_get_state(socket) == SOUP_WEBSOCKET_STATE_OPEN;
}

void SoupTransport::sendText(int client, const std::string &text) {
    soup_websocket_connection_send_text(connections_[size_t(client)].socket, text.c_str());
}

void SoupTransport::close(int client) {
    soup_websocket_connection_close(connections_[size_t(client)].socket, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                    nullptr);
}

}  // namespace confab::bench
