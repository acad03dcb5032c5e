// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/Message.h"
#include "signaling/CallSignaling.h"
#include "signaling/ReconnectBackoff.h"
#include "signaling/ServerCertificate.h"
#include "util/GLibPtr.h"

#include <libsoup/soup.h>

#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUrl>

namespace confab {

// The client side of the signaling protocol over libsoup's WebSocket: connects, signs in, sends
// call messages and turns what arrives into typed signals. When the connection drops it
// reconnects with backoff and signs in again, reporting each step through stateChanged().
// Lives on the main thread: libsoup objects are used only there.
class SignalingClient : public CallSignaling {
    Q_OBJECT
public:
    enum class State {
        Disconnected = 1,  // not connected and not trying
        Connecting,        // first connection attempt under way
        LoggingIn,         // connected, login sent
        LoggedIn,
        Reconnecting,      // connection lost or not reachable; waiting for the next attempt
    };
    Q_ENUM(State)

    explicit SignalingClient(QObject *parent = nullptr);
    ~SignalingClient() override;

    // Connects and signs in as `name`; keeps reconnecting until disconnectFromServer().
    void connectToServer(const QUrl &url, const QString &name);
    void disconnectFromServer();

    State state() const { return state_; }
    QUrl url() const { return url_; }
    QStringList onlineUsers() const;

    // CallSignaling
    bool isSignedIn() const override { return state_ == State::LoggedIn; }
    QString name() const override { return name_; }
    QList<protocol::IceServer> iceServers() const override { return iceServers_; }
    // Sends a message once logged in; returns false (and logs) otherwise.
    bool send(const protocol::Message &message) override;
    // Reconnects at once when the connection's own local address is gone.
    void networkChanged() override;

    // Tuning for tests and the desktop app: how often to ping, and how long silence means dead.
    void setKeepalive(int intervalSeconds, int deadAfterSeconds);
    void setBackoff(ReconnectBackoff backoff) { backoff_ = backoff; }
    // For wss:// servers whose certificate the system does not trust (self-signed): accept this
    // one certificate (PEM), and only it. Certificates are otherwise verified as usual; one that
    // fails is refused, reported by untrustedCertificate() and not retried. Empty: none.
    void setTrustedCertificate(const QByteArray &pem) { trustedCertificatePem_ = pem; }
    QByteArray trustedCertificate() const { return trustedCertificatePem_; }
    // The same choice made by SHA-256 fingerprint ("AB:CD:…", ServerCertificate's form) where the
    // certificate itself is not at hand (confab-call --trust-certificate): a certificate the system
    // refuses is accepted when its fingerprint is one of these, and refused otherwise, as above.
    void setTrustedFingerprints(const QStringList &sha256Fingerprints) { trustedFingerprints_ = sha256Fingerprints; }
    QStringList trustedFingerprints() const { return trustedFingerprints_; }
    // Sent with every login (and re-login after a reconnect) when set; a server without
    // authentication ignores them. See docs/protocol.md, "Signing in".
    void setPassword(const QString &password) { password_ = password; }
    void setToken(const QString &token) { token_ = token; }

    static QString describe(State state);

Q_SIGNALS:
    // `reason` is a sentence for the user when the state is worse than before, else empty.
    void stateChanged(confab::SignalingClient::State state, const QString &reason);
    void loggedIn(const QString &name);
    // The server said no to the name: not retried, the state is Disconnected.
    void loginRefused(protocol::ErrorCode code, const QString &message);
    void usersChanged(const QStringList &users);
    // offerReceived, answerReceived, candidateReceived, leaveReceived, ringingReceived and
    // serverError are CallSignaling's.
    // The wss:// server presented a certificate that neither the system nor setTrustedCertificate()
    // trusts: the connection was refused and the state is Disconnected (with the reason), not
    // retried, since the same certificate would be refused again. `replacesTrusted`: a certificate
    // was set with setTrustedCertificate() (or fingerprints with setTrustedFingerprints()) and this
    // one differs from it (the server changed its
    // certificate, or someone is in between). To connect anyway, the user decides: pin
    // `certificate.pem` and connect again.
    void untrustedCertificate(const confab::ServerCertificate &certificate, bool replacesTrusted);

private:
    static void onConnected(GObject *session, GAsyncResult *result, gpointer self);
    static gboolean onAcceptCertificate(SoupMessage *, GTlsCertificate *presented, GTlsCertificateFlags,
                                        gpointer self);
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self);
    static void onClosed(SoupWebsocketConnection *, gpointer self);
    static void onPong(SoupWebsocketConnection *, GBytes *, gpointer self);

    void attempt();
    void connected(SoupWebsocketConnection *socket);
    void connectFailed(const QString &reason);
    void refuseCertificate();
    void lost(const QString &reason);
    void receive(QByteArrayView text);
    void handle(const protocol::Message &message);
    void dropSocket();
    // Everything disconnectFromServer() does except reporting the state.
    void stop();
    void setState(State state, const QString &reason = {});
    void checkAlive();

    GObjectPtr<SoupSession> session_;
    GObjectPtr<GCancellable> pending_;
    GObjectPtr<SoupWebsocketConnection> socket_;
    QUrl url_;
    QString name_;
    QString password_;
    QString token_;
    State state_ = State::Disconnected;
    bool everLoggedIn_ = false;
    QSet<QString> online_;
    QList<protocol::IceServer> iceServers_;
    QByteArray trustedCertificatePem_;
    QStringList trustedFingerprints_;
    // The certificate this attempt refused (empty pem: none), reported once the attempt fails.
    ServerCertificate refusedCertificate_;
    ReconnectBackoff backoff_;
    QTimer retryTimer_;
    QTimer aliveTimer_;
    QElapsedTimer lastHeard_;
    int keepaliveSeconds_ = 10;
    int deadAfterSeconds_ = 30;
};

}  // namespace confab
