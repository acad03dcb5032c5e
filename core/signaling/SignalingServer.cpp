// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/SignalingServer.h"

#include "protocol/FrameScanner.h"
#include "protocol/MessageCodec.h"
#include "protocol/NameRules.h"
#include "signaling/PeerAddress.h"
#include "signaling/PresenceBatcher.h"
#include "signaling/ServerConnection.h"
#include "signaling/TurnCredentials.h"
#include "signaling/cluster/ClusterNode.h"
#include "util/Logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QPointer>
#include <QTimer>

#include <sodium.h>

#include <utility>

#include <malloc.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

namespace confab {

using namespace protocol;

namespace {

// Frames up to this many times the protocol limit are read and refused with an error, keeping the
// connection; larger ones make libsoup close it, so a client cannot make us buffer without bound.
constexpr qsizetype kFrameReadFactor = 4;

// Password checks running at once, each on a thread of its own (each takes 64 MiB and tens of
// ms); the others wait in the PasswordCheckQueue.
constexpr int kPasswordCheckers = 2;

qint64 monotonicMs() {
    return g_get_monotonic_time() / 1000;
}

// Wrong passwords or tokens on one connection before it is closed.
constexpr int kMaxAuthFailures = 5;

// Pending connections the kernel may queue for us (it caps this at net.core.somaxconn).
constexpr int kListenBacklog = 4096;

}  // namespace

SignalingServer::SignalingServer(SignalingServerOptions options, QObject *parent)
    : QObject(parent),
      options_(std::move(options)),
      limits_{options_.maxMessageBytes, options_.maxJsonDepth},
      shards_(options_.connectionsPerShard, [this](int fd) { pendingWatch_.bytesRead(fd); }),
      pendingWatch_([](void *connection) { static_cast<ServerConnection *>(connection)->checkPending(); }),
      presence_(new PresenceBatcher(
          options_.presenceBatchMilliseconds, [this] { return online_.size(); }, this)),
      // Once closes calm down: idle main-loop shards closed, then freed memory handed back.
      heapTrimmer_(std::chrono::milliseconds(500), std::chrono::seconds(5), [this] {
          shards_.closeIdleShards();
          malloc_trim(0);
      }) {
    connect(presence_, &PresenceBatcher::changed, this, &SignalingServer::broadcastPresence);
    silenceSweep_.setInterval(std::max(1, options_.keepaliveIntervalSeconds) * 1000 / 3);
    verifiers_.setMaxThreadCount(kPasswordCheckers);
    connect(&silenceSweep_, &QTimer::timeout, this, &SignalingServer::dropSilentConnections);
}

SignalingServer::~SignalingServer() {
    if (cluster_) {
        // Our names are freed and the other nodes told now, not when the names expire.
        cluster_->leave();
    }
    // Checks under way finish first; their answers are then dropped with this object.
    verifiers_.waitForDone();
    if (server_) {
        soup_server_disconnect(server_.get());
    }
    // Destroyed now, not later: each connection's handlers point at this server, and a frame or a
    // close that arrived before a deferred delete ran would call into a destroyed server.
    for (auto &[connection, owner] : connections_) {
        delete owner.release();
    }
    connections_.clear();
}

bool SignalingServer::start(QString *error) {
    if (!options_.usersFile.isEmpty()) {
        if (!users_.load(options_.usersFile, error)) {
            return false;
        }
        unknownUserHash_ = PasswordFile::hash(QByteArrayLiteral("no such user"), error);
        if (unknownUserHash_.isEmpty()) {
            return false;
        }
        qCInfo(lcServer).noquote() << "passwords required; users file" << options_.usersFile;
    }
    if (!options_.turnSecret.isEmpty() && options_.turnUrls.isEmpty()) {
        *error = tr("A TURN secret needs the TURN server's address too (--turn-url turn:host:port).");
        return false;
    }
    if (!options_.redisUrl.isEmpty()) {
        ClusterOptions cluster;
        const std::optional<RedisUrl> redis = RedisUrl::parse(options_.redisUrl, error);
        if (!redis) {
            return false;
        }
        cluster.redis = *redis;
        cluster.presenceTtlMs = std::max(1, options_.redisPresenceTtlSeconds) * 1000;
        cluster.presenceBatchMs = options_.presenceBatchMilliseconds;
        cluster_ = new ClusterNode(cluster, this);
        connect(cluster_, &ClusterNode::delivered, this, &SignalingServer::deliverFromCluster);
        connect(cluster_, &ClusterNode::undeliverable, this, &SignalingServer::clusterUndeliverable);
        connect(cluster_, &ClusterNode::presenceChanged, this, &SignalingServer::clusterPresence);
        connect(cluster_, &ClusterNode::nameLost, this, &SignalingServer::clusterNameLost);
    }
    if (!options_.token.isEmpty()) {
        if (sodium_init() < 0) {
            *error = tr("Cannot initialise libsodium.");
            return false;
        }
        qCInfo(lcServer) << "a server token is required";
    }
    GErrorPtr gerror;
    GObjectPtr<GTlsCertificate> certificate;
    const bool tls = !options_.tlsCertificateFile.isEmpty() || !options_.tlsKeyFile.isEmpty();
    if (tls) {
        if (options_.tlsCertificateFile.isEmpty() || options_.tlsKeyFile.isEmpty()) {
            *error = tr("Both a TLS certificate and a TLS key are needed for wss://.");
            return false;
        }
        certificate.reset(g_tls_certificate_new_from_files(QFile::encodeName(options_.tlsCertificateFile).constData(),
                                                           QFile::encodeName(options_.tlsKeyFile).constData(),
                                                           out(gerror)));
        if (!certificate) {
            *error = tr("Cannot load the TLS certificate: %1").arg(QString::fromUtf8(gerror->message));
            return false;
        }
    }
    server_.reset(soup_server_new("server-header", "confab-server", "tls-certificate", certificate.get(), nullptr));
    // A NULL path accepts WebSocket upgrades on any path, as browser pages use various ones.
    soup_server_add_websocket_handler(server_.get(), nullptr, nullptr, nullptr, &SignalingServer::onWebsocket, this,
                                      nullptr);

    GObjectPtr<GInetAddress> address(g_inet_address_new_from_string(options_.host.toUtf8().constData()));
    if (!address) {
        *error = tr("\"%1\" is not an IP address to listen on.").arg(options_.host);
        return false;
    }
    GObjectPtr<GSocketAddress> socketAddress(g_inet_socket_address_new(address.get(), options_.port));
    // Our own listening socket, because soup_server_listen() keeps GSocket's default backlog of 10:
    // a burst of connections (every client reconnecting after a restart) overflows it, and the
    // kernel drops SYNs that clients then retry only after seconds.
    GObjectPtr<GSocket> listener(g_socket_new(g_inet_address_get_family(address.get()), G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, out(gerror)));
    if (listener) {
        g_socket_set_listen_backlog(listener.get(), kListenBacklog);
    }
    if (!listener || !g_socket_bind(listener.get(), socketAddress.get(), TRUE, out(gerror)) ||
        !g_socket_listen(listener.get(), out(gerror))) {
        *error = tr("Cannot listen on %1 port %2: %3")
                     .arg(options_.host)
                     .arg(options_.port)
                     .arg(QString::fromUtf8(gerror->message));
        return false;
    }
    // Not soup_server_listen_socket(): see ServerAcceptor for why we accept connections ourselves.
    ServerAcceptor::Policy policy;
    policy.limits.maxPerAddress = options_.maxConnectionsPerIp;
    policy.limits.maxHandshakes = options_.maxHandshakes;
    policy.limits.handshakeTimeout = options_.handshakeTimeout;
    policy.limitLoopback = options_.limitLoopbackConnections;
    acceptor_ = std::make_unique<ServerAcceptor>(server_.get(), listener.get(), certificate.get(), &shards_,
                                                 policy, [this] { heapTrimmer_.released(); });
    GObjectPtr<GSocketAddress> bound(g_socket_get_local_address(listener.get(), nullptr));
    const int port = G_IS_INET_SOCKET_ADDRESS(bound.get())
                         ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound.get()))
                         : options_.port;

    url_.setScheme(tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url_.setHost(options_.host);
    url_.setPort(port);
    url_.setPath(QStringLiteral("/"));
    silenceSweep_.start();
    if (!shards_.isSharding() && options_.maxPendingBytes > 0) {
        // Without shards nothing reports each read: the fragment-flood watch looks at every
        // connection a few times a second instead.
        pendingSweep_.setInterval(200);
        connect(&pendingSweep_, &QTimer::timeout, this, [this] { pendingWatch_.checkAll(); });
        pendingSweep_.start();
    }
    qCInfo(lcServer).noquote() << "listening on" << url_.toString();
    qCInfo(lcServer).noquote() << "handshake timeout"
                               << std::chrono::duration<double>(options_.handshakeTimeout).count()
                               << "s; at most" << options_.maxHandshakes << "connections in their handshake,"
                               << options_.maxConnectionsPerIp << "connections an address,"
                               << options_.maxQueuedBytes << "bytes queued for a client (0: no limit)";
    if (cluster_) {
        cluster_->start();
    }
    return true;
}

