// SPDX-License-Identifier: GPL-3.0-or-later
#include "PrivateSessionBus.h"

#include <QDeadlineTimer>
#include <QStandardPaths>

#include <algorithm>

PrivateSessionBus::~PrivateSessionBus() {
    stop();
}

QString PrivateSessionBus::configFile() {
    return QStringLiteral(CONFAB_PRIVATE_BUS_CONFIG);
}

bool PrivateSessionBus::start(int timeoutMs) {
    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (daemon.isEmpty()) {
        error_ = QStringLiteral("dbus-daemon is needed (package dbus-daemon, in CONFAB_TEST_PACKAGES)");
        return false;
    }
    daemon_.start(daemon, {QStringLiteral("--config-file=%1").arg(configFile()), QStringLiteral("--nofork"),
                           QStringLiteral("--print-address=1")});
    const QDeadlineTimer deadline(timeoutMs);
    if (!daemon_.waitForStarted(timeoutMs)) {
        error_ = QStringLiteral("dbus-daemon did not start: %1").arg(daemon_.errorString());
        return false;
    }
    while (!daemon_.canReadLine() && !deadline.hasExpired() && daemon_.state() == QProcess::Running) {
        daemon_.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())));
    }
    if (!daemon_.canReadLine()) {
        error_ = QStringLiteral("dbus-daemon printed no address: %1")
                     .arg(QString::fromLocal8Bit(daemon_.readAllStandardError()).trimmed());
        stop();
        return false;
    }
    address_ = QString::fromUtf8(daemon_.readLine().trimmed());
    return true;
}

void PrivateSessionBus::stop() {
    if (daemon_.state() != QProcess::NotRunning) {
        daemon_.kill();
        daemon_.waitForFinished();
    }
}
