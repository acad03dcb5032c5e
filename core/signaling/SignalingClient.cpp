// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/SignalingClient.h"

#include "protocol/MessageCodec.h"
#include "util/Logging.h"

#include <QCoreApplication>
#include <QThread>

#include <utility>

#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

namespace confab {

namespace {

// The local address of the TCP connection under `stream` (libsoup's SoupIOStream over a
// GTlsConnection over the GSocketConnection, or less); null when unknown.
GObjectPtr<GInetAddress> localAddressOf(GIOStream *stream) {
    GObjectPtr<GIOStream> base;
    for (int depth = 0; stream && !G_IS_SOCKET_CONNECTION(stream) && depth < 4; ++depth) {
        // SoupIOStream's "base-iostream", GTlsConnection's "base-io-stream": public properties.
        const char *property = nullptr;
        for (const char *name : {"base-iostream", "base-io-stream"}) {
            if (g_object_class_find_property(G_OBJECT_GET_CLASS(stream), name)) {
                property = name;
            }
        }
        if (!property) {
            return nullptr;
        }
        GIOStream *inner = nullptr;
        g_object_get(stream, property, &inner, nullptr);
        base.reset(inner);
        stream = inner;
    }
    if (!stream || !G_IS_SOCKET_CONNECTION(stream)) {
        return nullptr;
    }
    GObjectPtr<GSocketAddress> address(g_socket_connection_get_local_address(G_SOCKET_CONNECTION(stream), nullptr));
    if (!address || !G_IS_INET_SOCKET_ADDRESS(address.get())) {
        return nullptr;
    }
    return retained(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address.get())));
}

// Whether an interface of this computer still has `address`.
bool isStillLocal(GInetAddress *address) {
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) {
        return true;  // cannot tell: keep the connection
    }
    bool found = false;
    for (const ifaddrs *entry = list; entry && !found; entry = entry->ifa_next) {
        if (!entry->ifa_addr || (entry->ifa_addr->sa_family != AF_INET && entry->ifa_addr->sa_family != AF_INET6)) {
            continue;
        }
        const gsize size = entry->ifa_addr->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
        GObjectPtr<GSocketAddress> candidate(g_socket_address_new_from_native(entry->ifa_addr, size));
        found = candidate && G_IS_INET_SOCKET_ADDRESS(candidate.get()) &&
                g_inet_address_equal(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(candidate.get())), address);
    }
    freeifaddrs(list);
    return found;
}

}  // namespace


using namespace protocol;

namespace {

// What we accept from a server; larger than what we send, since users/presence lists grow.
const JsonLimits kIncomingLimits{4 * 1024 * 1024, 32};

}  // namespace

SignalingClient::SignalingClient(QObject *parent) : CallSignaling(parent), session_(soup_session_new()) {
    retryTimer_.setSingleShot(true);
    connect(&retryTimer_, &QTimer::timeout, this, &SignalingClient::attempt);
    connect(&aliveTimer_, &QTimer::timeout, this, &SignalingClient::checkAlive);
}

SignalingClient::~SignalingClient() {
    if (pending_) {
        g_cancellable_cancel(pending_.get());
    }
    dropSocket();
}

void SignalingClient::connectToServer(const QUrl &url, const QString &name) {
    Q_ASSERT(QThread::currentThread() == thread());
    disconnectFromServer();
    url_ = url;
    name_ = name;
    everLoggedIn_ = false;
    backoff_.reset();
    setState(State::Connecting);
    attempt();
}

void SignalingClient::disconnectFromServer() {
    stop();
    if (state_ != State::Disconnected) {
        setState(State::Disconnected);
    }
}

void SignalingClient::stop() {
    retryTimer_.stop();
    aliveTimer_.stop();
    if (pending_) {
        g_cancellable_cancel(pending_.get());
        pending_.reset();
    }
    dropSocket();
    online_.clear();
}

QStringList SignalingClient::onlineUsers() const {
    QStringList users(online_.cbegin(), online_.cend());
    users.sort();
    return users;
}

void SignalingClient::setKeepalive(int intervalSeconds, int deadAfterSeconds) {
    keepaliveSeconds_ = intervalSeconds;
    deadAfterSeconds_ = deadAfterSeconds;
}

QString SignalingClient::describe(State state) {
    switch (state) {
        case State::Disconnected:
            return tr("Offline");
        case State::Connecting:
            return tr("Connecting…");
        case State::LoggingIn:
            return tr("Signing in…");
        case State::LoggedIn:
            return tr("Online");
        case State::Reconnecting:
            return tr("Reconnecting…");
    }
    return {};
}

