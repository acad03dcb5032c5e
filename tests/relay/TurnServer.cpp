// SPDX-License-Identifier: GPL-3.0-or-later
#include "TurnServer.h"

#include <QTest>

#include <sys/prctl.h>

#include <csignal>

TurnServer::TurnServer() = default;

TurnServer::~TurnServer() {
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}

bool TurnServer::start(const QStringList &launcher, const QString &address, const QString &secret,
                       QString *error) {
    if (!directory_.isValid()) {
        *error = QStringLiteral("no temporary directory for turnserver: ") + directory_.errorString();
        return false;
    }
    const QString port = QString::number(kPort);
    const QStringList arguments{
        QStringLiteral("turnserver"),
        QStringLiteral("-n"),  // no configuration file
        QStringLiteral("--verbose"),
        QStringLiteral("--listening-ip=") + address,
        QStringLiteral("--relay-ip=") + address,
        QStringLiteral("--listening-port=") + port,
        QStringLiteral("--min-port=49152"),
        QStringLiteral("--max-port=49407"),
        QStringLiteral("--use-auth-secret"),
        QStringLiteral("--static-auth-secret=") + secret,
        QStringLiteral("--realm=confab.test"),
        QStringLiteral("--no-tls"),
        QStringLiteral("--no-dtls"),
        QStringLiteral("--no-cli"),
        // To stdout, which this object keeps for a failing test's message (who allocated what).
        QStringLiteral("--log-file=stdout"),
        QStringLiteral("--simple-log"),
        QStringLiteral("--pidfile=") + directory_.filePath(QStringLiteral("turn.pid")),
        QStringLiteral("--db=") + directory_.filePath(QStringLiteral("turndb"))};
    process_.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&process_, &QProcess::readyReadStandardOutput,
                     [this] { log_ += process_.readAllStandardOutput(); });
    process_.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
    process_.start(launcher.first(), launcher.mid(1) + arguments);
    if (!process_.waitForStarted(5000)) {
        *error = QStringLiteral("cannot start turnserver: ") + process_.errorString();
        return false;
    }
    // Listening, as the kernel of its namespace sees it: no guessing from log lines.
    const QStringList listening =
        launcher.mid(1) + QStringList{QStringLiteral("ss"), QStringLiteral("-H"), QStringLiteral("-uln"),
                                      QStringLiteral("sport = :") + port};
    const bool up = QTest::qWaitFor(
        [&] {
            if (process_.state() == QProcess::NotRunning) {
                return true;
            }
            QProcess ss;
            ss.start(launcher.first(), listening);
            ss.waitForFinished(5000);
            return !ss.readAllStandardOutput().trimmed().isEmpty();
        },
        15000);
    if (!up || process_.state() == QProcess::NotRunning) {
        *error = QStringLiteral("turnserver did not start listening on %1:%2. Its log:\n%3")
                     .arg(address, port, log());
        return false;
    }
    return true;
}

QString TurnServer::log() const {
    return QString::fromUtf8(log_);
}
