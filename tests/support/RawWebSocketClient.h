// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GLibPtr.h"

#include <libsoup/soup.h>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>

#include <memory>

// A bare libsoup WebSocket client for server tests. It sends any text or binary frame, and keeps
// every frame it receives, in order, as the JSON object it carried, so a test sees exactly what
// went over the wire. Frames are consumed with take(); what a test has not taken stays pending.
// Owned by the test; lives on the test's thread, whose event loop the waits spin.
class RawWebSocketClient : public QObject {
    Q_OBJECT
public:
    // The type recorded for a frame that was binary or not a JSON object.
    static inline const QString kNotJson = QStringLiteral("<not a JSON object>");

    // `localAddress` (e.g. "127.0.0.7"): the address the connection comes from; empty: any.
    explicit RawWebSocketClient(const QUrl &url, QObject *parent = nullptr, const QString &localAddress = {});
    ~RawWebSocketClient() override;

    // A client whose WebSocket is open, or whose login succeeded. On failure the client is still
    // returned (the test's own checks then fail on it) and a warning says which step failed.
    static std::unique_ptr<RawWebSocketClient> connectedTo(const QUrl &url);
    static std::unique_ptr<RawWebSocketClient> signedInTo(const QUrl &url, const QString &name);

    bool waitConnected(int timeoutMs = defaultTimeoutMs());
    bool isOpen() const;

    void sendText(const QByteArray &text);
    void sendJson(const QJsonObject &object);
    void sendBinary(const QByteArray &data);

    // Connects if needed, logs in and consumes the login reply and the users list; true on success.
    bool login(const QString &name);

    // The first pending message of `type`, removed from the pending ones; waits for it, and is
    // empty when none came in time (the types that did come are logged to help the reader).
    QJsonObject take(const QString &type, int timeoutMs = defaultTimeoutMs());
    // The first pending message of any type.
    QJsonObject takeNext(int timeoutMs = defaultTimeoutMs());
    // How many pending messages have `type`, without waiting.
    int pendingCount(const QString &type) const;
    QStringList pendingTypes() const;

    // Waits until the server has answered everything sent so far and has finished whatever it
    // did for earlier events: sends a frame the server always refuses and takes the error. As the
    // server handles frames in order and TCP keeps them in order, anything it meant to send to
    // this client before then is pending afterwards. Returns false if no answer came.
    bool sync();

    bool waitClosed(int timeoutMs = defaultTimeoutMs());
    // The close code the server sent (0 when the socket ended without a close frame).
    int closeCode() const;
    void close();

    // Generous bounds for waits, scaled by CONFAB_TEST_TIME_SCALE for sanitizer builds.
    static int defaultTimeoutMs() { return scaledMs(10000); }
    static int scaledMs(int ms);

Q_SIGNALS:
    void received(const QJsonObject &message);
    void closed();

private:
    static void onConnected(GObject *session, GAsyncResult *result, gpointer self);
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self);
    static void onClosed(SoupWebsocketConnection *, gpointer self);

    confab::GObjectPtr<SoupSession> session_;
    confab::GObjectPtr<GCancellable> cancellable_;
    confab::GObjectPtr<SoupWebsocketConnection> socket_;
    bool connectFailed_ = false;
    bool closed_ = false;
    QList<QJsonObject> pending_;
    int syncs_ = 0;
};
