// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/cluster/ClusterNode.h"

#include "signaling/cluster/ClusterMessage.h"
#include "signaling/cluster/RedisConnection.h"
#include "util/Logging.h"

#include <hiredis/hiredis.h>

#include <QRandomGenerator>

#include <memory>
#include <vector>

namespace confab {

namespace {

// Names refreshed (or freed) by one script call: a node with 50,000 users sends 50 commands.
constexpr qsizetype kKeysPerScript = 1000;

// KEYS: user keys; ARGV[1]: this node, ARGV[2]: TTL in ms. Sets each key that is free or already
// ours; returns the keys some other node holds (claimed while we could not refresh them).
const QByteArray kRefreshScript = QByteArrayLiteral(
    "local taken = {}\n"
    "for _, key in ipairs(KEYS) do\n"
    "  local holder = redis.call('GET', key)\n"
    "  if holder == false or holder == ARGV[1] then\n"
    "    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])\n"
    "  else\n"
    "    taken[#taken + 1] = key\n"
    "  end\n"
    "end\n"
    "return taken\n");

// KEYS: user keys; ARGV[1]: this node. Deletes those still ours (never a name claimed since).
const QByteArray kReleaseScript = QByteArrayLiteral(
    "local freed = 0\n"
    "for _, key in ipairs(KEYS) do\n"
    "  if redis.call('GET', key) == ARGV[1] then\n"
    "    freed = freed + redis.call('DEL', key)\n"
    "  end\n"
    "end\n"
    "return freed\n");

// `names` in script-sized batches, in order.
QList<QStringList> inBatches(const QStringList &names) {
    QList<QStringList> batches;
    for (qsizetype start = 0; start < names.size(); start += kKeysPerScript) {
        batches.append(names.mid(start, kKeysPerScript));
    }
    return batches;
}

QString randomNodeId() {
    quint64 value = QRandomGenerator::system()->generate64();
    return QString::number(value, 16).rightJustified(16, QLatin1Char('0'));
}

}  // namespace

ClusterNode::ClusterNode(ClusterOptions options, QObject *parent)
    : QObject(parent),
      options_(std::move(options)),
      id_(options_.nodeId.isEmpty() ? randomNodeId() : options_.nodeId),
      presenceChannel_(options_.keyPrefix + ":presence"),
      ownChannel_(options_.keyPrefix + ":node:" + id_.toUtf8()),
      commands_(new RedisConnection(options_.redis, QStringLiteral("commands"), this)),
      subscriber_(new RedisConnection(options_.redis, QStringLiteral("subscriber"), this)) {
    const int interval = std::max(100, options_.presenceTtlMs / 3);
    commands_->setPingInterval(interval);
    subscriber_->setPingInterval(interval);
    subscriber_->subscribe({presenceChannel_, ownChannel_});
    connect(commands_, &RedisConnection::ready, this, &ClusterNode::connectionReady);
    connect(subscriber_, &RedisConnection::ready, this, &ClusterNode::connectionReady);
    connect(commands_, &RedisConnection::lost, this, &ClusterNode::connectionLost);
    connect(subscriber_, &RedisConnection::lost, this, &ClusterNode::connectionLost);
    connect(subscriber_, &RedisConnection::message, this, &ClusterNode::received);
    presenceFlush_.setSingleShot(true);
    presenceFlush_.setInterval(options_.presenceBatchMs);
    connect(&presenceFlush_, &QTimer::timeout, this, &ClusterNode::flushPresence);
    ticker_.setInterval(interval);
    connect(&ticker_, &QTimer::timeout, this, &ClusterNode::tick);
    clock_.start();
}

ClusterNode::~ClusterNode() = default;

void ClusterNode::start() {
    qCInfo(lcCluster).noquote() << "node" << id_ << "joining the cluster at" << options_.redis.display()
                                << "presence TTL" << options_.presenceTtlMs << "ms";
    commands_->open();
    subscriber_->open();
    ticker_.start();
}

QByteArray ClusterNode::userKey(const QString &name) const {
    return options_.keyPrefix + ":user:" + name.toUtf8();
}

QByteArray ClusterNode::nodeChannel(const QString &node) const {
    return options_.keyPrefix + ":node:" + node.toUtf8();
}

ClusterMessage ClusterNode::fromThisNode(ClusterMessage::Kind kind) const {
    ClusterMessage message;
    message.kind = kind;
    message.node = id_;
    return message;
}

ClusterMessage ClusterNode::addressed(ClusterMessage::Kind kind, const QString &to, const QString &from,
                                      const QString &type) const {
    ClusterMessage message = fromThisNode(kind);
    message.to = to;
    message.from = from;
    message.type = type;
    return message;
}

QList<QByteArray> ClusterNode::evalOverNames(const QByteArray &script, const QStringList &names) const {
    QList<QByteArray> arguments{QByteArrayLiteral("EVAL"), script, QByteArray::number(names.size())};
    for (const QString &name : names) {
        arguments.append(userKey(name));
    }
    arguments.append(id_.toUtf8());
    return arguments;
}

void ClusterNode::connectionReady() {
    if (online_ || !commands_->isReady() || !subscriber_->isReady()) {
        return;
    }
    online_ = true;
    qCInfo(lcCluster).noquote() << "node" << id_ << "online in the cluster;" << local_.size()
                                << "local users to republish";
    // We heard nothing while away: that proves no other node dead.
    remote_.restartClocks(nowMs());
    ownHeartbeatHeardMs_ = nowMs();
    const QStringList known = remote_.nodes();
    awaitedNodes_ = QSet<QString>(known.cbegin(), known.cend());
    claimsWaitUntilMs_ = nowMs() + options_.presenceTtlMs;
    // Our names first (after a Redis restart they are gone), then who we are and who is here.
    refreshClaims(local_.values());
    ClusterMessage hello = fromThisNode(ClusterMessage::Kind::Hello);
    publish(presenceChannel_, hello.encode());
    publishSnapshot();
}

void ClusterNode::connectionLost() {
    if (online_) {
        qCWarning(lcCluster).noquote()
            << "node" << id_ << "lost Redis: sign-ins and calls to other nodes wait for it";
    }
    online_ = false;
}

void ClusterNode::claim(const QString &name, std::function<void(Claim)> done) {
    if (!awaitedNodes_.isEmpty() && nowMs() >= claimsWaitUntilMs_) {
        qCWarning(lcCluster).noquote()
            << "nodes" << awaitedNodes_.values() << "did not republish their users in"
            << options_.presenceTtlMs << "ms; claiming names again";
        awaitedNodes_.clear();
    }
    if (!online_ || !awaitedNodes_.isEmpty()) {
        done(Claim::Unavailable);
        return;
    }
    const bool sent = commands_->command(
        {QByteArrayLiteral("SET"), userKey(name), id_.toUtf8(), QByteArrayLiteral("NX"),
         QByteArrayLiteral("PX"), QByteArray::number(options_.presenceTtlMs)},
        [this, name, done = std::move(done)](const RedisReply &reply) {
            if (reply.kind == RedisReply::Kind::Status) {
                local_.insert(name);
                note(name, true);
                done(Claim::Claimed);
            } else if (reply.kind == RedisReply::Kind::Nil) {
                done(Claim::Taken);
            } else {
                qCWarning(lcCluster).noquote() << "claiming" << name << "failed:" << reply.describe();
                done(Claim::Unavailable);
            }
        });
    if (!sent) {
        done(Claim::Unavailable);
    }
}

void ClusterNode::release(const QString &name) {
    if (!local_.remove(name)) {
        return;
    }
    note(name, false);
    commands_->command(evalOverNames(kReleaseScript, {name}), [name](const RedisReply &reply) {
        if (reply.failed() && reply.kind != RedisReply::Kind::Disconnected) {
            qCWarning(lcCluster).noquote() << "freeing" << name << "failed:" << reply.describe();
        }
    });
}

bool ClusterNode::route(const QString &to, const QString &from, const QString &type,
                        const QByteArray &frame) {
    const QString node = remote_.nodeOf(to);
    if (node.isEmpty() || !online_) {
        return false;
    }
    ClusterMessage relay = addressed(ClusterMessage::Kind::Relay, to, from, type);
    relay.frame = frame;
    return commands_->command(
        {QByteArrayLiteral("PUBLISH"), nodeChannel(node), relay.encode()},
        [this, to, from, type](const RedisReply &reply) {
            // Nobody subscribed: the node died since we last heard from it.
            if (reply.failed() || (reply.kind == RedisReply::Kind::Integer && reply.integer == 0)) {
                Q_EMIT undeliverable(from, to, type);
            }
        });
}

void ClusterNode::bounce(const QString &originNode, const QString &to, const QString &from,
                         const QString &type) {
    publish(nodeChannel(originNode), addressed(ClusterMessage::Kind::Undeliverable, to, from, type).encode());
}

void ClusterNode::publish(const QByteArray &channel, const QByteArray &payload) {
    commands_->command({QByteArrayLiteral("PUBLISH"), channel, payload});
}

void ClusterNode::note(const QString &name, bool online) {
    pending_.insert(name, online);
    if (!presenceFlush_.isActive()) {
        presenceFlush_.start();
    }
}

void ClusterNode::flushPresence() {
    if (pending_.isEmpty()) {
        return;
    }
    if (!online_) {
        pending_.clear();  // the snapshot published on reconnection says it all
        return;
    }
    ClusterMessage change = fromThisNode(ClusterMessage::Kind::Presence);
    for (auto it = pending_.cbegin(); it != pending_.cend(); ++it) {
        (it.value() ? change.online : change.offline).append(it.key());
    }
    pending_.clear();
    publish(presenceChannel_, change.encode());
}

void ClusterNode::publishSnapshot() {
    // Everything pending goes first, so that a receiver's view after both is ours.
    flushPresence();
    ClusterMessage snapshot = fromThisNode(ClusterMessage::Kind::Snapshot);
    snapshot.online = local_.values();
    publish(presenceChannel_, snapshot.encode());
}

void ClusterNode::refreshClaims(const QStringList &names) {
    for (const QStringList &batch : inBatches(names)) {
        // ARGV[2]: the TTL to set.
        const QList<QByteArray> arguments = evalOverNames(kRefreshScript, batch)
                                            << QByteArray::number(options_.presenceTtlMs);
        commands_->command(arguments, [this](const RedisReply &reply) {
            if (reply.failed()) {
                if (reply.kind != RedisReply::Kind::Disconnected) {
                    qCWarning(lcCluster).noquote() << "refreshing names failed:" << reply.describe();
                }
                return;
            }
            const QByteArray prefix = options_.keyPrefix + ":user:";
            for (const RedisReply &key : reply.elements) {
                const QString name =
                    QString::fromUtf8(key.text.sliced(std::min(prefix.size(), key.text.size())));
                if (local_.remove(name)) {
                    qCWarning(lcCluster).noquote()
                        << name << "was claimed by another node while Redis was away";
                    note(name, false);
                    Q_EMIT nameLost(name);
                }
            }
        });
    }
}

void ClusterNode::tick() {
    if (!online_) {
        return;  // nothing can be refreshed or heard; the clocks restart on reconnection
    }
    const qint64 now = nowMs();
    const qint64 interval = ticker_.interval();
    if (now - ownHeartbeatHeardMs_ > 3 * interval) {
        // Publishing works but our own messages do not come back: the subscription is dead.
        subscriber_->reconnect(tr("own heartbeats not heard for %1 ms").arg(now - ownHeartbeatHeardMs_));
        return;
    }
    refreshClaims(local_.values());
    flushPresence();
    ClusterMessage heartbeat = fromThisNode(ClusterMessage::Kind::Heartbeat);
    heartbeat.count = local_.size();
    publish(presenceChannel_, heartbeat.encode());
    for (const QString &node : remote_.silentSince(now, options_.presenceTtlMs)) {
        awaitedNodes_.remove(node);
        const RemotePresence::Change change = remote_.forget(node);
        qCWarning(lcCluster).noquote() << "node" << node << "silent for" << options_.presenceTtlMs
                                       << "ms: taken for dead," << change.offline.size() << "users offline";
        report(change);
    }
}

void ClusterNode::report(const RemotePresence::Change &change) {
    if (!change.isEmpty()) {
        Q_EMIT presenceChanged(change.online, change.offline);
    }
}

void ClusterNode::received(const QByteArray &channel, const QByteArray &payload) {
    const std::optional<ClusterMessage> message = ClusterMessage::decode(payload);
    if (!message) {
        qCWarning(lcCluster).noquote()
            << "ignoring a message on" << channel << "that is not ours:" << payload.left(80);
        return;
    }
    if (channel == presenceChannel_) {
        handlePresence(*message);
        return;
    }
    if (message->kind == ClusterMessage::Kind::Relay) {
        Q_EMIT delivered(message->node, message->to, message->from, message->type, message->frame);
    } else if (message->kind == ClusterMessage::Kind::Undeliverable) {
        Q_EMIT undeliverable(message->from, message->to, message->type);
    }
}

void ClusterNode::handlePresence(const ClusterMessage &message) {
    const qint64 now = nowMs();
    if (message.node == id_) {
        if (message.kind == ClusterMessage::Kind::Heartbeat) {
            ownHeartbeatHeardMs_ = now;
        }
        return;
    }
    switch (message.kind) {
        case ClusterMessage::Kind::Hello:
            if (message.askedNode.isEmpty() || message.askedNode == id_) {
                publishSnapshot();
            }
            break;
        case ClusterMessage::Kind::Snapshot:
            // Sent after its claims, on the same connection: its names are in Redis by now.
            awaitedNodes_.remove(message.node);
            report(remote_.replace(message.node,
                                   QSet<QString>(message.online.cbegin(), message.online.cend()), now));
            break;
        case ClusterMessage::Kind::Presence:
            report(remote_.apply(message.node, message.online, message.offline, now));
            break;
        case ClusterMessage::Kind::Heartbeat:
            if (!remote_.heard(message.node, message.count, now)) {
                qCInfo(lcCluster).noquote() << "node" << message.node << "has" << message.count
                                            << "users, not what we know: asking for its list";
                ClusterMessage hello = fromThisNode(ClusterMessage::Kind::Hello);
                hello.askedNode = message.node;
                publish(presenceChannel_, hello.encode());
            }
            break;
        case ClusterMessage::Kind::Bye: {
            awaitedNodes_.remove(message.node);
            const RemotePresence::Change change = remote_.forget(message.node);
            qCInfo(lcCluster).noquote()
                << "node" << message.node << "left the cluster;" << change.offline.size() << "users offline";
            report(change);
            break;
        }
        case ClusterMessage::Kind::Relay:
        case ClusterMessage::Kind::Undeliverable:
            break;  // only on node channels
    }
}

void ClusterNode::leave(int timeoutMs) {
    // The asynchronous connections need the event loop, which has stopped by now: a blocking
    // connection of our own, with a timeout on every step.
    const timeval timeout{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    std::unique_ptr<redisContext, decltype(&redisFree)> context(
        redisConnectWithTimeout(options_.redis.host.toUtf8().constData(), options_.redis.port, timeout),
        &redisFree);
    if (!context || context->err) {
        qCWarning(lcCluster).noquote() << "cannot tell the cluster this node is leaving:"
                                       << (context ? context->errstr : "out of memory")
                                       << "- its names expire in" << options_.presenceTtlMs << "ms";
        return;
    }
    redisSetTimeout(context.get(), timeout);
    const auto run = [&](const QList<QByteArray> &arguments) {
        std::vector<const char *> argv;
        std::vector<size_t> lengths;
        for (const QByteArray &argument : arguments) {
            argv.push_back(argument.constData());
            lengths.push_back(size_t(argument.size()));
        }
        auto *reply = static_cast<redisReply *>(
            redisCommandArgv(context.get(), int(argv.size()), argv.data(), lengths.data()));
        const bool ok = reply && reply->type != REDIS_REPLY_ERROR;
        if (!ok) {
            qCWarning(lcCluster).noquote() << "leaving the cluster:" << arguments.constFirst()
                                           << "failed:" << (reply ? reply->str : context->errstr);
        }
        freeReplyObject(reply);
        return ok;
    };
    if (!options_.redis.password.isEmpty()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!options_.redis.user.isEmpty()) {
            auth.append(options_.redis.user);
        }
        auth.append(options_.redis.password);
        if (!run(auth)) {
            return;
        }
    }
    if (options_.redis.database != 0 &&
        !run({QByteArrayLiteral("SELECT"), QByteArray::number(options_.redis.database)})) {
        return;
    }
    const QStringList names = local_.values();
    for (const QStringList &batch : inBatches(names)) {
        if (!run(evalOverNames(kReleaseScript, batch))) {
            return;
        }
    }
    local_.clear();
    ClusterMessage bye = fromThisNode(ClusterMessage::Kind::Bye);
    run({QByteArrayLiteral("PUBLISH"), presenceChannel_, bye.encode()});
    qCInfo(lcCluster).noquote() << "node" << id_ << "left the cluster;" << names.size() << "names freed";
}

}  // namespace confab
