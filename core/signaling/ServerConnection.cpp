#include "signaling/ServerConnection.h"

namespace confab {

ServerConnection::ServerConnection(SoupWebsocketConnection *socket, QString peerAddress, qsizetype frameLimit,
                                   int keepaliveSeconds, Handlers handlers)
    : socket_(retained(socket)), peerAddress_(std::move(peerAddress)), handlers_(std::move(handlers)) {
    lastHeard_.start();
    // libsoup closes the connection (1009) above this; frames below it but over the protocol
    // limit are refused with an error by the server and the connection stays usable.
    soup_websocket_connection_set_max_incoming_payload_size(socket, static_cast<guint64>(frameLimit));
    soup_websocket_connection_set_keepalive_interval(socket, static_cast<guint>(keepaliveSeconds));
    g_signal_connect(socket, "message", G_CALLBACK(onMessage), this);
    g_signal_connect(socket, "pong", G_CALLBACK(onPong), this);
    g_signal_connect(socket, "closed", G_CALLBACK(onClosed), this);
}

ServerConnection::~ServerConnection() {
    g_signal_handlers_disconnect_by_data(socket_.get(), this);
    if (soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_close(socket_.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
    }
}

void ServerConnection::send(const QByteArray &text) {
    if (soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_send_text(socket_.get(), text.constData());
    }
}

void ServerConnection::close(int code, const QString &reason) {
    if (soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_close(socket_.get(), static_cast<gushort>(code), reason.toUtf8().constData());
    }
}

void ServerConnection::abandon(int code, const QString &reason) {
    close(code, reason);
    reportClosed();  // the socket itself goes when this object does
}

void ServerConnection::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self) {
    auto *connection = static_cast<ServerConnection *>(self);
    connection->lastHeard_.restart();
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
        handlers_.closed(this);
    }
}

}  // namespace confab
