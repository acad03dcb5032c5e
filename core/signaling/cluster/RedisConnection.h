// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "signaling/ReconnectBackoff.h"
#include "signaling/cluster/RedisReply.h"
#include "signaling/cluster/RedisUrl.h"
#include "util/GLibPtr.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTimer>

#include <functional>

struct redisAsyncContext;

namespace confab {

// One asynchronous connection to Redis (hiredis) on the thread's GLib main context, kept open:
// when it drops it is opened again after a backoff (ReconnectBackoff, up to 3 s), authenticated,
// its database selected and its channels subscribed again before it says it is ready.
// A connection is either for commands or, once subscribe() was called, for pub/sub messages
// only (Redis's rule: a subscribed connection takes no other commands).
// Owned by ClusterNode; single-threaded.
class RedisConnection : public QObject {
    Q_OBJECT
public:
    using ReplyHandler = std::function<void(const RedisReply &)>;

    // `role` names the connection in logs ("commands", "subscriber").
    RedisConnection(RedisUrl url, QString role, QObject *parent = nullptr);
    ~RedisConnection() override;

    // Connects now and after every loss until destroyed.
    void open();
    bool isReady() const { return ready_; }

    // Sends a command; the handler gets its reply, or Disconnected if the connection is lost
    // first. When not ready, nothing is sent, the handler is not called and false is returned.
    bool command(const QList<QByteArray> &arguments, ReplyHandler handler = {});

    // Makes this a subscriber connection: the channels are subscribed now (when ready) and on
    // every reconnection; what is published there arrives as message().
    void subscribe(const QList<QByteArray> &channels);

    // Drops the connection and connects again, for a Redis that stopped answering.
    void reconnect(const QString &reason);

    // Milliseconds between the checks that detect a Redis that stopped answering: a connection
    // not made, a handshake not finished or (command connections) a PING not answered within
    // two intervals is dropped and made again. 0 (the default): no checks.
    void setPingInterval(int ms);

Q_SIGNALS:
    // Connected, authenticated, database selected, channels subscribed.
    void ready();
    // The connection went away (or could not be made); it is being opened again.
    void lost(const QString &reason);
    void message(const QByteArray &channel, const QByteArray &payload);

private:
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    static void onReply(redisAsyncContext *context, void *reply, void *handler);
    static void onSubscribed(redisAsyncContext *context, void *reply, void *self);

    void connectNow();
    void prepare();  // AUTH, SELECT, SUBSCRIBE, then ready
    void sendSubscribe();
    void gone(const QString &reason);
    bool send(const QList<QByteArray> &arguments, ReplyHandler handler);
    void ping();

    RedisUrl url_;
    QString role_;
    redisAsyncContext *context_ = nullptr;  // freed by hiredis on loss, by us on reconnect()
    GSourcePtr source_;
    ReconnectBackoff backoff_;
    QTimer retry_;
    QTimer pingTimer_;
    bool awaiting_ = false;  // a connection, handshake or PING is waiting for Redis
    int missedTicks_ = 0;
    bool ready_ = false;
    bool destroying_ = false;
    QList<QByteArray> channels_;
};

}  // namespace confab
