// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "signaling/SendQueueMeter.h"
#include "util/GLibPtr.h"
#include "util/TokenBucket.h"

#include <libsoup/soup.h>

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

namespace confab {

// One client's WebSocket on the server, owned by SignalingServer. It forwards what arrives and
// remembers who the client is: its name once logged in, and the users it is in a call with.
class PendingBytesWatch;

class ServerConnection : public QObject {
    Q_OBJECT
public:
    struct Handlers {
        std::function<void(ServerConnection *, QByteArrayView text)> text;
        std::function<void(ServerConnection *)> binary;
        std::function<void(ServerConnection *)> closed;
    };

    struct Limits {
        qsizetype frameLimit = 0;  // libsoup closes the connection (1009) above this
        int keepaliveSeconds = 15;
        double messagesPerSecond = 0;  // 0: no rate limit
        int messageBurst = 1;
        qsizetype pendingLimit = 0;  // 0: unwatched; see SignalingServerOptions::maxPendingBytes
        qsizetype maxQueuedBytes = 0;  // 0: no cap; see SignalingServerOptions::maxQueuedBytes
    };

    // `tcp` is the connection's TCP socket (under TLS too), watched through `watch` for bytes that
    // never become a message, and metered for what its client does not read; either may be null
    // (neither). `addressKey` names the client's address for the limits kept by address.
    ServerConnection(SoupWebsocketConnection *socket, GSocket *tcp, PendingBytesWatch *watch,
                     QString peerAddress, QString addressKey, const Limits &limits, Handlers handlers);
    ~ServerConnection() override;

    // Queues `text` for the client; a client that has more than Limits::maxQueuedBytes unread is
    // dropped (reported closed at once).
    void send(const QByteArray &text);
    // Starts the closing handshake; messages that still arrive are ignored from now on. A client
    // that has not answered it after kCloseAnswerWaitMs is reported closed.
    void close(int code, const QString &reason);
    static constexpr int kCloseAnswerWaitMs = 3000;
    // Closes and reports the connection closed at once, for a peer that stopped answering:
    // libsoup would wait 5 s more for its answer to the close before emitting `closed`.
    void abandon(int code, const QString &reason);

    bool isLoggedIn() const { return !name_.isEmpty(); }
    const QString &name() const { return name_; }
    void setName(const QString &name) { name_ = name; }
    const QString &peerAddress() const { return peerAddress_; }
    const QString &addressKey() const { return addressKey_; }

    // A password is being checked for this connection's login (off the main thread).
    bool isVerifying() const { return verifying_; }
    void setVerifying(bool verifying) { verifying_ = verifying; }
    int &authFailures() { return authFailures_; }

    // What to do with a message that just arrived, by the connection's message rate.
    enum class Admission { Accept = 1, RefuseWithError, RefuseQuietly, Disconnect };
    Admission admitMessage();
    // Its TCP socket was just read: closes the connection when far more bytes have come in than
    // made whole messages (a fragment flood). Called by the server's PendingBytesWatch.
    void checkPending();
    // Who this user is in a call with (an offer opens a pairing, a leave closes it).
    QSet<QString> &callPartners() { return callPartners_; }
    // Milliseconds since the client last sent anything, a pong included.
    qint64 silentForMs() const { return lastHeard_.elapsed(); }
    // Its computer has not acknowledged what we sent for at least `ms` (the TCP socket's own
    // view): its address went away, or it is off the network. False when the kernel cannot say.
    bool isUnacknowledgedFor(int ms) const;

private:
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self);
    static void onPong(SoupWebsocketConnection *, GBytes *, gpointer self);
    static void onClosed(SoupWebsocketConnection *, gpointer self);
    void reportClosed();
    void stopWatching();
    // Bytes the kernel has received on the TCP socket so far, or -1 when it cannot say.
    qint64 bytesReceived() const;
    // What the client sent so far is accounted for.
    void markDelivered();

    GObjectPtr<SoupWebsocketConnection> socket_;
    GObjectPtr<GSocket> tcp_;
    QString peerAddress_;
    QString addressKey_;
    std::optional<SendQueueMeter> sendMeter_;
    Handlers handlers_;
    int messageBurst_;                 // at least 1
    std::optional<TokenBucket> rate_;  // whole messages, refilled each millisecond; none: no limit
    int refusedInARow_ = 0;
    qsizetype pendingLimit_;
    qint64 deliveredThrough_ = 0;  // bytesReceived() after the last read that made a whole message
    QElapsedTimer deliveredAt_;        // when the last whole message arrived
    bool deliveredInThisRead_ = false;
    PendingBytesWatch *watch_ = nullptr;  // set while our socket is in it
    int watchedFd_ = -1;
    QString name_;
    QSet<QString> callPartners_;
    QElapsedTimer lastHeard_;
    bool verifying_ = false;
    int authFailures_ = 0;
    bool closing_ = false;  // we closed it: what still arrives is ignored
    bool overQueued_ = false;  // dropped for not reading: nothing more is sent
    bool closed_ = false;
};

}  // namespace confab
