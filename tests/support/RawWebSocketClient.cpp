// SPDX-License-Identifier: GPL-3.0-or-later
#include "RawWebSocketClient.h"

#include "TestTime.h"

#include <QJsonDocument>
#include <QTest>

using confab::GErrorPtr;
using confab::GObjectPtr;
using confab::out;

namespace {

// Large enough for anything a test makes the server send back.
constexpr guint64 kMaxIncomingBytes = 16 * 1024 * 1024;

}  // namespace

namespace {

SoupSession *newSession(const QString &localAddress) {
    if (localAddress.isEmpty()) {
        return soup_session_new();
    }
    GObjectPtr<GInetAddress> address(g_inet_address_new_from_string(localAddress.toLatin1().constData()));
    GObjectPtr<GSocketAddress> local(g_inet_socket_address_new(address.get(), 0));
    return soup_session_new_with_options("local-address", local.get(), nullptr);
}

}  // namespace

RawWebSocketClient::RawWebSocketClient(const QUrl &url, QObject *parent, const QString &localAddress)
    : QObject(parent), session_(newSession(localAddress)), cancellable_(g_cancellable_new()) {
    GObjectPtr<SoupMessage> message(soup_message_new("GET", url.toEncoded().constData()));
    // A test client: any certificate will do for wss:// (tst_signalingtls tests the real client's
    // checks).
    g_signal_connect(
        message.get(), "accept-certificate",
        G_CALLBACK(+[](SoupMessage *, GTlsCertificate *, GTlsCertificateFlags) -> gboolean { return TRUE; }),
        nullptr);
    soup_session_websocket_connect_async(session_.get(), message.get(), nullptr, nullptr, G_PRIORITY_DEFAULT,
                                         cancellable_.get(), &RawWebSocketClient::onConnected, this);
}

std::unique_ptr<RawWebSocketClient> RawWebSocketClient::connectedTo(const QUrl &url) {
    auto client = std::make_unique<RawWebSocketClient>(url);
    if (!client->waitConnected()) {
        qWarning("could not connect to %s", qPrintable(url.toString()));
    }
    return client;
}

std::unique_ptr<RawWebSocketClient> RawWebSocketClient::signedInTo(const QUrl &url, const QString &name) {
    auto client = std::make_unique<RawWebSocketClient>(url);
    if (!client->login(name)) {
        qWarning("could not sign in %s", qPrintable(name));
    }
    return client;
}

RawWebSocketClient::~RawWebSocketClient() {
    g_cancellable_cancel(cancellable_.get());
    if (socket_) {
        g_signal_handlers_disconnect_by_data(socket_.get(), this);
        close();
    }
}

int RawWebSocketClient::scaledMs(int ms) {
    return scaled(ms);
}

void RawWebSocketClient::onConnected(GObject *session, GAsyncResult *result, gpointer self) {
    GErrorPtr error;
    SoupWebsocketConnection *socket =
        soup_session_websocket_connect_finish(SOUP_SESSION(session), result, out(error));
    if (error && g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        return;  // the client is gone: `self` must not be touched
    }
    auto *client = static_cast<RawWebSocketClient *>(self);
    if (!socket) {
        qWarning("RawWebSocketClient: cannot connect: %s", error->message);
        client->connectFailed_ = true;
        return;
    }
    client->socket_.reset(socket);
    soup_websocket_connection_set_max_incoming_payload_size(socket, kMaxIncomingBytes);
    g_signal_connect(socket, "message", G_CALLBACK(onMessage), self);
    g_signal_connect(socket, "closed", G_CALLBACK(onClosed), self);
}

void RawWebSocketClient::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self) {
    gsize size = 0;
    const auto *data = static_cast<const char *>(g_bytes_get_data(message, &size));
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(data, qsizetype(size)));
    QJsonObject object = document.object();
    if (type != SOUP_WEBSOCKET_DATA_TEXT || !document.isObject()) {
        object = {{QStringLiteral("type"), kNotJson},
                  {QStringLiteral("raw"), QString::fromUtf8(data, qsizetype(size))}};
    }
    auto *client = static_cast<RawWebSocketClient *>(self);
    client->pending_.append(object);
    Q_EMIT client->received(object);
}

