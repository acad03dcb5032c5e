// SPDX-License-Identifier: GPL-3.0-or-later
#include "TcpProbe.h"

#include <QTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

TcpProbe::TcpProbe(const QString &localAddress, const QString &host, quint16 port, int receiveBuffer) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        qWarning("TcpProbe: no socket: %s", strerror(errno));
        return;
    }
    if (receiveBuffer > 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, localAddress.toLatin1().constData(), &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    inet_pton(AF_INET, host.toLatin1().constData(), &remote.sin_addr);
    // A blocking connect is fine: the kernel completes it from the server's listen backlog.
    if (bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0 ||
        connect(fd, reinterpret_cast<sockaddr *>(&remote), sizeof remote) != 0) {
        qWarning("TcpProbe: cannot connect from %s: %s", qPrintable(localAddress), strerror(errno));
        close(fd);
        return;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fd_ = fd;
}

TcpProbe::~TcpProbe() {
    if (fd_ >= 0) {
        close(fd_);
    }
}

bool TcpProbe::send(const QByteArray &data, int timeoutMs) {
    qsizetype done = 0;
    bool failed = fd_ < 0;
    (void)QTest::qWaitFor(
        [&] {
            while (!failed && done < data.size()) {
                const ssize_t sent =
                    ::send(fd_, data.constData() + done, size_t(data.size() - done), MSG_NOSIGNAL);
                if (sent < 0) {
                    failed = errno != EAGAIN;
                    return failed;
                }
                done += sent;
            }
            return true;
        },
        timeoutMs);
    return !failed && done == data.size();
}

bool TcpProbe::readAvailable(QByteArray *into) {
    if (fd_ < 0 || closed_) {
        return false;
    }
    char buffer[16384];
    for (;;) {
        const ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
        if (got > 0) {
            if (into) {
                into->append(buffer, got);
            }
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
            return true;
        }
        closed_ = true;  // end of stream, or reset
        return false;
    }
}

bool TcpProbe::isOpen() {
    return readAvailable();
}

bool TcpProbe::waitClosedByPeer(int timeoutMs) {
    return QTest::qWaitFor([this] { return !readAvailable(); }, timeoutMs);
}

QByteArray TcpProbe::halfUpgradeRequest() {
    return QByteArrayLiteral("GET / HTTP/1.1\r\nHost: x\r\n");
}

QByteArray TcpProbe::upgradeRequest() {
    return QByteArrayLiteral(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

QByteArray TcpProbe::textFrame(const QByteArray &text) {
    QByteArray frame;
    frame.append(char(0x81));  // FIN, text
    if (text.size() < 126) {
        frame.append(char(0x80 | text.size()));
    } else {
        Q_ASSERT(text.size() <= 0xffff);
        frame.append(char(0x80 | 126));
        frame.append(char((text.size() >> 8) & 0xff));
        frame.append(char(text.size() & 0xff));
    }
    static const char kMask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(kMask, 4);
    for (qsizetype i = 0; i < text.size(); ++i) {
        frame.append(char(text[i] ^ kMask[i % 4]));
    }
    return frame;
}
