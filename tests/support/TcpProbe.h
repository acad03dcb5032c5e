// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

// A plain TCP connection from a chosen local address (any of 127.0.0.0/8 on loopback), for server
// tests that behave as no client library would: send half an HTTP request and stall, open a TLS
// connection and never speak, open many connections from one address. Non-blocking once
// connected; the waits spin the test thread's event loop, so an in-process server keeps running.
class TcpProbe {
public:
    // Connects from `localAddress` (port chosen by the kernel) to `host`:`port`; isConnected()
    // says whether it worked. A small `receiveBuffer` (bytes, 0: the kernel's default) makes a
    // client that does not read fill up soon.
    TcpProbe(const QString &localAddress, const QString &host, quint16 port, int receiveBuffer = 0);
    ~TcpProbe();
    TcpProbe(const TcpProbe &) = delete;
    TcpProbe &operator=(const TcpProbe &) = delete;

    bool isConnected() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    // Writes all of `data` (waiting while the socket is full); false on an error.
    bool send(const QByteArray &data, int timeoutMs = 5000);
    // Reads what has arrived, without waiting; false once the peer has closed (end of stream or
    // reset).
    bool readAvailable(QByteArray *into = nullptr);
    // Waits until the peer closes the connection; false if it was still open after `timeoutMs`.
    bool waitClosedByPeer(int timeoutMs);
    // True while the peer has not closed (looks without waiting).
    bool isOpen();

    // The start of an HTTP WebSocket upgrade request that never ends: what a slow client or an
    // attacker holding connections sends.
    static QByteArray halfUpgradeRequest();
    // A whole upgrade request.
    static QByteArray upgradeRequest();
    // A client's text frame carrying `text` (masked, as RFC 6455 wants from clients).
    static QByteArray textFrame(const QByteArray &text);

private:
    int fd_ = -1;
    bool closed_ = false;
};
