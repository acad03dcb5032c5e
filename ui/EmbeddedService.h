// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QUrl>

#include <memory>

namespace confab {
class HeadlessPeer;
class SignalingServer;
}  // namespace confab

namespace confab::ui {

// The first-start default: a signaling server on 127.0.0.1 inside the app and an `echo` contact
// (HeadlessPeer in echo mode, as `confab-call --echo`) signed in to it, so a new user can call
// `echo` at once and see and hear themselves. When the port is already taken — most likely by
// another Confab's embedded server — the app joins that server instead and starts no echo of its
// own (that Confab's echo serves both). Owned by the main window.
class EmbeddedService : public QObject {
    Q_OBJECT
public:
    static constexpr quint16 kDefaultPort = 8443;
    static QString echoName() { return QStringLiteral("echo"); }

    explicit EmbeddedService(quint16 port = kDefaultPort, QObject *parent = nullptr);
    ~EmbeddedService() override;

    // Starts the server and the echo contact, or settles for joining whoever holds the port.
    void start();
    // When joined: tries again to run the server and echo, for when the Confab that ran them has
    // quit (its clients then reconnect to ours on the same address). True if this now runs them.
    bool takeOver();
    QUrl url() const { return url_; }
    // True when this process runs the server (false: joined one already there).
    bool runsServer() const { return server_ != nullptr; }
    bool runsEcho() const { return echo_ != nullptr; }

Q_SIGNALS:
    // The echo contact gave up (it could not sign in); a sentence for the user.
    void echoStopped(const QString &sentence);

private:
    bool startServer();

    quint16 port_;
    QUrl url_;
    std::unique_ptr<SignalingServer> server_;
    std::unique_ptr<HeadlessPeer> echo_;
};

}  // namespace confab::ui