void SignalingServer::onWebsocket(SoupServer *, SoupServerMessage *message, const char *,
                                  SoupWebsocketConnection *socket, gpointer self) {
    auto *server = static_cast<SignalingServer *>(self);
    const PeerAddress peer = PeerAddress::of(soup_server_message_get_remote_address(message));
    // Our acceptor made the connection (TCP_NODELAY set); libsoup does not know its socket.
    GSocket *tcp = ServerAcceptor::socketOf(soup_websocket_connection_get_io_stream(socket));
    if (tcp) {
        server->acceptor_->handshakeDone(tcp);
    } else {
        qCWarning(lcServer).noquote()
            << "no TCP socket under the connection from" << peer.text
            << "- its fragment-flood watch is off, and the handshake timeout will close it";
    }
    server->accept(socket, tcp, peer);
}

void SignalingServer::accept(SoupWebsocketConnection *socket, GSocket *tcp, const PeerAddress &peer) {
    ServerConnection::Handlers handlers;
    handlers.text = [this](ServerConnection *from, QByteArrayView text) { receive(from, text); };
    handlers.binary = [this](ServerConnection *from) {
        if (admit(from)) {
            sendError(from, ErrorCode::BadMessage, tr("Messages must be JSON text frames, not binary."));
        }
    };
    handlers.closed = [this](ServerConnection *connection) { disconnected(connection); };
    ServerConnection::Limits limits;
    limits.frameLimit = limits_.maxBytes * kFrameReadFactor;
    limits.keepaliveSeconds = options_.keepaliveIntervalSeconds;
    limits.messagesPerSecond = options_.messagesPerSecond;
    limits.messageBurst = options_.messageBurst;
    // Never below what a refused-but-read frame may take (kFrameReadFactor × the limit), twice.
    limits.pendingLimit =
        options_.maxPendingBytes > 0 ? std::max(options_.maxPendingBytes, 2 * limits.frameLimit) : 0;
    limits.maxQueuedBytes = options_.maxQueuedBytes;
    // Password checks are shared out by address (PasswordCheckQueue); uncounted loopback
    // connections (a local proxy's clients, local tools) each count as an address of their own.
    const QString checksKey = (peer.loopback && !options_.limitLoopbackConnections)
                                  ? QStringLiteral("connection %1").arg(++connectionSerial_)
                                  : peer.key;
    auto *connection =
        new ServerConnection(socket, tcp, &pendingWatch_, peer.text, checksKey, limits, std::move(handlers));
    connections_.emplace(connection, ConnectionOwner(connection));
    qCDebug(lcServer).noquote() << "connection from" << peer.text;
    if (options_.loginTimeoutSeconds > 0) {
        // SoupServer has no timeouts of its own: a connection that never signs in would be held
        // for ever (and, with libsoup 3.2, could be fed fragments meanwhile).
        QTimer::singleShot(options_.loginTimeoutSeconds * 1000, connection, [this, connection] {
            if (connections_.count(connection) && !connection->isLoggedIn()) {
                qCInfo(lcServer).noquote() << "closing" << connection->peerAddress() << "not signed in after"
                                           << options_.loginTimeoutSeconds << "s";
                sendError(connection, ErrorCode::LoginTimeout,
                          tr("Sign in within %1 seconds of connecting.").arg(options_.loginTimeoutSeconds));
                connection->abandon(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, tr("Not signed in in time."));
            }
        });
    }
}

