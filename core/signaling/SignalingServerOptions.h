// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/Message.h"

#include <QList>
#include <QString>

#include <chrono>

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
    // Connections per main-loop shard (ContextShardSet): GLib's per-connection work costs
    // O(connections in a shard). 0: one shard for all.
    int connectionsPerShard = 16;

    // Abuse limits (docs/security.md). A value of 0 turns a limit off.
    double messagesPerSecond = 50;    // per connection, sustained (token bucket refill)
    int messageBurst = 200;           // per connection, at once (token bucket size)
    // Connections one address (an IPv6 /64) may hold, counted from accept: those still in their
    // handshake too.
    int maxConnectionsPerIp = 64;
    // Loopback peers are not counted by default: behind a TLS proxy on the same host every client
    // comes from 127.0.0.1 (the proxy must limit them), and so do local tools and benchmarks. The
    // same goes for the fairness of password checks by address (PasswordCheckQueue).
    bool limitLoopbackConnections = false;
    // A connection that has not completed its WebSocket upgrade (and TLS handshake) this long
    // after accept is closed (PendingHandshakes); 0: never.
    std::chrono::milliseconds handshakeTimeout = std::chrono::seconds(10);
    // Connections in their handshake at once; beyond it the oldest of the address holding most
    // goes. 0: no cap.
    int maxHandshakes = 1000;
    int loginTimeoutSeconds = 10;     // a connection not signed in by then is closed
    // Bytes a connection may have queued for sending that its client has not read (a slow or
    // stalled reader) before it is dropped; 0: no cap. Must exceed the largest presence list
    // (about 25 bytes a user online).
    qsizetype maxQueuedBytes = 1048576;
    qsizetype maxSdpBytes = 32768;    // `sdp` of an offer or answer, in UTF-8 bytes
    qsizetype maxCandidateBytes = 1024;  // a trickled `candidate` string, in UTF-8 bytes
    // Bytes a client may send that have not yet made a whole message: bounds what libsoup 3.2
    // buffers for a message sent in fragments (CVE-2025-32049). Never below 4 × maxMessageBytes.
    qsizetype maxPendingBytes = 1048576;

    // Authentication (docs/security.md), off when both are empty. With both, a login needs both.
    QString usersFile;   // PasswordFile: each name signs in only with its password
    QByteArray token;    // a shared secret every login must carry

    // TURN REST credentials (TurnCredentials), handed out in each login reply when a secret is set.
    QByteArray turnSecret;
    QStringList turnUrls;         // turn: / turns: URLs of the TURN server sharing the secret
    int turnTtlSeconds = 86400;   // how long a credential stays valid

    // Cluster mode (docs/deploy.md): nodes sharing this Redis (redis://host:port) share names,
    // presence and calls. Empty: a server on its own, as before.
    QString redisUrl;
    int redisPresenceTtlSeconds = 15;  // a dead node's users are offline after at most this long
};

}  // namespace confab
