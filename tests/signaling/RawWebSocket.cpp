#include "RawWebSocket.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using confab::GErrorPtr;
using confab::out;

RawWebSocket::RawWebSocket(const QUrl &url) : session_(soup_session_new()), cancellable_(g_cancellable_new()) {
    confab::GObjectPtr<SoupMessage> message(soup_message_new("GET", url.toEncoded().constData()));
    soup_session_websocket_connect_async(session_.get(), message.get(), nullptr, nullptr, G_PRIORITY_DEFAULT,
                                         cancellable_.get(), &RawWebSocket::onConnected, this);
}

RawWebSocket::~RawWebSocket() {
    g_cancellable_cancel(cancellable_.get());
    if (socket_) {
        g_signal_handlers_disconnect_by_data(socket_.get(), this);
        close();
    }
}

void RawWebSocket::onConnected(GObject *session, GAsyncResult *result, gpointer self) {
    GErrorPtr error;
    SoupWebsocketConnection *socket = soup_session_websocket_connect_finish(SOUP_SESSION(session), result, out(error));
    if (error && g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        return;
    }
    auto *raw = static_cast<RawWebSocket *>(self);
    if (!socket) {
        raw->failed_ = true;
        return;
    }
    raw->socket_.reset(socket);
    soup_websocket_connection_set_max_incoming_payload_size(socket, 16 * 1024 * 1024);
    g_signal_connect(socket, "message", G_CALLBACK(onMessage), self);
}

void RawWebSocket::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self) {
    gsize size = 0;
    const auto *data = static_cast<const char *>(g_bytes_get_data(message, &size));
    QJsonObject object = QJsonDocument::fromJson(QByteArray(data, qsizetype(size))).object();
    if (type != SOUP_WEBSOCKET_DATA_TEXT || object.isEmpty()) {
        object = {{QStringLiteral("type"), QStringLiteral("<not a JSON text frame>")}};
    }
    static_cast<RawWebSocket *>(self)->received_.append(object);
}

bool RawWebSocket::waitConnected(int timeoutMs) {
    return QTest::qWaitFor([this] { return socket_ || failed_; }, timeoutMs) && socket_;
}

void RawWebSocket::sendText(const QByteArray &text) {
    soup_websocket_connection_send_text(socket_.get(), text.constData());
}

void RawWebSocket::sendJson(const QJsonObject &object) {
    sendText(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

void RawWebSocket::sendBinary(const QByteArray &data) {
    soup_websocket_connection_send_binary(socket_.get(), data.constData(), gsize(data.size()));
}

bool RawWebSocket::login(const QString &name) {
    if (!waitConnected()) {
        return false;
    }
    sendJson({{QStringLiteral("type"), QStringLiteral("login")}, {QStringLiteral("name"), name}});
    const QJsonObject reply = take(QStringLiteral("login"));
    return reply.value(QStringLiteral("success")).toBool() && !take(QStringLiteral("users")).isEmpty();
}

QJsonObject RawWebSocket::take(const QString &type, int timeoutMs) {
    QJsonObject found;
    (void)QTest::qWaitFor(
        [&] {
            for (qsizetype i = 0; i < received_.size(); ++i) {
                if (received_[i].value(QStringLiteral("type")).toString() == type) {
                    found = received_.takeAt(i);
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

bool RawWebSocket::noneFor(const QString &type, int ms) {
    return take(type, ms).isEmpty();
}

bool RawWebSocket::waitClosed(int timeoutMs) {
    return QTest::qWaitFor(
        [this] { return socket_ && soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_CLOSED; },
        timeoutMs);
}

int RawWebSocket::closeCode() const {
    return socket_ ? soup_websocket_connection_get_close_code(socket_.get()) : 0;
}

void RawWebSocket::close() {
    if (socket_ && soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_close(socket_.get(), SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
    }
}

SilentWebSocket::SilentWebSocket(quint16 port) {
    confab::GObjectPtr<GSocketClient> client(g_socket_client_new());
    GErrorPtr error;
    connection_.reset(g_socket_client_connect_to_host(client.get(), "127.0.0.1", port, nullptr, out(error)));
}

bool SilentWebSocket::handshake() {
    if (!connection_) {
        return false;
    }
    const QByteArray request =
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    GOutputStream *output = g_io_stream_get_output_stream(G_IO_STREAM(connection_.get()));
    GInputStream *input = g_io_stream_get_input_stream(G_IO_STREAM(connection_.get()));
    if (!g_output_stream_write_all(output, request.constData(), gsize(request.size()), nullptr, nullptr, nullptr)) {
        return false;
    }
    // Read the 101 response up to the blank line without blocking (the server under test runs on
    // this thread's event loop); nothing is read after it, ever.
    QByteArray response;
    (void)QTest::qWaitFor(
        [&] {
            char byte = 0;
            while (!response.endsWith("\r\n\r\n") &&
                   g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(input), &byte, 1, nullptr,
                                                            nullptr) == 1) {
                response.append(byte);
            }
            return response.endsWith("\r\n\r\n");
        },
        10000);
    return response.startsWith("HTTP/1.1 101");
}

bool SilentWebSocket::sendText(const QByteArray &text) {
    // A client frame: FIN + text opcode, masked, with a 16-bit length when needed.
    QByteArray frame;
    frame.append(char(0x81));
    if (text.size() < 126) {
        frame.append(char(0x80 | text.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char((text.size() >> 8) & 0xff));
        frame.append(char(text.size() & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    const char maskBytes[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(maskBytes, 4);
    for (qsizetype i = 0; i < text.size(); ++i) {
        frame.append(char(text[i] ^ maskBytes[i % 4]));
    }
    GOutputStream *output = g_io_stream_get_output_stream(G_IO_STREAM(connection_.get()));
    return g_output_stream_write_all(output, frame.constData(), gsize(frame.size()), nullptr, nullptr, nullptr);
}
