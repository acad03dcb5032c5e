// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClusterServerProcess.h"

#include "RawWebSocketClient.h"

#include <QRegularExpression>
#include <QTest>

ClusterServerProcess::ClusterServerProcess(QString name) : name_(std::move(name)) {
    process_.setProcessChannelMode(QProcess::MergedChannels);
}

ClusterServerProcess::~ClusterServerProcess() {
    kill();
}

void ClusterServerProcess::read() {
    log_ += QString::fromUtf8(process_.readAll());
}

bool ClusterServerProcess::start(const QString &redisUrl, int presenceTtlSeconds,
                                 const QStringList &extraArguments) {
    process_.start(
        qEnvironmentVariable("CONFAB_SERVER_BIN"),
        QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--redis"), redisUrl,
                    QStringLiteral("--redis-presence-ttl"), QString::number(presenceTtlSeconds)} +
            extraArguments);
    if (!process_.waitForStarted(5000)) {
        qWarning("%s: cannot start confab-server from $CONFAB_SERVER_BIN", qPrintable(name_));
        return false;
    }
    const QRegularExpression listening(QStringLiteral("listening on (ws://\\S+)"));
    const bool ok = QTest::qWaitFor(
        [&] {
            read();
            return listening.match(log_).hasMatch() || process_.state() == QProcess::NotRunning;
        },
        RawWebSocketClient::defaultTimeoutMs());
    url_ = QUrl(listening.match(log_).captured(1));
    if (!ok || url_.isEmpty()) {
        qWarning("%s: confab-server did not start:\n%s", qPrintable(name_), qPrintable(log_));
        return false;
    }
    if (!waitForLog(QStringLiteral("online in the cluster"), 1, RawWebSocketClient::defaultTimeoutMs())) {
        qWarning("%s: confab-server did not join the cluster:\n%s", qPrintable(name_), qPrintable(log_));
        return false;
    }
    return true;
}

int ClusterServerProcess::logCount(const QString &text) {
    read();
    return int(log_.count(text));
}

bool ClusterServerProcess::waitForLog(const QString &text, int times, int timeoutMs) {
    return QTest::qWaitFor([&] { return logCount(text) >= times; }, timeoutMs);
}

void ClusterServerProcess::kill() {
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(5000);
        read();
    }
}

bool ClusterServerProcess::terminate() {
    process_.terminate();
    const bool exited = QTest::qWaitFor([&] { return process_.state() == QProcess::NotRunning; },
                                        RawWebSocketClient::defaultTimeoutMs());
    read();
    return exited && process_.exitStatus() == QProcess::NormalExit && process_.exitCode() == 0;
}
