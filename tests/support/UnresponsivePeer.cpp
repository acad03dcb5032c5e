// SPDX-License-Identifier: GPL-3.0-or-later
#include "UnresponsivePeer.h"

#include "RawWebSocketClient.h"

#include <QRandomGenerator>
#include <QTest>

using confab::GErrorPtr;
using confab::out;

UnresponsivePeer::UnresponsivePeer(quint16 port) {
    confab::GObjectPtr<GSocketClient> client(g_socket_client_new());
    GErrorPtr error;
    // A blocking connect is fine here: the kernel completes it from the server's listen backlog.
    connection_.reset(g_socket_client_connect_to_host(client.get(), "127.0.0.1", port, nullptr, out(error)));
    if (!connection_) {
        qWarning("UnresponsivePeer: cannot connect: %s", error->message);
    }
}

bool UnresponsivePeer::handshake() {
    if (!connection_) {
        return false;
    }
    const QByteArray request =
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    GOutputStream *output = g_io_stream_get_output_stream(G_IO_STREAM(connection_.get()));
    GInputStream *input = g_io_stream_get_input_stream(G_IO_STREAM(connection_.get()));
    if (!g_output_stream_write_all(output, request.constData(), gsize(request.size()), nullptr, nullptr,
                                   nullptr)) {
        return false;
    }
    // Read the answer up to its blank line without blocking (the server under test runs on this
    // thread's event loop); nothing is read after it, ever.
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
        RawWebSocketClient::defaultTimeoutMs());
    return response.startsWith("HTTP/1.1 101");
}

bool UnresponsivePeer::sendText(const QByteArray &text) {
    // A client frame (RFC 6455 §5.2): FIN + text opcode, then the masked payload's length in 7 or
    // 7+16 bits, the mask, and the payload XORed with it.
    if (!connection_ || text.size() > 0xffff) {
        return false;
    }
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
    return g_output_stream_write_all(output, frame.constData(), gsize(frame.size()), nullptr, nullptr,
                                     nullptr);
}
