// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>

// A D-Bus session bus of a test's own: `dbus-daemon` with tests/support/private-session-bus.conf,
// which makes nothing activatable, so the only services on it are the ones the test registers
// (a fake portal, notification server or screensaver) and never the machine's real ones.
// The daemon is stopped when this is destroyed.
class PrivateSessionBus {
public:
    PrivateSessionBus() = default;
    ~PrivateSessionBus();
    PrivateSessionBus(const PrivateSessionBus &) = delete;
    PrivateSessionBus &operator=(const PrivateSessionBus &) = delete;

    // Starts the daemon and waits for its address. False with error() saying why (no
    // dbus-daemon, or it did not start within `timeoutMs`).
    bool start(int timeoutMs = 10000);
    QString address() const { return address_; }
    QString error() const { return error_; }
    void stop();

    // The configuration file, for tools that start a bus themselves (dbus-run-session --config-file).
    static QString configFile();

private:
    QProcess daemon_;
    QString address_;
    QString error_;
};