bool SignalingServer::admit(ServerConnection *from) {
    switch (from->admitMessage()) {
        case ServerConnection::Admission::Accept:
            return true;
        case ServerConnection::Admission::RefuseWithError:
            qCInfo(lcServer).noquote() << "rate limit reached by" << from->name() << from->peerAddress();
            sendError(from, ErrorCode::RateLimited,
                      tr("Too many messages; slow down (at most %1 a second, %2 at once).")
                          .arg(options_.messagesPerSecond)
                          .arg(options_.messageBurst));
            return false;
        case ServerConnection::Admission::RefuseQuietly:
            return false;
        case ServerConnection::Admission::Disconnect:
            qCWarning(lcServer).noquote() << "dropping" << from->name() << from->peerAddress()
                                          << "for flooding past the rate limit";
            // Closed, not abandoned: the client hears why; libsoup frees it when it answers, or
            // in 5 s. Nothing it sends meanwhile is read.
            from->close(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, tr("Too many messages."));
            return false;
    }
    return false;
}

void SignalingServer::receive(ServerConnection *from, QByteArrayView text) {
    // First, before any parsing: a flood costs us as little as possible.
    if (!admit(from)) {
        return;
    }
    ProtocolError error;
    std::optional<FrameScanner> frame = FrameScanner::scan(text, limits_, &error);
    if (!frame) {
        qCInfo(lcServer).noquote() << "refused from" << from->peerAddress() << wireName(error.code);
        sendError(from, error.code, error.message);
        return;
    }
    if (frame->hasDuplicateKeys()) {
        // The server and the receiving client must not read different `name`s or `type`s.
        sendError(from, ErrorCode::BadMessage, tr("The message names a member twice."));
        return;
    }
    const std::optional<QString> typeName = frame->string("type");
    if (!typeName) {
        sendError(from, ErrorCode::BadMessage, tr("The message has no \"type\"."));
        return;
    }
    const std::optional<MessageType> type = messageTypeFromWire(*typeName);
    if (type == MessageType::Login && from->isLoggedIn()) {
        // Whatever the second login says, the first name stays and nothing else is answered.
        sendError(from, ErrorCode::AlreadyLoggedIn, tr("You are already signed in as %1.").arg(from->name()),
                  *typeName);
    } else if (type == MessageType::Login && refusedBeforeParsing(from)) {
        return;
    } else if (type == MessageType::Login) {
        // Rare, so the full codec: it says precisely what is wrong with a login.
        const Decoded decoded = MessageCodec::decode(text, limits_);
        if (const auto *request = decoded.message ? std::get_if<LoginRequest>(&*decoded.message) : nullptr) {
            login(from, *request);
        } else if (!decoded.message) {
            qCInfo(lcServer).noquote() << "login refused from" << from->peerAddress() << wireName(decoded.error.code);
            send(from, LoginReply{false, {}, decoded.error.message, decoded.error.code, {}});
        } else {
            sendError(from, ErrorCode::UnknownType, tr("The server does not accept login replies."), *typeName);
        }
    } else if (type && isRelayed(*type)) {
        relay(from, *type, text, *frame);
    } else {
        sendError(from, ErrorCode::UnknownType, tr("The server does not accept \"%1\" messages.").arg(*typeName),
                  *typeName);
    }
}

