// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProcessPeers.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <sys/prctl.h>

#include <csignal>

namespace {

// Runs `program` directly, or as the last word of `launcher`. The child gets SIGKILL when the test
// process dies (even by SIGKILL on a CTest timeout), so no server or peer outlives its test.
void startUnder(QProcess &process, const QStringList &launcher, const QString &program,
                const QStringList &arguments) {
    process.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
    if (launcher.isEmpty()) {
        process.start(program, arguments);
    } else {
        process.start(launcher.first(), launcher.mid(1) << program << arguments);
    }
}

}  // namespace

ServerProcess::ServerProcess() = default;

ServerProcess::~ServerProcess() {
    kill();
}

bool ServerProcess::start(const QStringList &extraArguments) {
    startUnder(process_, launcher_, qEnvironmentVariable("CONFAB_SERVER_BIN"),
               QStringList{QStringLiteral("--port"), QStringLiteral("0")} + extraArguments);
    if (!process_.waitForStarted(5000)) {
        qWarning("cannot start confab-server from $CONFAB_SERVER_BIN");
        return false;
    }
    QByteArray output;
    const bool ok = QTest::qWaitFor(
        [&] {
            output += process_.readAllStandardOutput();
            return output.contains('\n');
        },
        10000);
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("listening on (wss?://\\S+)")).match(QString::fromUtf8(output));
    url_ = QUrl(match.captured(1));
    return ok && match.hasMatch();
}

void ServerProcess::kill() {
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}

CallProcess::CallProcess(const QString &name) : name_(name) {
    QObject::connect(&process_, &QProcess::readyReadStandardOutput, [this] { readEvents(); });
    QObject::connect(&process_, &QProcess::readyReadStandardError,
                     [this] { stderr_ += QString::fromUtf8(process_.readAllStandardError()); });
}

CallProcess::~CallProcess() {
    kill();
}

void CallProcess::start(const QUrl &server, const QStringList &arguments) {
    const QStringList common{QStringLiteral("--server"), server.toString(), QStringLiteral("--name"), name_,
                             QStringLiteral("--json"),   QStringLiteral("--size"), QStringLiteral("320x240"),
                             QStringLiteral("--fps"),    QStringLiteral("15")};
    startUnder(process_, launcher_, qEnvironmentVariable("CONFAB_CALL_BIN"), common + arguments);
    process_.waitForStarted(5000);
}

void CallProcess::readEvents() {
    partial_ += process_.readAllStandardOutput();
    qsizetype newline;
    while ((newline = partial_.indexOf('\n')) >= 0) {
        const QByteArray line = partial_.left(newline);
        partial_.remove(0, newline + 1);
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject()) {
            events_.append(document.object());
        } else {
            qWarning("%s printed a line that is not JSON: %s", qPrintable(name_), line.constData());
        }
    }
}

QJsonObject CallProcess::waitFor(const QString &event, int timeoutMs) {
    QJsonObject found;
    // An empty object tells the caller it did not come in time.
    (void)QTest::qWaitFor(
        [&] {
            readEvents();
            for (const QJsonObject &e : std::as_const(events_)) {
                if (e.value(QStringLiteral("event")).toString() == event) {
                    found = e;
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

bool CallProcess::has(const QString &event) const {
    return !events(event).isEmpty();
}

QList<QJsonObject> CallProcess::events(const QString &event) const {
    QList<QJsonObject> result;
    for (const QJsonObject &e : events_) {
        if (e.value(QStringLiteral("event")).toString() == event) {
            result.append(e);
        }
    }
    return result;
}

bool CallProcess::waitForExit(int timeoutMs) {
    return QTest::qWaitFor([&] { return process_.state() == QProcess::NotRunning; }, timeoutMs);
}

void CallProcess::kill() {
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}