void RawWebSocketClient::onClosed(SoupWebsocketConnection *, gpointer self) {
    auto *client = static_cast<RawWebSocketClient *>(self);
    client->closed_ = true;
    Q_EMIT client->closed();
}

bool RawWebSocketClient::waitConnected(int timeoutMs) {
    return QTest::qWaitFor([this] { return socket_ || connectFailed_; }, timeoutMs) && socket_;
}

bool RawWebSocketClient::isOpen() const {
    return socket_ && soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN;
}

void RawWebSocketClient::sendText(const QByteArray &text) {
    if (!isOpen()) {
        qWarning("RawWebSocketClient: not open; dropped %s", text.left(80).constData());
        return;
    }
    // send_text() takes a C string and would cut a frame at a NUL byte; send_message() does not.
    const confab::GBytesPtr bytes(g_bytes_new(text.constData(), gsize(text.size())));
    soup_websocket_connection_send_message(socket_.get(), SOUP_WEBSOCKET_DATA_TEXT, bytes.get());
}

void RawWebSocketClient::sendJson(const QJsonObject &object) {
    sendText(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

void RawWebSocketClient::sendBinary(const QByteArray &data) {
    if (!isOpen()) {
        qWarning("RawWebSocketClient: not open; dropped a binary frame");
        return;
    }
    soup_websocket_connection_send_binary(socket_.get(), data.constData(), gsize(data.size()));
}

bool RawWebSocketClient::login(const QString &name) {
    if (!waitConnected()) {
        return false;
    }
    sendJson({{QStringLiteral("type"), QStringLiteral("login")}, {QStringLiteral("name"), name}});
    const QJsonObject reply = take(QStringLiteral("login"));
    return reply.value(QStringLiteral("success")).toBool() && !take(QStringLiteral("users")).isEmpty();
}

QJsonObject RawWebSocketClient::take(const QString &type, int timeoutMs) {
    QJsonObject found;
    const bool came = QTest::qWaitFor(
        [&] {
            for (qsizetype i = 0; i < pending_.size(); ++i) {
                if (type.isEmpty() || pending_[i].value(QStringLiteral("type")).toString() == type) {
                    found = pending_.takeAt(i);
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    if (!came) {
        qWarning("RawWebSocketClient: no \"%s\" within %d ms; pending: %s", qPrintable(type), timeoutMs,
                 qPrintable(pendingTypes().join(QStringLiteral(", "))));
    }
    return found;
}

QJsonObject RawWebSocketClient::takeNext(int timeoutMs) {
    return take(QString(), timeoutMs);
}

int RawWebSocketClient::pendingCount(const QString &type) const {
    return int(std::count_if(pending_.cbegin(), pending_.cend(), [&](const QJsonObject &message) {
        return message.value(QStringLiteral("type")).toString() == type;
    }));
}

QStringList RawWebSocketClient::pendingTypes() const {
    QStringList types;
    for (const QJsonObject &message : pending_) {
        types.append(message.value(QStringLiteral("type")).toString());
    }
    return types;
}

bool RawWebSocketClient::sync() {
    // A type no server accepts, numbered so this answer cannot be mistaken for an earlier one.
    const QString marker = QStringLiteral("x-test-sync-%1").arg(++syncs_);
    sendJson({{QStringLiteral("type"), marker}});
    return QTest::qWaitFor(
        [&] {
            for (qsizetype i = 0; i < pending_.size(); ++i) {
                if (pending_[i].value(QStringLiteral("type")).toString() == QStringLiteral("error") &&
                    pending_[i].value(QStringLiteral("about")).toString() == marker) {
                    pending_.removeAt(i);
                    return true;
                }
            }
            return false;
        },
        defaultTimeoutMs());
}

bool RawWebSocketClient::waitClosed(int timeoutMs) {
    return QTest::qWaitFor([this] { return closed_; }, timeoutMs);
}

int RawWebSocketClient::closeCode() const {
    return socket_ ? soup_websocket_connection_get_close_code(socket_.get()) : 0;
}

void RawWebSocketClient::close() {
    if (isOpen()) {
        soup_websocket_connection_close(socket_.get(), SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
    }
}