void SignalingServer::refuseLogin(ServerConnection *from, ErrorCode code, const QString &message) {
    qCInfo(lcServer).noquote() << "login refused from" << from->peerAddress() << wireName(code);
    send(from, LoginReply{false, {}, message, code, {}});
    if (code == ErrorCode::AuthFailed && ++from->authFailures() >= kMaxAuthFailures) {
        qCWarning(lcServer).noquote() << "closing" << from->peerAddress() << "after" << kMaxAuthFailures
                                      << "failed sign-ins";
        from->close(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, tr("Too many failed sign-ins."));
    }
}

bool SignalingServer::tokenMatches(const QString &token) const {
    // Compared as hashes, so the time taken says nothing about the token's length or prefix.
    const QByteArray given = token.toUtf8();
    unsigned char a[crypto_generichash_BYTES];
    unsigned char b[crypto_generichash_BYTES];
    crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char *>(given.constData()),
                       static_cast<unsigned long long>(given.size()), nullptr, 0);
    crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char *>(options_.token.constData()),
                       static_cast<unsigned long long>(options_.token.size()), nullptr, 0);
    return sodium_memcmp(a, b, sizeof a) == 0;
}

void SignalingServer::login(ServerConnection *from, const LoginRequest &request) {
    Q_ASSERT(!from->isLoggedIn());  // receive() refuses a second login
    if (from->isVerifying()) {
        sendError(from, ErrorCode::BadMessage, tr("Your previous sign-in is still being checked."),
                  wireName(MessageType::Login));
        return;
    }
    if (const std::optional<ProtocolError> invalid = checkName(request.name)) {
        refuseLogin(from, invalid->code, invalid->message);
        return;
    }
    // Credentials are checked before the name is looked up, so that without them nobody learns
    // who is online from a name-taken answer.
    if (!options_.token.isEmpty()) {
        if (request.token.isEmpty()) {
            refuseLogin(from, ErrorCode::AuthRequired, tr("This server needs its access token to sign in."));
            return;
        }
        if (!tokenMatches(request.token)) {
            refuseLogin(from, ErrorCode::AuthFailed, tr("The access token is wrong."));
            return;
        }
    }
    if (options_.usersFile.isEmpty()) {
        if (online_.contains(request.name)) {
            claimTakenName(from, request.name);
            return;
        }
        claimName(from, request.name);
        return;
    }
    if (request.password.isEmpty()) {
        refuseLogin(from, ErrorCode::AuthRequired, tr("This server needs a password to sign in as %1.").arg(request.name));
        return;
    }
    // Unknown names are checked against a dummy hash: the answer takes as long as for a real one.
    QByteArray hash = users_.hashFor(request.name);
    const bool known = !hash.isEmpty();
    if (!known) {
        hash = unknownUserHash_;
    }
    const quint64 id = ++lastCheckId_;
    const PasswordCheckQueue::Admission admission =
        passwordChecks_.enqueue(id, from->addressKey(), monotonicMs());
    if (admission.verdict != PasswordCheckQueue::Verdict::Queued) {
        refuseCheck(from, admission);
        return;
    }
    if (admission.evicted != 0) {
        const PendingCheck evicted = pendingChecks_.take(admission.evicted);
        if (evicted.connection && connections_.count(evicted.connection.data())) {
            evicted.connection->setVerifying(false);
            refuseCheck(evicted.connection, {PasswordCheckQueue::Verdict::QueueFull, 0, 0});
        }
    }
    from->setVerifying(true);
    pendingChecks_.insert(
        id, PendingCheck{from, from->addressKey(), request.name, request.password.toUtf8(), hash, known});
    startPasswordChecks();
}

