// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

// Debian's coturn (`turnserver`) started for one test, with the TURN REST secret our signaling
// server's --turn-secret shares (`use-auth-secret`): it accepts exactly the credentials
// TurnCredentials hands out. Its database and pid file live in a temporary directory; the
// process is killed with this object (or with the test process).
class TurnServer {
public:
    static constexpr int kPort = 3478;

    TurnServer();
    ~TurnServer();
    TurnServer(const TurnServer &) = delete;
    TurnServer &operator=(const TurnServer &) = delete;

    // Runs turnserver under `launcher` (a network namespace) on `address`, relaying from the same
    // address; returns once it listens (checked with `ss` through `launcher`), false with *error
    // otherwise.
    bool start(const QStringList &launcher, const QString &address, const QString &secret, QString *error);
    // What the server logged (verbose): which users allocated what, for a failing test's output.
    QString log() const;

private:
    QTemporaryDir directory_;
    QProcess process_;
    QByteArray log_;
};
