// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QStringList>
#include <QUrl>

// A confab-server node of a test cluster: a process from $CONFAB_SERVER_BIN on an ephemeral
// loopback port, joined to the test's Redis with a short presence TTL. It keeps the server's
// log, so a test can wait for the node to be online in the cluster. Owned by the test.
class ClusterServerProcess {
public:
    explicit ClusterServerProcess(QString name);
    ~ClusterServerProcess();

    // Starts and waits until the node listens and is online in the cluster; false after a warning.
    bool start(const QString &redisUrl, int presenceTtlSeconds, const QStringList &extraArguments = {});
    QUrl url() const { return url_; }
    // How many times the log has said `text` so far (after reading what the process printed).
    int logCount(const QString &text);
    // Waits until the log has said `text` at least `times` times.
    bool waitForLog(const QString &text, int times, int timeoutMs);
    void kill();       // SIGKILL: the node vanishes, telling nobody
    bool terminate();  // SIGTERM: the node shuts down as systemd stops it; true when it exited 0
    QString log() const { return log_; }

private:
    void read();

    QString name_;
    QProcess process_;
    QUrl url_;
    QString log_;
};