bool SignalingServer::refusedBeforeParsing(ServerConnection *from) {
    if (options_.usersFile.isEmpty()) {
        return false;
    }
    if (from->isVerifying()) {
        sendError(from, ErrorCode::BadMessage, tr("Your previous sign-in is still being checked."),
                  wireName(MessageType::Login));
        return true;
    }
    const PasswordCheckQueue::Admission admission = passwordChecks_.peek(from->addressKey(), monotonicMs());
    if (admission.verdict == PasswordCheckQueue::Verdict::Queued) {
        return false;
    }
    refuseCheck(from, admission);
    return true;
}

void SignalingServer::refuseCheck(ServerConnection *from, const PasswordCheckQueue::Admission &admission) {
    QString message;
    switch (admission.verdict) {
        case PasswordCheckQueue::Verdict::Queued:
            return;
        case PasswordCheckQueue::Verdict::AddressBusy:
            message = tr("A sign-in from your address is being checked; try again in a moment.");
            break;
        case PasswordCheckQueue::Verdict::AddressWaiting:
            message = tr("Too many wrong passwords from your address; try again in %n second(s).", nullptr,
                         int((admission.waitMs + 999) / 1000));
            break;
        case PasswordCheckQueue::Verdict::QueueFull:
            message = tr("The server is busy checking other sign-ins; try again shortly.");
            break;
    }
    sendError(from, ErrorCode::RateLimited, message, wireName(MessageType::Login));
}

void SignalingServer::startPasswordChecks() {
    while (checking_ < kPasswordCheckers) {
        // The last free checker is kept for addresses that have not failed.
        const quint64 id = passwordChecks_.takeNext(checking_ == kPasswordCheckers - 1);
        if (id == 0) {
            return;
        }
        const PendingCheck check = pendingChecks_.take(id);
        if (!check.connection || !connections_.count(check.connection.data())) {
            // Closed while queued: nothing to check, and nothing counted against its address.
            passwordChecks_.finished(check.address, true, monotonicMs());
            continue;
        }
        ++checking_;
        verifiers_.start([this, check] {
            const bool ok = PasswordFile::verify(check.hash, check.password) && check.known;
            QMetaObject::invokeMethod(this, [this, check, ok] {
                --checking_;
                // Counted whether or not the client is still there to hear the answer.
                passwordChecks_.finished(check.address, ok, monotonicMs());
                ServerConnection *connection = check.connection.data();
                if (connection && connections_.count(connection)) {
                    connection->setVerifying(false);
                    if (!ok) {
                        refuseLogin(connection, ErrorCode::AuthFailed, tr("The name or password is wrong."));
                    } else if (online_.contains(check.name)) {
                        claimTakenName(connection, check.name);
                    } else {
                        claimName(connection, check.name);
                    }
                }
                startPasswordChecks();
            });
        });
    }
}

