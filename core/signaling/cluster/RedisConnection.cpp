// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/cluster/RedisConnection.h"

#include "signaling/cluster/RedisMainLoopSource.h"
#include "util/Logging.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <vector>

namespace confab {

RedisConnection::RedisConnection(RedisUrl url, QString role, QObject *parent)
    : QObject(parent), url_(std::move(url)), role_(std::move(role)) {
    retry_.setSingleShot(true);
    connect(&retry_, &QTimer::timeout, this, &RedisConnection::connectNow);
    connect(&pingTimer_, &QTimer::timeout, this, &RedisConnection::ping);
}

RedisConnection::~RedisConnection() {
    // Pending handlers are run by hiredis with no reply while it frees the context; they belong
    // to objects going away with us, so onReply drops them without calling them.
    destroying_ = true;
    if (context_) {
        redisAsyncFree(context_);
        context_ = nullptr;
    }
}

void RedisConnection::open() {
    if (!context_ && !retry_.isActive()) {
        connectNow();
    }
}

void RedisConnection::setPingInterval(int ms) {
    pingTimer_.setInterval(ms);
}

void RedisConnection::connectNow() {
    source_.reset();
    // hiredis resolves the host name here, blocking; a cluster's Redis is normally an IP address
    // or a name in /etc/hosts (docs/deploy.md).
    redisAsyncContext *context = redisAsyncConnect(url_.host.toUtf8().constData(), url_.port);
    if (!context) {
        gone(tr("out of memory"));
        return;
    }
    if (context->err) {
        const QString reason = QString::fromUtf8(context->errstr);
        redisAsyncFree(context);
        gone(reason);
        return;
    }
    context_ = context;
    context_->data = this;
    awaiting_ = true;  // until ready
    missedTicks_ = 0;
    if (pingTimer_.interval() > 0) {
        pingTimer_.start();
    }
    source_.reset(RedisMainLoopSource::attach(context_, g_main_context_default()));
    redisAsyncSetConnectCallback(context_, &RedisConnection::onConnect);
    redisAsyncSetDisconnectCallback(context_, &RedisConnection::onDisconnect);
}

void RedisConnection::onConnect(const redisAsyncContext *context, int status) {
    auto *self = static_cast<RedisConnection *>(context->data);
    if (status != REDIS_OK) {
        // hiredis frees the context when this returns.
        self->context_ = nullptr;
        self->gone(QString::fromUtf8(context->errstr));
        return;
    }
    // A Redis that vanished without a FIN (a dead host) is noticed by the kernel.
    redisEnableKeepAlive(const_cast<redisContext *>(&context->c));
    self->prepare();
}

void RedisConnection::onDisconnect(const redisAsyncContext *context, int status) {
    auto *self = static_cast<RedisConnection *>(context->data);
    self->context_ = nullptr;
    if (self->destroying_) {
        return;
    }
    self->gone(status == REDIS_OK ? tr("closed") : QString::fromUtf8(context->errstr));
}

void RedisConnection::gone(const QString &reason) {
    const bool wasReady = ready_;
    ready_ = false;
    pingTimer_.stop();
    awaiting_ = false;
    // The source is destroyed from the event loop, not from inside hiredis's callback chain.
    QTimer::singleShot(0, this, [this] {
        if (!context_) {
            source_.reset();
        }
    });
    const auto delay = backoff_.next();
    if (wasReady || backoff_.attempts() == 1) {
        qCWarning(lcCluster).noquote()
            << "Redis" << role_ << "connection to" << url_.display() << "lost:" << reason
            << "- connecting again in" << delay.count() << "ms";
    } else {
        qCDebug(lcCluster).noquote() << "Redis" << role_ << "still unreachable:" << reason;
    }
    retry_.start(int(delay.count()));
    if (wasReady || backoff_.attempts() == 1) {
        Q_EMIT lost(reason);
    }
}

void RedisConnection::prepare() {
    const auto fail = [this](const char *step, const RedisReply &reply) {
        if (reply.kind == RedisReply::Kind::Disconnected) {
            return;  // onDisconnect has it
        }
        qCCritical(lcCluster).noquote() << "Redis" << role_ << step << "refused:" << reply.describe();
        // Not from inside hiredis's reply callback: the context is freed from the event loop.
        const QString reason =
            QStringLiteral("%1 refused: %2").arg(QString::fromLatin1(step), reply.describe());
        QTimer::singleShot(0, this, [this, reason] { reconnect(reason); });
    };
    if (!url_.password.isEmpty()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!url_.user.isEmpty()) {
            auth.append(url_.user);
        }
        auth.append(url_.password);
        send(auth, [fail](const RedisReply &reply) {
            if (reply.failed()) {
                fail("AUTH", reply);
            }
        });
    }
    if (url_.database != 0) {
        send({QByteArrayLiteral("SELECT"), QByteArray::number(url_.database)},
             [fail](const RedisReply &reply) {
                 if (reply.failed()) {
                     fail("SELECT", reply);
                 }
             });
    }
    // Replies come in order: when PING is answered, AUTH and SELECT were.
    send({QByteArrayLiteral("PING")}, [this](const RedisReply &reply) {
        if (reply.failed() || !context_) {
            return;
        }
        if (!channels_.isEmpty()) {
            sendSubscribe();
        } else {
            ready_ = true;
            awaiting_ = false;
            missedTicks_ = 0;
            backoff_.reset();
            qCInfo(lcCluster).noquote() << "Redis" << role_ << "connection to" << url_.display() << "ready";
            Q_EMIT ready();
        }
    });
}

