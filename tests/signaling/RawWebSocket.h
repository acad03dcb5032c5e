#pragma once

#include "util/GLibPtr.h"

#include <libsoup/soup.h>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QUrl>

// A bare libsoup WebSocket client for server tests: sends any text or binary frame and keeps
// every frame it receives as JSON, so tests see exactly what went over the wire.
class RawWebSocket {
public:
    explicit RawWebSocket(const QUrl &url);
    ~RawWebSocket();

    bool waitConnected(int timeoutMs = 10000);
    void sendText(const QByteArray &text);
    void sendJson(const QJsonObject &object);
    void sendBinary(const QByteArray &data);
    // Logs in and consumes the login reply and users list; true on success.
    bool login(const QString &name);

    // The first unconsumed message of `type`, waiting for it; empty when none came in time.
    QJsonObject take(const QString &type, int timeoutMs = 10000);
    // True when no message of `type` arrives within `ms` (for "nothing was relayed").
    bool noneFor(const QString &type, int ms);
    bool waitClosed(int timeoutMs = 10000);
    int closeCode() const;
    void close();

private:
    static void onConnected(GObject *, GAsyncResult *result, gpointer self);
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self);

    confab::GObjectPtr<SoupSession> session_;
    confab::GObjectPtr<GCancellable> cancellable_;
    confab::GObjectPtr<SoupWebsocketConnection> socket_;
    bool failed_ = false;
    QList<QJsonObject> received_;
};

// A WebSocket spoken by hand over a plain TCP connection: it completes the handshake, can send
// one text frame, and then never reads again — so it never answers the server's pings. This is
// what a peer looks like to the server when its machine vanishes without closing the socket.
class SilentWebSocket {
public:
    explicit SilentWebSocket(quint16 port);
    bool handshake();
    bool sendText(const QByteArray &text);

private:
    confab::GObjectPtr<GSocketConnection> connection_;
};