void SignalingServer::claimName(ServerConnection *from, const QString &name) {
    if (!cluster_) {
        finishLogin(from, name);
        return;
    }
    // Another login on this connection waits, as during a password check.
    from->setVerifying(true);
    QPointer<ServerConnection> connection(from);
    cluster_->claim(name, [this, connection, name](ClusterNode::Claim claim) {
        if (!connection || !connections_.count(connection.data())) {
            if (claim == ClusterNode::Claim::Claimed) {
                cluster_->release(name);  // it closed meanwhile
            }
            return;
        }
        connection->setVerifying(false);
        switch (claim) {
            case ClusterNode::Claim::Claimed:
                finishLogin(connection, name);
                break;
            case ClusterNode::Claim::Taken:
                refuseLogin(connection, ErrorCode::NameTaken, tr("The name %1 is already taken.").arg(name));
                break;
            case ClusterNode::Claim::Unavailable:
                refuseLogin(
                    connection, ErrorCode::Unavailable,
                    tr("The server cannot reach the rest of its cluster just now; try again shortly."));
                break;
        }
    });
}

// A client whose network changed (a new address: Wi-Fi to cable, a new DHCP lease) signs in again
// from a new connection while the server still holds its old one, which only the keep-alive
// would drop, 45 s later. Its old connection's computer no longer acknowledges anything (its
// address is gone): the server sends it an empty `presence` (harmless to every client) and, if
// that is still unacknowledged after kTakeOverProbeMs, the new connection takes the name over
// with the old one's call pairings, and nobody is told `leave` "disconnected" (docs/protocol.md,
// "Reconnection"). A live holder acknowledges within a round trip, and the name stays taken.
// Cluster nodes keep refusing: the name's claim in Redis belongs to the old connection.
void SignalingServer::claimTakenName(ServerConnection *from, const QString &name) {
    ServerConnection *holder = online_.value(name);
    if (cluster_ || !holder || from->isVerifying()) {
        refuseLogin(from, ErrorCode::NameTaken, tr("The name %1 is already taken.").arg(name));
        return;
    }
    // A live holder's computer acknowledges within a round trip: up to 600 ms (a poor mobile
    // link) keeps its name; and a client whose network changed is back within about a second.
    constexpr int kTakeOverProbeMs = 600;
    holder->send(MessageCodec::encode(PresenceMessage{}));
    from->setVerifying(true);  // another login on this connection waits, as during a password check
    QTimer::singleShot(kTakeOverProbeMs, this, [this, connection = QPointer<ServerConnection>(from),
                                                old = QPointer<ServerConnection>(holder), name] {
        if (!connection || !connections_.count(connection.data())) {
            return;
        }
        connection->setVerifying(false);
        if (connection->isLoggedIn()) {
            return;
        }
        if (old && online_.value(name) == old.data() && !old->isUnacknowledgedFor(kTakeOverProbeMs / 2)) {
            refuseLogin(connection, ErrorCode::NameTaken, tr("The name %1 is already taken.").arg(name));
            return;
        }
        if (old && online_.value(name) == old.data()) {
            qCInfo(lcServer).noquote() << name << "signs in again from" << connection->peerAddress()
                                       << "; its connection from" << old->peerAddress() << "is dead";
            connection->callPartners() = std::exchange(old->callPartners(), {});
            online_.remove(name);
            old->setName({});  // no logout, no leave: the user is still here
            old->abandon(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, tr("Signed in again from another connection."));
        } else if (online_.contains(name)) {
            refuseLogin(connection, ErrorCode::NameTaken, tr("The name %1 is already taken.").arg(name));
            return;
        }
        finishLogin(connection, name);
    });
}

void SignalingServer::finishLogin(ServerConnection *from, const QString &name) {
    from->setName(name);
    online_.insert(name, from);
    qCInfo(lcServer).noquote() << "login" << name << "from" << from->peerAddress();
    QList<IceServer> iceServers = options_.iceServers;
    if (!options_.turnSecret.isEmpty()) {
        const qint64 expiry = QDateTime::currentSecsSinceEpoch() + options_.turnTtlSeconds;
        iceServers.append(TurnCredentials::issue(options_.turnSecret, options_.turnUrls, name, expiry));
    }
    send(from, LoginReply{true, name, {}, std::nullopt, iceServers});
    // The full list follows with the next presence batch (within its window), encoded once for
    // everyone who signed in meanwhile: per-login lists cost O(N²) when thousands sign in at once.
    newcomers_.insert(name);
    presence_->userOnline(name);
}