void SignalingClient::attempt() {
    const QString scheme = url_.scheme();
    if (scheme != QLatin1StringView("ws") && scheme != QLatin1StringView("wss")) {
        const QString reason = tr("The server address must start with ws:// or wss://, not \"%1\".").arg(url_.toString());
        qCWarning(lcSignaling).noquote() << reason;
        stop();  // not disconnectFromServer(): that would report Disconnected once without the reason
        setState(State::Disconnected, reason);
        return;
    }
    GObjectPtr<SoupMessage> message(soup_message_new("GET", url_.toEncoded().constData()));
    if (!message) {
        connectFailed(tr("\"%1\" is not a valid server address.").arg(url_.toString()));
        return;
    }
    // Emitted only for a certificate the system's trust store refused: remembered for the report.
    refusedCertificate_ = {};
    g_signal_connect(message.get(), "accept-certificate", G_CALLBACK(onAcceptCertificate), this);
    pending_.reset(g_cancellable_new());
    qCDebug(lcSignaling).noquote() << "connecting to" << url_.toString();
    soup_session_websocket_connect_async(session_.get(), message.get(), nullptr, nullptr, G_PRIORITY_DEFAULT,
                                         pending_.get(), &SignalingClient::onConnected, this);
}

gboolean SignalingClient::onAcceptCertificate(SoupMessage *, GTlsCertificate *presented, GTlsCertificateFlags errors,
                                              gpointer self) {
    // Only the one certificate the user chose to trust, byte for byte; never "any certificate".
    auto *client = static_cast<SignalingClient *>(self);
    bool same = false;
    if (!client->trustedCertificatePem_.isEmpty()) {
        GErrorPtr error;
        GObjectPtr<GTlsCertificate> trusted(
            g_tls_certificate_new_from_pem(client->trustedCertificatePem_.constData(), -1, out(error)));
        same = trusted && g_tls_certificate_is_same(trusted.get(), presented);
        qCInfo(lcSignaling) << "server certificate" << (same ? "matches" : "does not match") << "the trusted one";
    }
    if (!same && !client->trustedFingerprints_.isEmpty()) {
        // The fingerprint is worked out as for the report below: one implementation, so what a
        // person copied from a refusal or the trust dialog is what matches here.
        const QString fingerprint = ServerCertificate::fromTls(presented, errors).sha256Fingerprint;
        same = !fingerprint.isEmpty() && client->trustedFingerprints_.contains(fingerprint);
        qCInfo(lcSignaling).noquote() << "server certificate" << fingerprint
                                      << (same ? "matches" : "matches none of") << "the trusted fingerprints";
    }
    if (!same) {
        client->refusedCertificate_ = ServerCertificate::fromTls(presented, errors);
        qCWarning(lcSignaling).noquote() << "refusing the server's certificate"
                                         << client->refusedCertificate_.sha256Fingerprint << "subject"
                                         << client->refusedCertificate_.subject << "errors" << int(errors);
    }
    return same ? TRUE : FALSE;
}

void SignalingClient::onConnected(GObject *session, GAsyncResult *result, gpointer self) {
    GErrorPtr error;
    GObjectPtr<SoupWebsocketConnection> socket(
        soup_session_websocket_connect_finish(SOUP_SESSION(session), result, out(error)));
    if (error && g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        return;  // the client is gone or gave up on this attempt: `self` must not be touched
    }
    auto *client = static_cast<SignalingClient *>(self);
    client->pending_.reset();
    if (!socket) {
        QString reason = QString::fromUtf8(error->message);
        if (!client->refusedCertificate_.pem.isEmpty()) {
            client->refuseCertificate();
            return;
        }
        if (error->domain == G_TLS_ERROR) {
            reason = tr("The server's certificate is not trusted (%1).").arg(reason);
        }
        client->connectFailed(tr("Cannot reach the server at %1: %2").arg(client->url_.toString(), reason));
        return;
    }
    client->connected(socket.get());
}

