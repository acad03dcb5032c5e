// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScriptedServer.h"

using confab::GErrorPtr;
using confab::out;

ScriptedServer::ScriptedServer(QList<QByteArray> frames)
    : frames_(std::move(frames)), server_(soup_server_new(nullptr, nullptr)) {
    soup_server_add_websocket_handler(server_.get(), nullptr, nullptr, nullptr, &ScriptedServer::onSocket,
                                      this, nullptr);
    GErrorPtr error;
    if (!soup_server_listen_local(server_.get(), 0, SOUP_SERVER_LISTEN_IPV4_ONLY, out(error))) {
        qWarning("ScriptedServer: cannot listen: %s", error->message);
        return;
    }
    GSList *uris = soup_server_get_uris(server_.get());
    port_ = g_uri_get_port(static_cast<GUri *>(uris->data));
    g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
}

ScriptedServer::~ScriptedServer() {
    for (const auto &socket : sockets_) {
        g_signal_handlers_disconnect_by_data(socket.get(), this);
        if (soup_websocket_connection_get_state(socket.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
            soup_websocket_connection_close(socket.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
        }
    }
    soup_server_disconnect(server_.get());
}

QUrl ScriptedServer::url() const {
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port_));
}

void ScriptedServer::onSocket(SoupServer *, SoupServerMessage *, const char *,
                              SoupWebsocketConnection *socket, gpointer self) {
    static_cast<ScriptedServer *>(self)->sockets_.push_back(confab::retained(socket));
    g_signal_connect(socket, "message", G_CALLBACK(onMessage), self);
}

void ScriptedServer::onMessage(SoupWebsocketConnection *socket, gint, GBytes *, gpointer self) {
    for (const QByteArray &frame : std::as_const(static_cast<ScriptedServer *>(self)->frames_)) {
        soup_websocket_connection_send_text(socket, frame.constData());
    }
}
