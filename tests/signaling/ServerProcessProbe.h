// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ServerProcess.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

// A confab-server process for the tests that watch what an attack costs the server itself: its
// descriptors, memory and CPU, and what it logs (bench/signaling-load's ServerProcess, started
// from $CONFAB_SERVER_BIN with its stderr in a temporary file).
class ServerProcessProbe {
public:
    // Starts the server with `arguments` (after --port 0); isRunning() says whether it did, and
    // error() why not.
    explicit ServerProcessProbe(const QStringList &arguments);

    bool isRunning() const { return server_ != nullptr; }
    QString error() const { return error_; }
    confab::bench::ServerProcess &process() { return *server_; }
    QString url() const;
    quint16 port() const;
    // Open descriptors of the server process; -1 when unknown.
    int descriptors() const;
    // Connections waiting in the kernel for the server to accept them (the listening socket's
    // queue in /proc/net/tcp); -1 when unknown.
    int acceptQueue() const;
    // Everything the server has logged so far, and how many of its lines contain `text`.
    QString log() const;
    int logLines(const QString &text) const;

private:
    QTemporaryDir directory_;
    std::unique_ptr<confab::bench::ServerProcess> server_;
    QString error_;
};