void SignalingClient::connected(SoupWebsocketConnection *socket) {
    socket_ = retained(socket);
    // Small frames that matter now (ICE candidates): no Nagle delay.
    GIOStream *stream = soup_websocket_connection_get_io_stream(socket);
    if (G_IS_SOCKET_CONNECTION(stream)) {
        g_socket_set_option(g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream)), IPPROTO_TCP, TCP_NODELAY, 1,
                            nullptr);
    }
    soup_websocket_connection_set_max_incoming_payload_size(socket, kIncomingLimits.maxBytes);
    soup_websocket_connection_set_keepalive_interval(socket, static_cast<guint>(keepaliveSeconds_));
    g_signal_connect(socket, "message", G_CALLBACK(onMessage), this);
    g_signal_connect(socket, "closed", G_CALLBACK(onClosed), this);
    g_signal_connect(socket, "pong", G_CALLBACK(onPong), this);
    lastHeard_.start();
    aliveTimer_.start(std::max(1, keepaliveSeconds_) * 1000 / 2);
    qCInfo(lcSignaling).noquote() << "connected to" << url_.toString() << "signing in as" << name_;
    setState(State::LoggingIn);
    soup_websocket_connection_send_text(socket, MessageCodec::encode(LoginRequest{name_, password_, token_}).constData());
}

void SignalingClient::refuseCertificate() {
    const ServerCertificate certificate = std::exchange(refusedCertificate_, {});
    const bool replacesTrusted = !trustedCertificatePem_.isEmpty() || !trustedFingerprints_.isEmpty();
    const QString reason =
        replacesTrusted
            ? tr("The server at %1 presented a different certificate from the one you trusted (SHA-256 %2). "
                 "Someone may be impersonating it; Confab did not connect.")
                  .arg(url_.toString(), certificate.sha256Fingerprint)
            : tr("The server at %1 presented a certificate this computer does not trust (SHA-256 %2); "
                 "Confab did not connect.")
                  .arg(url_.toString(), certificate.sha256Fingerprint);
    qCWarning(lcSignaling).noquote() << reason;
    // Retrying would meet the same certificate: stop until someone decides about it.
    stop();
    setState(State::Disconnected, reason);
    Q_EMIT untrustedCertificate(certificate, replacesTrusted);
}

void SignalingClient::connectFailed(const QString &reason) {
    qCWarning(lcSignaling).noquote() << reason;
    const auto delay = backoff_.next();
    setState(State::Reconnecting, reason);
    retryTimer_.start(delay);
}

void SignalingClient::lost(const QString &reason) {
    dropSocket();
    aliveTimer_.stop();
    online_.clear();
    Q_EMIT usersChanged({});
    connectFailed(reason);
}

void SignalingClient::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self) {
    auto *client = static_cast<SignalingClient *>(self);
    client->lastHeard_.restart();
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        qCWarning(lcSignaling) << "ignoring a binary frame from the server";
        return;
    }
    gsize size = 0;
    const auto *data = static_cast<const char *>(g_bytes_get_data(message, &size));
    client->receive(QByteArrayView(data, static_cast<qsizetype>(size)));
}

void SignalingClient::onPong(SoupWebsocketConnection *, GBytes *, gpointer self) {
    static_cast<SignalingClient *>(self)->lastHeard_.restart();
}

void SignalingClient::onClosed(SoupWebsocketConnection *socket, gpointer self) {
    auto *client = static_cast<SignalingClient *>(self);
    const gushort code = soup_websocket_connection_get_close_code(socket);
    const QString detail = QString::fromUtf8(soup_websocket_connection_get_close_data(socket));
    qCInfo(lcSignaling) << "connection closed, code" << code << detail;
    // Deferred: the socket is still emitting `closed`, so it must not be released inside it.
    QMetaObject::invokeMethod(
        client,
        [client, socket] {
            if (client->socket_.get() == socket) {  // not already dropped or replaced by us
                client->lost(tr("The connection to the server was lost."));
            }
        },
        Qt::QueuedConnection);
    g_signal_handlers_disconnect_by_data(socket, self);
}

void SignalingClient::networkChanged() {
    if (!socket_) {
        if (state_ == State::Reconnecting) {
            retryTimer_.start(0);  // the new network may reach the server now
        }
        return;
    }
    // Only a connection whose own address is gone is dead for sure; closing a live one would make
    // the server tell our call partner "disconnected" for nothing.
    const GObjectPtr<GInetAddress> local = localAddressOf(soup_websocket_connection_get_io_stream(socket_.get()));
    if (!local) {
        qCInfo(lcSignaling) << "the network changed; the connection's own address is not known";
    } else if (!isStillLocal(local.get())) {
        GCharPtr text(g_inet_address_to_string(local.get()));
        qCInfo(lcSignaling).noquote() << "our address" << text.get() << "is gone: connecting to the server again";
        backoff_.reset();
        lost(tr("This computer's network changed."));
        retryTimer_.start(0);  // from the new network at once, not after the backoff's first step
    }
}

