// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QUrl>

// A confab-server process on an ephemeral port, started from $CONFAB_SERVER_BIN (ws://, or wss://
// when started with --tls-cert/--tls-key).
class ServerProcess {
public:
    ServerProcess();
    ~ServerProcess();
    bool start(const QStringList &extraArguments = {});
    // A command the server runs under, e.g. {"ip", "netns", "exec", NAME}; before start().
    void setLauncher(const QStringList &launcher) { launcher_ = launcher; }
    void kill();  // SIGKILL: the server vanishes without closing anything
    QUrl url() const { return url_; }

private:
    QProcess process_;
    QStringList launcher_;
    QUrl url_;
};

// A confab-call process with --json; collects its events as they are printed.
class CallProcess {
public:
    explicit CallProcess(const QString &name);
    ~CallProcess();

    void start(const QUrl &server, const QStringList &arguments);
    // A command the peer runs under, e.g. {"ip", "netns", "exec", NAME}; before start().
    void setLauncher(const QStringList &launcher) { launcher_ = launcher; }
    // Waits for the next event named `event` (looking at all printed so far first).
    QJsonObject waitFor(const QString &event, int timeoutMs);
    bool has(const QString &event) const;
    QList<QJsonObject> events(const QString &event) const;
    bool waitForExit(int timeoutMs);
    int exitCode() const { return process_.exitCode(); }
    QString errorOutput() const { return stderr_; }
    void kill();
    qint64 pid() const { return process_.processId(); }

private:
    void readEvents();

    QString name_;
    QProcess process_;
    QStringList launcher_;
    QList<QJsonObject> events_;
    QByteArray partial_;
    QString stderr_;
};
