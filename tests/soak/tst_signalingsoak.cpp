// SPDX-License-Identifier: GPL-3.0-or-later
// Soak: 2,000 clients connect, sign in, do a call's signaling in pairs (offer, answer, candidates,
// leave) and disconnect, round after round for CONFAB_SOAK_SECONDS (default 300) against one
// confab-server. The server must not crash, send no error, close no one, lose no message, let
// every name go between rounds, and end with its RSS within 10% of what it was after the warm-up
// (the rounds of the first tenth of the time). Registered with the `soak` label; see docs/security.md.
#include "CannotRun.h"
#include "ServerProcess.h"
#include "SoakClients.h"
#include "TestTime.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

using confab::bench::ServerProcess;
using confab::soak::SoakClients;

namespace {

constexpr int kClients = 2000;
constexpr double kAllowedRssChange = 0.10;
constexpr int kWarmUpShare = 10;  // the first 1/10 of the soak's time warms up
// Longer than the server's HeapTrimmer quiet time (500 ms), with room for a busy machine.
constexpr int kTrimSettleMs = 1500;

int soakSeconds() {
    bool ok = false;
    const int seconds = qEnvironmentVariableIntValue("CONFAB_SOAK_SECONDS", &ok);
    return ok && seconds > 0 ? seconds : 300;
}

QString tail(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return QStringLiteral("(no server log)");
    }
    const QByteArray text = file.readAll();
    return QString::fromUtf8(text.right(3000));
}

}  // namespace

class TestSignalingSoak : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void twoThousandClientsCallRoundAfterRoundWithoutErrorsOrGrowth() {
        // 2,000 client sockets here and as many in the server: raise the open-file limit, which
        // the server inherits.
        const long limit = confab::bench::raiseOwnOpenFileLimit(3 * kClients + 1024);
        if (limit < 2 * kClients + 256) {
            CONFAB_CANNOT_RUN(QStringLiteral("the open-file limit is %1; this soak needs %2")
                                  .arg(limit)
                                  .arg(2 * kClients + 256));
        }
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString log = directory.filePath(QStringLiteral("server.log"));
        std::string error;
        // Defaults otherwise: every abuse limit on, as a deployed server has them.
        std::unique_ptr<ServerProcess> server = ServerProcess::start(
            qEnvironmentVariable("CONFAB_SERVER_BIN").toStdString(), {}, log.toStdString(), &error);
        QVERIFY2(server, error.c_str());

        SoakClients::Settings settings;
        settings.url = server->url();
        settings.clients = kClients;
        SoakClients clients(settings);

        const int seconds = soakSeconds();
        QElapsedTimer elapsed;
        elapsed.start();
        long warmRssKiB = -1;
        long lastRssKiB = -1;
        long calls = 0;
        int rounds = 0;
        // The rounds of the first tenth of the time warm up: GLib 2.74's slice allocator keeps the
        // slabs of the most sources, poll records and list nodes ever alive at once, and hash tables
        // keep their largest size, so the first rounds, whose overlaps differ, raise the floor in
        // steps (a quiet run: 30.4 MB after round 1, 33.4 MB from round 12 to round 94). RSS after
        // the warm-up is the start the end is held to. Each round is bounded; at least two rounds.
        while (rounds < 2 || elapsed.elapsed() < qint64(seconds) * 1000) {
            const SoakClients::Round round = clients.runRound(scaled(180000));
            ++rounds;
            QVERIFY2(
                server->alive(),
                qPrintable(
                    QStringLiteral("the server died in round %1; its log:\n%2").arg(rounds).arg(tail(log))));
            QVERIFY2(round.failures() == 0,
                     qPrintable(QStringLiteral(
                                    "round %1: %2 failures (connect %3, refused %4, errors %5, closed %6, "
                                    "misrouted %7, unexpected %8, timed out %9); first: %10")
                                    .arg(rounds)
                                    .arg(round.failures())
                                    .arg(round.connectFailures)
                                    .arg(round.loginRefused)
                                    .arg(round.errorFrames)
                                    .arg(round.closedByServer)
                                    .arg(round.misrouted)
                                    .arg(round.unexpected)
                                    .arg(round.timedOut)
                                    .arg(QString::fromStdString(round.firstFailure))));
            QCOMPARE(round.signedIn, long(kClients));
            QCOMPARE(round.callsCompleted, long(kClients / 2));
            calls += round.callsCompleted;
            // Every session of the round is gone before memory is read: a new client sees no one
            // else online (the server may take a moment to notice the last closes).
            int others = -1;
            QVERIFY2(
                QTest::qWaitFor([&] { return (others = clients.othersOnline(scaled(10000))) == 0; },
                                scaled(20000)),
                qPrintable(QStringLiteral("after round %1, %2 names still online").arg(rounds).arg(others)));
            // The server hands freed memory back to the system half a second after its last close
            // (HeapTrimmer), the check above being a close too: read RSS after that, every round.
            QTest::qWait(scaled(kTrimSettleMs));
            lastRssKiB = server->rssKiB();
            if (warmRssKiB < 0 || elapsed.elapsed() < qint64(seconds) * 1000 / kWarmUpShare) {
                warmRssKiB = lastRssKiB;
            }
            qInfo(
                "round %d: %.1f s (all signed in at %.1f s, calls done at %.1f s), %ld signed in, %ld calls, "
                "%ld frames received (%ld users/presence), server VmRSS %.1f MB",
                rounds, round.seconds, round.loginSeconds, round.callsSeconds, round.signedIn,
                round.callsCompleted, round.framesReceived, round.presenceFrames, double(lastRssKiB) / 1024);
        }
        const double change = double(lastRssKiB - warmRssKiB) / double(warmRssKiB);
        qInfo(
            "soak: %d rounds, %ld calls in %.0f s; server VmRSS after the warm-up %.1f MB, at the end "
            "%.1f MB (%+.1f%%), peak (VmHWM) %.1f MB",
            rounds, calls, double(elapsed.elapsed()) / 1000, double(warmRssKiB) / 1024,
            double(lastRssKiB) / 1024, change * 100, double(server->peakRssKiB()) / 1024);
        QVERIFY2(std::abs(change) <= kAllowedRssChange,
                 qPrintable(QStringLiteral("server RSS moved %1% from the end of the warm-up (limit %2%)")
                                .arg(change * 100, 0, 'f', 1)
                                .arg(kAllowedRssChange * 100)));
        QVERIFY(server->alive());
    }
};

int main(int argc, char **argv) {
    // Qt Test aborts a test function after QTEST_FUNCTION_TIMEOUT (default 5 minutes): give the
    // soak its duration, one slow last round and the start and stop on top.
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT")) {
        qputenv("QTEST_FUNCTION_TIMEOUT", QByteArray::number(qint64(soakSeconds()) * 1000 + scaled(600000)));
    }
    QCoreApplication app(argc, argv);
    TestSignalingSoak test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_signalingsoak.moc"
