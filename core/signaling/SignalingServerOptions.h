#pragma once

#include "protocol/Message.h"

#include <QList>
#include <QString>

namespace confab {

// Everything confab-server can be told on its command line (and later in /etc/confab/server.conf).
struct SignalingServerOptions {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 8443;  // 0 picks a free port
    qsizetype maxMessageBytes = 65536;
    int maxJsonDepth = 32;
    QList<protocol::IceServer> iceServers;  // handed to every client in the login reply
    QString tlsCertificateFile;             // both set: wss://
    QString tlsKeyFile;
    int keepaliveIntervalSeconds = 15;  // WebSocket pings
    int silentTimeoutSeconds = 45;      // no pong or message for this long: the connection is dead
    int presenceBatchMilliseconds = 100;
};

}  // namespace confab