void SignalingServer::relay(ServerConnection *from, MessageType type, QByteArrayView text, const FrameScanner &frame) {
    const QString typeName = wireName(type);
    if (!from->isLoggedIn()) {
        sendError(from, ErrorCode::NotLoggedIn, tr("Sign in before sending \"%1\".").arg(typeName), typeName);
        return;
    }
    const std::optional<QString> target = frame.string("name");
    if (!target) {
        sendError(from, ErrorCode::BadMessage, tr("In %1, \"name\" must be text.").arg(typeName), typeName);
        return;
    }
    if (type == MessageType::Offer || type == MessageType::Answer) {
        // A few per call: check the whole description, so a broken one never reaches a peer.
        const Decoded decoded = MessageCodec::decode(text, limits_);
        if (!decoded.message) {
            sendError(from, decoded.error.code, decoded.error.message, typeName);
            return;
        }
        const SessionDescription &description = type == MessageType::Offer
                                                    ? std::get<OfferMessage>(*decoded.message).offer
                                                    : std::get<AnswerMessage>(*decoded.message).answer;
        if (options_.maxSdpBytes > 0 && description.sdp.toUtf8().size() > options_.maxSdpBytes) {
            sendError(from, ErrorCode::TooLarge,
                      tr("The session description is longer than %1 bytes.").arg(options_.maxSdpBytes), typeName);
            return;
        }
    } else if (type == MessageType::Candidate) {
        const FrameScanner::Member *candidate = frame.member("candidate");
        if (!candidate || (candidate->kind != FrameScanner::Kind::Object && candidate->kind != FrameScanner::Kind::Null)) {
            sendError(from, ErrorCode::BadMessage, tr("In candidate, \"candidate\" must be an object."), typeName);
            return;
        }
        if (candidate->kind == FrameScanner::Kind::Object && options_.maxCandidateBytes > 0 &&
            candidateTooLong(text.sliced(candidate->begin, candidate->end - candidate->begin))) {
            sendError(from, ErrorCode::TooLarge,
                      tr("The candidate is longer than %1 bytes.").arg(options_.maxCandidateBytes), typeName);
            return;
        }
    }
    ServerConnection *to = online_.value(*target);
    if (!to && cluster_ && !cluster_->nodeOf(*target).isEmpty()) {
        // On another node: the same pairing on this side, the frame over Redis.
        if (type == MessageType::Offer) {
            from->callPartners().insert(*target);
        } else if (type == MessageType::Leave) {
            from->callPartners().remove(*target);
        }
        if (!cluster_->route(*target, from->name(), typeName, frame.withString("name", from->name()))) {
            clusterUndeliverable(from->name(), *target, typeName);
        }
        return;
    }
    if (!to) {
        sendError(from, ErrorCode::UserOffline, tr("%1 is not online.").arg(*target), typeName, *target);
        return;
    }
    if (to == from) {
        sendError(from, ErrorCode::BadMessage, tr("You cannot send \"%1\" to yourself.").arg(typeName), typeName,
                  *target);
        return;
    }
    if (type == MessageType::Offer && !from->callPartners().contains(*target)) {
        from->callPartners().insert(*target);
        to->callPartners().insert(from->name());
        qCInfo(lcServer).noquote() << "call" << from->name() << "->" << *target;
    } else if (type == MessageType::Leave && from->callPartners().remove(*target)) {
        to->callPartners().remove(from->name());
        qCInfo(lcServer).noquote() << "call ended" << from->name() << "->" << *target;
    }
    // The original bytes with only the name's value replaced: every other field passes untouched.
    to->send(frame.withString("name", from->name()));
}

bool SignalingServer::candidateTooLong(QByteArrayView candidateObject) const {
    // The inner object was checked as JSON with the frame; scanning it again finds its members.
    if (candidateObject.size() <= options_.maxCandidateBytes) {
        return false;  // the string cannot be longer than the object holding it
    }
    ProtocolError ignored;
    const std::optional<FrameScanner> inner = FrameScanner::scan(candidateObject, limits_, &ignored);
    const std::optional<QString> candidate = inner ? inner->string("candidate") : std::nullopt;
    return candidate && candidate->toUtf8().size() > options_.maxCandidateBytes;
}

void SignalingServer::disconnected(ServerConnection *connection) {
    if (connection->isVerifying()) {
        // A check still queued for it frees its address's turn (one running finishes, and counts).
        for (auto it = pendingChecks_.begin(); it != pendingChecks_.end();) {
            if (it->connection == connection && passwordChecks_.cancel(it.key())) {
                it = pendingChecks_.erase(it);
            } else {
                ++it;
            }
        }
    }
    if (connection->isLoggedIn()) {
        const QString name = connection->name();
        qCInfo(lcServer).noquote() << "logout" << name;
        online_.remove(name);
        newcomers_.remove(name);
        for (const QString &partner : std::as_const(connection->callPartners())) {
            if (ServerConnection *other = online_.value(partner)) {
                other->callPartners().remove(name);
                send(other, LeaveMessage{name, QString::fromLatin1(leave_reason::kDisconnected)});
            } else if (cluster_) {
                cluster_->route(partner, name, wireName(MessageType::Leave),
                                MessageCodec::encode(
                                    LeaveMessage{name, QString::fromLatin1(leave_reason::kDisconnected)}));
            }
        }
        if (cluster_) {
            cluster_->release(name);
        }
        presence_->userOffline(name);
    }
    connections_.erase(connection);
    heapTrimmer_.released();
}

