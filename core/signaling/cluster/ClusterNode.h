// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "signaling/cluster/ClusterMessage.h"
#include "signaling/cluster/ClusterOptions.h"
#include "signaling/cluster/RemotePresence.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace confab {

class RedisConnection;

// This server's membership of a cluster of confab-server nodes sharing one Redis
// (docs/architecture.md, "Cluster"). It is what SignalingServer asks when it is clustered:
//  - names: a login claims `<prefix>:user:<name>` (SET NX, expiring after the presence TTL and
//    refreshed every third of it), so a name is signed in on one node of the cluster at most;
//  - routing: a message for a user on another node is published to that node's channel,
//    `<prefix>:node:<id>`, and comes out there as delivered();
//  - presence: sign-ins and -outs, snapshots and heartbeats go over `<prefix>:presence`, so every
//    node knows who is online anywhere; a node silent for the TTL is dead and its users go offline.
// Two Redis connections: one for commands and publishing, one subscribed. Both reconnect by
// themselves; once both are back, this node claims its users' names again and republishes them.
// Owned by SignalingServer, on its (main) thread.
class ClusterNode : public QObject {
    Q_OBJECT
public:
    enum class Claim { Claimed = 1, Taken, Unavailable };

    explicit ClusterNode(ClusterOptions options, QObject *parent = nullptr);
    ~ClusterNode() override;

    // Connects to Redis (and keeps connecting); the node is usable once isOnline().
    void start();
    const QString &id() const { return id_; }
    bool isOnline() const { return online_; }

    // Claims `name` for a user signing in here; `done` is called once, possibly at once.
    void claim(const QString &name, std::function<void(Claim)> done);
    // The user signed out (or the claim is no longer wanted): frees the name if it is ours.
    void release(const QString &name);

    // The node another user is signed in on, or empty when nobody else has them.
    QString nodeOf(const QString &name) const { return remote_.nodeOf(name); }
    QStringList remoteNames() const { return remote_.names(); }
    // Sends `frame` (its `name` already the sender's) to `to` on another node. False when it
    // cannot be sent now (no such remote user, Redis unreachable); the caller tells the sender.
    bool route(const QString &to, const QString &from, const QString &type, const QByteArray &frame);
    // Tells `originNode` that its relay from `from` found no `to` here.
    void bounce(const QString &originNode, const QString &to, const QString &from, const QString &type);

    // At shutdown: frees this node's names and tells the others at once, instead of leaving them
    // to expire. Blocking (its own short-lived connection), bounded by `timeoutMs`.
    void leave(int timeoutMs = 1000);

Q_SIGNALS:
    // A relayed frame for local user `to`; if `to` is not here, call bounce().
    void delivered(const QString &originNode, const QString &to, const QString &from, const QString &type,
                   const QByteArray &frame);
    // A frame local user `from` sent to `to` found nobody: `to` left meanwhile or its node died.
    void undeliverable(const QString &from, const QString &to, const QString &type);
    // Users signed in or out on other nodes (a dead node's users sign out all at once).
    void presenceChanged(const QStringList &online, const QStringList &offline);
    // Another node holds the name of this local user (after a Redis outage); sign them out.
    void nameLost(const QString &name);

private:
    void connectionReady();
    void connectionLost();
    void received(const QByteArray &channel, const QByteArray &payload);
    void handlePresence(const ClusterMessage &message);
    void tick();                                   // every third of the TTL
    void refreshClaims(const QStringList &names);  // SET again what is ours, report conflicts
    void publish(const QByteArray &channel, const QByteArray &payload);
    void publishSnapshot();
    void flushPresence();
    void note(const QString &name, bool online);
    void report(const RemotePresence::Change &change);
    QByteArray userKey(const QString &name) const;
    // The channel `node` listens on for relays and bounces.
    QByteArray nodeChannel(const QString &node) const;
    // A message of `kind` with this node as its sender.
    ClusterMessage fromThisNode(ClusterMessage::Kind kind) const;
    // A Relay or Undeliverable from this node about one frame from `from` to `to`.
    ClusterMessage addressed(ClusterMessage::Kind kind, const QString &to, const QString &from,
                             const QString &type) const;
    // EVAL of one of the name scripts: KEYS the user keys of `names`, ARGV[1] this node.
    QList<QByteArray> evalOverNames(const QByteArray &script, const QStringList &names) const;
    qint64 nowMs() const { return clock_.elapsed(); }

    ClusterOptions options_;
    QString id_;
    QByteArray presenceChannel_;
    QByteArray ownChannel_;
    RedisConnection *commands_;
    RedisConnection *subscriber_;
    bool online_ = false;
    QSet<QString> local_;           // names claimed for users signed in here
    QHash<QString, bool> pending_;  // local sign-ins (true) and -outs not yet published
    QTimer presenceFlush_;
    QTimer ticker_;
    RemotePresence remote_;
    QElapsedTimer clock_;
    qint64 ownHeartbeatHeardMs_ = 0;  // our own heartbeat coming back proves the subscription
    // After a reconnection, the nodes we knew whose snapshot has not come since. Until it has (or
    // a TTL has passed) new names are not claimed: after a Redis restart a node that is back
    // first would otherwise hand out a name whose owner's node has not republished it yet.
    QSet<QString> awaitedNodes_;
    qint64 claimsWaitUntilMs_ = 0;
};

}  // namespace confab