void RedisConnection::subscribe(const QList<QByteArray> &channels) {
    channels_.append(channels);
    if (ready_) {
        sendSubscribe();
    }
}

void RedisConnection::sendSubscribe() {
    std::vector<const char *> argv{"SUBSCRIBE"};
    std::vector<size_t> lengths{9};
    for (const QByteArray &channel : std::as_const(channels_)) {
        argv.push_back(channel.constData());
        lengths.push_back(size_t(channel.size()));
    }
    redisAsyncCommandArgv(context_, &RedisConnection::onSubscribed, this, int(argv.size()), argv.data(),
                          lengths.data());
}

void RedisConnection::onSubscribed(redisAsyncContext *context, void *reply, void *) {
    auto *self = static_cast<RedisConnection *>(context->data);
    const auto *r = static_cast<const redisReply *>(reply);
    if (!r || self->destroying_ || r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
        return;
    }
    const QByteArrayView kind(r->element[0]->str, qsizetype(r->element[0]->len));
    if (kind == "message") {
        Q_EMIT self->message(QByteArray(r->element[1]->str, qsizetype(r->element[1]->len)),
                             QByteArray(r->element[2]->str, qsizetype(r->element[2]->len)));
    } else if (kind == "subscribe" && !self->ready_ && r->element[2]->integer == self->channels_.size()) {
        self->ready_ = true;
        self->awaiting_ = false;
        self->missedTicks_ = 0;
        self->backoff_.reset();
        qCInfo(lcCluster).noquote() << "Redis" << self->role_ << "connection to" << self->url_.display()
                                    << "subscribed to" << self->channels_.size() << "channels";
        Q_EMIT self->ready();
    }
}

bool RedisConnection::command(const QList<QByteArray> &arguments, ReplyHandler handler) {
    if (!ready_ || !channels_.isEmpty()) {
        return false;
    }
    return send(arguments, std::move(handler));
}

bool RedisConnection::send(const QList<QByteArray> &arguments, ReplyHandler handler) {
    if (!context_) {
        return false;
    }
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(arguments.size()));
    lengths.reserve(size_t(arguments.size()));
    for (const QByteArray &argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(size_t(argument.size()));
    }
    auto *owned = handler ? new ReplyHandler(std::move(handler)) : nullptr;
    if (redisAsyncCommandArgv(context_, owned ? &RedisConnection::onReply : nullptr, owned, int(argv.size()),
                              argv.data(), lengths.data()) != REDIS_OK) {
        delete owned;
        return false;
    }
    return true;
}

void RedisConnection::onReply(redisAsyncContext *context, void *reply, void *handler) {
    auto *owned = static_cast<ReplyHandler *>(handler);
    auto *self = static_cast<RedisConnection *>(context->data);
    if (!self->destroying_) {
        (*owned)(RedisReply::from(static_cast<const redisReply *>(reply)));
    }
    delete owned;
}

void RedisConnection::ping() {
    // Two intervals without progress (a connect, a handshake or a PING not answered): Redis or
    // the way to it is stuck, and a stuck TCP connection may take the kernel many minutes to see.
    if (awaiting_ && ++missedTicks_ >= 2) {
        reconnect(tr("no answer from Redis for %1 ms").arg(missedTicks_ * pingTimer_.interval()));
        return;
    }
    if (awaiting_ || !ready_ || !channels_.isEmpty()) {
        return;  // a subscribed connection takes no PING; ClusterNode watches it another way
    }
    awaiting_ = send({QByteArrayLiteral("PING")}, [this](const RedisReply &reply) {
        if (!reply.failed()) {
            awaiting_ = false;
            missedTicks_ = 0;
        }
    });
}

void RedisConnection::reconnect(const QString &reason) {
    if (!context_) {
        return;  // already reconnecting
    }
    qCWarning(lcCluster).noquote() << "Redis" << role_ << "connection dropped:" << reason;
    redisAsyncContext *context = context_;
    // hiredis calls onDisconnect (when it was connected), which schedules the reconnection; when
    // it was still connecting nobody else will.
    const bool connected = (context->c.flags & REDIS_CONNECTED) != 0;
    redisAsyncFree(context);
    context_ = nullptr;
    if (!connected) {
        gone(reason);
    }
}

}  // namespace confab