void SignalingClient::checkAlive() {
    if (socket_ && lastHeard_.elapsed() > qint64(deadAfterSeconds_) * 1000) {
        qCWarning(lcSignaling) << "no answer from the server for" << deadAfterSeconds_ << "s";
        lost(tr("The server stopped answering."));
    }
}

void SignalingClient::receive(QByteArrayView text) {
    Decoded decoded = MessageCodec::decode(text, kIncomingLimits);
    if (!decoded.message) {
        if (decoded.error.code == ErrorCode::UnknownType) {
            qCDebug(lcSignaling).noquote() << "ignoring message of unknown type" << decoded.type;
            return;  // extensions are additive: unknown types are not errors for a client
        }
        qCWarning(lcSignaling).noquote() << "unreadable message from the server:" << decoded.error.message;
        Q_EMIT serverError(ErrorMessage{decoded.error.code, decoded.error.message, decoded.type, {}});
        return;
    }
    handle(*decoded.message);
}

void SignalingClient::handle(const Message &message) {
    if (const auto *reply = std::get_if<LoginReply>(&message)) {
        if (reply->success) {
            everLoggedIn_ = true;
            backoff_.reset();
            iceServers_ = reply->iceServers;
            setState(State::LoggedIn);
            Q_EMIT loggedIn(name_);
            return;
        }
        const ErrorCode code = reply->code.value_or(ErrorCode::NameInvalid);
        const QString reason = reply->message.isEmpty() ? tr("The server refused the name %1.").arg(name_) : reply->message;
        if ((everLoggedIn_ && code == ErrorCode::NameTaken) || code == ErrorCode::Unavailable) {
            // After a drop the server may still hold our old connection until it notices; a
            // cluster node that cannot reach Redis signs nobody in until it can: retry both.
            lost(reason);
            return;
        }
        qCWarning(lcSignaling).noquote() << "login refused:" << reason;
        stop();  // the state changes once, with the reason
        setState(State::Disconnected, reason);
        Q_EMIT loginRefused(code, reason);
    } else if (const auto *users = std::get_if<UsersMessage>(&message)) {
        online_ = QSet<QString>(users->users.cbegin(), users->users.cend());
        Q_EMIT usersChanged(onlineUsers());
    } else if (const auto *presence = std::get_if<PresenceMessage>(&message)) {
        for (const QString &name : presence->online) {
            online_.insert(name);
        }
        for (const QString &name : presence->offline) {
            online_.remove(name);
        }
        Q_EMIT usersChanged(onlineUsers());
    } else if (const auto *offer = std::get_if<OfferMessage>(&message)) {
        Q_EMIT offerReceived(*offer);
    } else if (const auto *answer = std::get_if<AnswerMessage>(&message)) {
        Q_EMIT answerReceived(*answer);
    } else if (const auto *candidate = std::get_if<CandidateMessage>(&message)) {
        Q_EMIT candidateReceived(*candidate);
    } else if (const auto *leave = std::get_if<LeaveMessage>(&message)) {
        Q_EMIT leaveReceived(*leave);
    } else if (const auto *ringing = std::get_if<RingingMessage>(&message)) {
        Q_EMIT ringingReceived(*ringing);
    } else if (const auto *error = std::get_if<ErrorMessage>(&message)) {
        qCInfo(lcSignaling).noquote() << "server error:" << wireName(error->code) << error->message;
        Q_EMIT serverError(*error);
    }
}

bool SignalingClient::send(const Message &message) {
    Q_ASSERT(QThread::currentThread() == thread());
    if (state_ != State::LoggedIn || !socket_) {
        qCWarning(lcSignaling).noquote() << "not signed in; dropped" << wireName(typeOf(message));
        return false;
    }
    soup_websocket_connection_send_text(socket_.get(), MessageCodec::encode(message).constData());
    return true;
}

void SignalingClient::dropSocket() {
    if (!socket_) {
        return;
    }
    g_signal_handlers_disconnect_by_data(socket_.get(), this);
    if (soup_websocket_connection_get_state(socket_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_close(socket_.get(), SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
    }
    socket_.reset();
}

void SignalingClient::setState(State state, const QString &reason) {
    if (state == state_ && reason.isEmpty()) {
        return;
    }
    const bool wasSignedIn = isSignedIn();
    state_ = state;
    Q_EMIT stateChanged(state, reason);
    if (isSignedIn() != wasSignedIn) {
        Q_EMIT signedInChanged(isSignedIn());
    }
}

}  // namespace confab
