// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RawWebSocketClient.h"

#include "signaling/SignalingServer.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

// Base of the suites that run a SignalingServer in the test's own process, on 127.0.0.1 and an
// ephemeral port, started by each test (or by init() or initTestCase()), and of raw clients
// connected or signed in to it. The suite derives from this instead of QObject; it owns the
// server until stopServer().
class ServerTestCase : public QObject {
    Q_OBJECT
protected:
    using Client = std::unique_ptr<RawWebSocketClient>;

    // A short presence window keeps sign-ins quick; tests about batching set their own.
    static confab::SignalingServerOptions fastOptions();

    // Starts a server with `options` on an ephemeral port (their port is ignored); a test failure
    // saying why when it cannot listen.
    void startServer(confab::SignalingServerOptions options = fastOptions());
    void stopServer() { server_.reset(); }

    confab::SignalingServer &server() { return *server_; }
    QUrl url() const { return url_; }

    // See RawWebSocketClient::connectedTo / signedInTo.
    Client connected() const { return RawWebSocketClient::connectedTo(url_); }
    Client signedIn(const QString &name) const { return RawWebSocketClient::signedInTo(url_, name); }

private:
    std::unique_ptr<confab::SignalingServer> server_;
    QUrl url_;
};
