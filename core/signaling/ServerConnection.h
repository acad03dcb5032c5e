#pragma once

#include "util/GLibPtr.h"

#include <libsoup/soup.h>

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>

namespace confab {

// One client's WebSocket on the server, owned by SignalingServer. It forwards what arrives and
// remembers who the client is: its name once logged in, and the users it is in a call with.
class ServerConnection : public QObject {
    Q_OBJECT
public:
    struct Handlers {
        std::function<void(ServerConnection *, QByteArrayView text)> text;
        std::function<void(ServerConnection *)> binary;
        std::function<void(ServerConnection *)> closed;
    };

    ServerConnection(SoupWebsocketConnection *socket, QString peerAddress, qsizetype frameLimit,
                     int keepaliveSeconds, Handlers handlers);
    ~ServerConnection() override;

    void send(const QByteArray &text);
    void close(int code, const QString &reason);
    // Closes and reports the connection closed at once, for a peer that stopped answering:
    // libsoup would wait 5 s more for its answer to the close before emitting `closed`.
    void abandon(int code, const QString &reason);

    bool isLoggedIn() const { return !name_.isEmpty(); }
    const QString &name() const { return name_; }
    void setName(const QString &name) { name_ = name; }
    const QString &peerAddress() const { return peerAddress_; }
    // Who this user is in a call with (an offer opens a pairing, a leave closes it).
    QSet<QString> &callPartners() { return callPartners_; }
    // Milliseconds since the client last sent anything, a pong included.
    qint64 silentForMs() const { return lastHeard_.elapsed(); }

private:
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self);
    static void onPong(SoupWebsocketConnection *, GBytes *, gpointer self);
    static void onClosed(SoupWebsocketConnection *, gpointer self);
    void reportClosed();

    GObjectPtr<SoupWebsocketConnection> socket_;
    QString peerAddress_;
    Handlers handlers_;
    QString name_;
    QSet<QString> callPartners_;
    QElapsedTimer lastHeard_;
    bool closed_ = false;
};

}  // namespace confab
