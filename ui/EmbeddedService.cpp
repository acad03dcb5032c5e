// SPDX-License-Identifier: GPL-3.0-or-later
#include "EmbeddedService.h"

#include "UiLogging.h"
#include "call/HeadlessPeer.h"
#include "signaling/SignalingServer.h"

namespace confab::ui {

EmbeddedService::EmbeddedService(quint16 port, QObject *parent) : QObject(parent), port_(port) {}

EmbeddedService::~EmbeddedService() {
    // The echo signs out before its server goes: it is a client of it.
    echo_.reset();
    server_.reset();
}

void EmbeddedService::start() {
    if (!url_.isEmpty()) {
        return;
    }
    if (!startServer()) {
        // Most likely another Confab's embedded server: join it. If it is some other program, the
        // sign-in fails and the sign-in page says so.
        url_.setScheme(QStringLiteral("ws"));
        url_.setHost(QStringLiteral("127.0.0.1"));
        url_.setPort(port_);
        url_.setPath(QStringLiteral("/"));
    }
}

bool EmbeddedService::takeOver() {
    if (server_ || url_.isEmpty()) {
        return false;
    }
    return startServer();
}

bool EmbeddedService::startServer() {
    SignalingServerOptions options;
    options.host = QStringLiteral("127.0.0.1");
    // Once joined, keep the address the clients know (port_ may be 0 in tests).
    options.port = url_.isEmpty() ? port_ : quint16(url_.port());
    auto server = std::make_unique<SignalingServer>(options);
    QString error;
    if (!server->start(&error)) {
        qCInfo(lcUi).noquote() << "no embedded server on port" << options.port << ":" << error;
        return false;
    }
    server_ = std::move(server);
    url_ = server_->url();
    qCInfo(lcUi).noquote() << "embedded signaling server on" << url_.toString();

    HeadlessPeer::Options echo;
    echo.server = url_;
    echo.name = echoName();
    echo.mode = HeadlessPeer::Mode::Echo;
    echo.quiet = true;
    echo.call.media.video = VideoSourceKind::Echo;
    echo.call.media.audio = AudioSourceKind::Echo;
    echo_ = std::make_unique<HeadlessPeer>(echo);
    connect(echo_.get(), &HeadlessPeer::finished, this, [this](int status) {
        // The echo gives up only when it cannot sign in; the rest of the app carries on.
        qCWarning(lcUi) << "the embedded echo contact stopped, status" << status;
        Q_EMIT echoStopped(
            tr("The echo test contact could not sign in; calls to echo will not be answered."));
    });
    echo_->start();
    return true;
}

}  // namespace confab::ui
