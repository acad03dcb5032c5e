// SPDX-License-Identifier: GPL-3.0-or-later
#include "RedisServerProcess.h"

#include <QStandardPaths>
#include <QTest>

#include <csignal>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A port nobody listens on now: the kernel's pick for a socket bound to port 0.
int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

}  // namespace

RedisServerProcess::RedisServerProcess() {
    process_.setProcessChannelMode(QProcess::MergedChannels);
}

RedisServerProcess::~RedisServerProcess() {
    kill();
}

bool RedisServerProcess::available() {
    return !QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty();
}

bool RedisServerProcess::start() {
    // Another process may take the port between our pick and Redis's bind: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        const bool restart = port_ != 0;
        if (!restart) {
            port_ = freeLoopbackPort();
        }
        process_.start(QStringLiteral("redis-server"),
                       {QStringLiteral("--port"), QString::number(port_), QStringLiteral("--bind"),
                        QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                        QStringLiteral("--appendonly"), QStringLiteral("no"), QStringLiteral("--daemonize"),
                        QStringLiteral("no"), QStringLiteral("--loglevel"), QStringLiteral("notice")});
        if (!process_.waitForStarted(5000)) {
            qWarning("cannot start redis-server: %s", qPrintable(process_.errorString()));
            return false;
        }
        QByteArray output;
        const bool ready = QTest::qWaitFor(
            [&] {
                output += process_.readAll();
                return output.contains("Ready to accept connections") ||
                       process_.state() == QProcess::NotRunning;
            },
            10000);
        if (ready && process_.state() == QProcess::Running) {
            return true;
        }
        qWarning("redis-server on port %d did not start: %s", port_, output.right(400).constData());
        kill();
        if (!restart) {
            port_ = 0;
        }
    }
    return false;
}

void RedisServerProcess::kill() {
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}

void RedisServerProcess::pause() {
    ::kill(pid_t(process_.processId()), SIGSTOP);
}

void RedisServerProcess::resume() {
    ::kill(pid_t(process_.processId()), SIGCONT);
}
