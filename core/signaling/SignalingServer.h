// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/JsonLimits.h"
#include "protocol/Message.h"
#include "signaling/PasswordCheckQueue.h"
#include "signaling/PasswordFile.h"
#include "signaling/PendingBytesWatch.h"
#include "signaling/ServerAcceptor.h"
#include "signaling/SignalingServerOptions.h"
#include "util/ContextShardSet.h"
#include "util/GLibPtr.h"
#include "util/HeapTrimmer.h"

#include <libsoup/soup.h>

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <unordered_map>

namespace confab {

class ClusterNode;
struct PeerAddress;
class PresenceBatcher;
class ServerConnection;

namespace protocol {
class FrameScanner;
}

// The signaling server: accepts WebSocket clients on any path, signs them in by name, relays
// offer/answer/candidate/leave/ringing between them with `name` rewritten to the sender, tells
// everyone who is online, and tells a user's call partner when that user's connection drops.
// Runs on the thread's default GMainContext (a Qt main thread or a plain GMainLoop).
class SignalingServer : public QObject {
    Q_OBJECT
public:
    explicit SignalingServer(SignalingServerOptions options, QObject *parent = nullptr);
    ~SignalingServer() override;

    // Starts listening; on failure returns false and sets *error to a sentence for the user.
    bool start(QString *error);
    QUrl url() const { return url_; }
    quint16 port() const { return static_cast<quint16>(url_.port()); }

    int connectionCount() const { return static_cast<int>(connections_.size()); }
    int onlineCount() const { return static_cast<int>(online_.size()); }
    // TCP sockets accepted and not yet finalized (by anyone: us or libsoup): back to the number of
    // open connections once closed ones are done with, or the server leaks them.
    int liveSocketCount() const { return acceptor_ ? acceptor_->liveSockets() : 0; }
    // Accepted connections that have not completed their WebSocket upgrade yet.
    int handshakeCount() const { return acceptor_ ? acceptor_->handshakesInProgress() : 0; }
    // Connections the main-loop shards count as theirs (ContextShardSet::Load): the live sockets
    // again, or shards would fill with connections long gone.
    int shardedConnectionCount() const {
        int count = 0;
        for (const auto &held : shards_.load()->connections) {
            count += held.load();
        }
        return count;
    }

private:
    static void onWebsocket(SoupServer *, SoupServerMessage *message, const char *path,
                            SoupWebsocketConnection *socket, gpointer self);

    void accept(SoupWebsocketConnection *socket, GSocket *tcp, const PeerAddress &peer);
    // Applies the connection's message rate; false when the message is to be dropped.
    bool admit(ServerConnection *from);
    void receive(ServerConnection *from, QByteArrayView text);
    void login(ServerConnection *from, const protocol::LoginRequest &request);
    // Clustered: claims the name across the cluster first (asynchronously), then finishLogin().
    void claimName(ServerConnection *from, const QString &name);
    // `name` is online on another connection: `from` takes it over if that one is dead (its
    // computer acknowledges nothing), else is refused as taken.
    void claimTakenName(ServerConnection *from, const QString &name);
    void finishLogin(ServerConnection *from, const QString &name);
    void refuseLogin(ServerConnection *from, protocol::ErrorCode code, const QString &message);
    bool tokenMatches(const QString &token) const;
    void relay(ServerConnection *from, protocol::MessageType type, QByteArrayView text,
               const protocol::FrameScanner &frame);
    bool candidateTooLong(QByteArrayView candidateObject) const;
    void disconnected(ServerConnection *connection);
    void broadcastPresence(const protocol::PresenceMessage &change);
    void dropSilentConnections();
    // What the cluster (ClusterNode) hands this node: a frame for a local user, a frame of ours
    // that found nobody, users signing in and out elsewhere, a name another node now holds.
    void deliverFromCluster(const QString &originNode, const QString &to, const QString &from,
                            const QString &type, const QByteArray &frame);
    void clusterUndeliverable(const QString &from, const QString &to, const QString &type);
    void clusterPresence(const QStringList &online, const QStringList &offline);
    void clusterNameLost(const QString &name);

    void sendError(ServerConnection *to, protocol::ErrorCode code, const QString &message,
                   const QString &about = {}, const QString &name = {});
    void send(ServerConnection *to, const protocol::Message &message);

    SignalingServerOptions options_;
    protocol::JsonLimits limits_;
    // The connections' main-loop contexts: declared before everything that has sources in them.
    ContextShardSet shards_;
    GObjectPtr<SoupServer> server_;
    std::unique_ptr<ServerAcceptor> acceptor_;  // feeds server_; goes first
    QUrl url_;
    // Which connection a socket that was just read belongs to, for the fragment-flood check (the
    // shards report each read); outlives the connections.
    PendingBytesWatch pendingWatch_;
    // Every open connection, owned here; logged-in ones are also found by name.
    // Closed connections are destroyed from the event loop, never inside libsoup's own signal.
    struct DeleteLater {
        void operator()(QObject *object) const { object->deleteLater(); }
    };
    using ConnectionOwner = std::unique_ptr<ServerConnection, DeleteLater>;
    std::unordered_map<ServerConnection *, ConnectionOwner> connections_;
    QHash<QString, ServerConnection *> online_;
    quint64 connectionSerial_ = 0;          // names uncounted loopback connections for the password checks
    QSet<QString> newcomers_;               // signed in since the last presence batch; owed the full list
    PresenceBatcher *presence_;
    PasswordFile users_;
    QByteArray unknownUserHash_;  // verified against for names not in the file: same time taken
    // Password checks: waiting their turn (fairly by address), and running on verifiers_.
    struct PendingCheck {
        QPointer<ServerConnection> connection;
        QString address;  // ServerConnection::addressKey()
        QString name;
        QByteArray password;
        QByteArray hash;
        bool known = false;
    };
    void startPasswordChecks();
    // A sign-in from a connection or an address that must wait is refused before it is parsed
    // (a guessing flood costs as little as possible); true when it was.
    bool refusedBeforeParsing(ServerConnection *from);
    void refuseCheck(ServerConnection *from, const PasswordCheckQueue::Admission &admission);
    PasswordCheckQueue passwordChecks_{PasswordCheckQueue::Policy{}};
    QHash<quint64, PendingCheck> pendingChecks_;
    quint64 lastCheckId_ = 0;
    QThreadPool verifiers_;  // password hashing, off the main thread
    int checking_ = 0;       // checks running now
    QTimer silenceSweep_;
    QTimer pendingSweep_;  // runs only without main-loop shards
    // Closed connections' resources back to the system: idle shards, then freed heap pages.
    HeapTrimmer heapTrimmer_;
    ClusterNode *cluster_ = nullptr;  // set in cluster mode (--redis); a child of this server
};

}  // namespace confab
