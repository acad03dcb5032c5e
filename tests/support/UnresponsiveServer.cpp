// SPDX-License-Identifier: GPL-3.0-or-later
#include "UnresponsiveServer.h"

#include <QCryptographicHash>

using confab::GErrorPtr;
using confab::out;

// One accepted connection: the request read so far, then nothing.
struct UnresponsiveServer::Upgrade {
    UnresponsiveServer *server = nullptr;
    confab::GObjectPtr<GSocketConnection> connection;
    QByteArray request;
    char buffer[1024] = {};
};

UnresponsiveServer::UnresponsiveServer()
    : service_(g_socket_service_new()), cancellable_(g_cancellable_new()) {
    confab::GObjectPtr<GInetAddress> loopback(g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4));
    confab::GObjectPtr<GSocketAddress> address(g_inet_socket_address_new(loopback.get(), 0));
    GSocketAddress *bound = nullptr;
    GErrorPtr error;
    if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service_.get()), address.get(), G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, nullptr, &bound, out(error))) {
        qWarning("UnresponsiveServer: cannot listen: %s", error->message);
        return;
    }
    port_ = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound);
    g_signal_connect(service_.get(), "incoming", G_CALLBACK(onIncoming), this);
    g_socket_service_start(service_.get());
}

UnresponsiveServer::~UnresponsiveServer() {
    g_cancellable_cancel(cancellable_.get());  // pending reads end without touching us
    g_signal_handlers_disconnect_by_data(service_.get(), this);
    g_socket_service_stop(service_.get());
    g_socket_listener_close(G_SOCKET_LISTENER(service_.get()));
}

QUrl UnresponsiveServer::url() const {
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port_));
}

gboolean UnresponsiveServer::onIncoming(GSocketService *, GSocketConnection *connection, GObject *,
                                        gpointer self) {
    auto *server = static_cast<UnresponsiveServer *>(self);
    auto upgrade = std::make_unique<Upgrade>();
    upgrade->server = server;
    upgrade->connection = confab::retained(connection);
    server->readMore(upgrade.get());
    server->connections_.push_back(std::move(upgrade));
    return TRUE;
}

void UnresponsiveServer::readMore(Upgrade *upgrade) {
    GInputStream *input = g_io_stream_get_input_stream(G_IO_STREAM(upgrade->connection.get()));
    g_input_stream_read_async(input, upgrade->buffer, sizeof upgrade->buffer, G_PRIORITY_DEFAULT,
                              cancellable_.get(), &UnresponsiveServer::onRead, upgrade);
}

void UnresponsiveServer::onRead(GObject *stream, GAsyncResult *result, gpointer data) {
    GErrorPtr error;
    const gssize read = g_input_stream_read_finish(G_INPUT_STREAM(stream), result, out(error));
    if (error && g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        return;  // the server is gone: `data` must not be touched
    }
    auto *upgrade = static_cast<Upgrade *>(data);
    if (read <= 0) {
        return;  // the client went away before finishing its request
    }
    upgrade->request.append(upgrade->buffer, read);
    if (!upgrade->request.contains("\r\n\r\n")) {
        upgrade->server->readMore(upgrade);
        return;
    }
    // RFC 6455 §4.2.2: the accept value proves the server read this handshake's key.
    QByteArray key;
    for (const QByteArray &line : upgrade->request.split('\n')) {
        if (line.toLower().startsWith("sec-websocket-key:")) {
            key = line.mid(int(sizeof "sec-websocket-key:") - 1).trimmed();
        }
    }
    const QByteArray accept =
        QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1)
            .toBase64();
    const QByteArray response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        accept + "\r\n\r\n";
    GOutputStream *output = g_io_stream_get_output_stream(G_IO_STREAM(upgrade->connection.get()));
    if (g_output_stream_write_all(output, response.constData(), gsize(response.size()), nullptr, nullptr,
                                  nullptr)) {
        ++upgrade->server->upgrades_;
    }
    // Nothing more is read or written on this connection.
}