void SignalingServer::broadcastPresence(const PresenceMessage &change) {
    QByteArray users;
    if (!newcomers_.isEmpty()) {
        QStringList names = online_.keys();
        if (cluster_) {
            // Everyone signed in anywhere in the cluster; a user moving between nodes once.
            for (const QString &remote : cluster_->remoteNames()) {
                if (!online_.contains(remote)) {
                    names.append(remote);
                }
            }
        }
        names.sort();
        users = MessageCodec::encode(UsersMessage{names});
    }
    // Newcomers get the whole list, which already holds this window's changes; everyone else
    // gets just the changes.
    const QByteArray changes = MessageCodec::encode(change);
    for (auto it = online_.cbegin(); it != online_.cend(); ++it) {
        it.value()->send(newcomers_.contains(it.key()) ? users : changes);
    }
    newcomers_.clear();
}

void SignalingServer::deliverFromCluster(const QString &originNode, const QString &to, const QString &from,
                                         const QString &type, const QByteArray &frame) {
    ServerConnection *connection = online_.value(to);
    if (!connection) {
        cluster_->bounce(originNode, to, from, type);  // signed out since the sender's node heard
        return;
    }
    if (type == wireName(MessageType::Offer)) {
        connection->callPartners().insert(from);
    } else if (type == wireName(MessageType::Leave)) {
        connection->callPartners().remove(from);
    }
    connection->send(frame);
}

void SignalingServer::clusterUndeliverable(const QString &from, const QString &to, const QString &type) {
    if (ServerConnection *connection = online_.value(from)) {
        connection->callPartners().remove(to);
        sendError(connection, ErrorCode::UserOffline, tr("%1 is not online.").arg(to), type, to);
    }
}

void SignalingServer::clusterPresence(const QStringList &online, const QStringList &offline) {
    // A name also signed in here is this node's business (a user who just moved here).
    for (const QString &name : online) {
        if (!online_.contains(name)) {
            presence_->userOnline(name);
        }
    }
    QSet<QString> gone;
    for (const QString &name : offline) {
        if (!online_.contains(name)) {
            presence_->userOffline(name);
            gone.insert(name);
        }
    }
    if (gone.isEmpty()) {
        return;
    }
    // Their node normally sends each partner a leave; one that died cannot, so partners still
    // paired with them hear it from here.
    for (ServerConnection *connection : std::as_const(online_)) {
        const QSet<QString> partners = connection->callPartners();
        for (const QString &partner : partners) {
            if (gone.contains(partner)) {
                connection->callPartners().remove(partner);
                send(connection, LeaveMessage{partner, QString::fromLatin1(leave_reason::kDisconnected)});
            }
        }
    }
}

void SignalingServer::clusterNameLost(const QString &name) {
    if (ServerConnection *connection = online_.value(name)) {
        sendError(
            connection, ErrorCode::NameTaken,
            tr("The name %1 was taken on another server of this cluster while they could not reach each "
               "other; sign in again.")
                .arg(name));
        connection->close(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, tr("Name taken elsewhere."));
    }
}

void SignalingServer::dropSilentConnections() {
    const qint64 limitMs = qint64(options_.silentTimeoutSeconds) * 1000;
    QList<ServerConnection *> silent;
    for (const auto &[connection, owner] : connections_) {
        if (connection->silentForMs() > limitMs) {
            silent.append(connection);
        }
    }
    // Dropped outside the loop: dropping ends in disconnected(), which edits connections_.
    for (ServerConnection *connection : std::as_const(silent)) {
        qCInfo(lcServer).noquote() << "dropping silent connection" << connection->name()
                                   << connection->peerAddress();
        connection->abandon(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, tr("No answer to keep-alive pings."));
    }
}

void SignalingServer::sendError(ServerConnection *to, ErrorCode code, const QString &message, const QString &about,
                                const QString &name) {
    send(to, ErrorMessage{code, message, about, name});
}

void SignalingServer::send(ServerConnection *to, const Message &message) {
    to->send(MessageCodec::encode(message));
}

}  // namespace confab
