// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>

// A throwaway redis-server for the cluster tests: loopback only, a free port, nothing saved to
// disk. It can be killed and started again on the same port, as a Redis restart. Owned by the test.
class RedisServerProcess {
public:
    RedisServerProcess();
    ~RedisServerProcess();

    // Whether redis-server is installed (tests QSKIP without it).
    static bool available();

    // Starts on a free port (the first time) or on the same port again; false after a warning.
    bool start();
    // SIGKILL: Redis vanishes with everything it held (nothing is saved).
    void kill();
    // SIGSTOP / SIGCONT: Redis stops answering without closing anything, like a stalled host.
    void pause();
    void resume();
    int port() const { return port_; }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1").arg(port_); }

private:
    QProcess process_;
    int port_ = 0;
};
