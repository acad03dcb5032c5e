// SPDX-License-Identifier: GPL-3.0-or-later
// A signed-in client that never reads what the server sends it, while presence churns: libsoup
// would queue everything for it without end. The server drops it once its queue passes
// --max-queued-bytes, and its own memory stays bounded (core/signaling/SendQueueMeter.h). Against
// a confab-server process, whose memory is then its own.
#include "RawWebSocketClient.h"
#include "ServerProcessProbe.h"
#include "TcpProbe.h"
#include "TestTime.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>
#include <vector>

namespace {

constexpr int kQueueLimit = 65536;
constexpr int kChurnClients = 50;  // signing in and out together, a cycle
constexpr int kMaxCycles = 200;    // about 1.3 MB of presence for the slow reader: 20 times the limit

QByteArray loginFrame(const QString &name) {
    return TcpProbe::textFrame(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("login")},
                                                         {QStringLiteral("name"), name}})
                                   .toJson(QJsonDocument::Compact));
}

// Connects, upgrades and signs in a client that never reads again (`receiveBuffer` small: it
// fills at once); null on failure.
std::unique_ptr<TcpProbe> signedInRaw(quint16 port, const QString &name, int receiveBuffer = 0) {
    auto probe = std::make_unique<TcpProbe>(QStringLiteral("127.0.0.1"), QStringLiteral("127.0.0.1"), port,
                                            receiveBuffer);
    QByteArray answer;
    if (!probe->isConnected() || !probe->send(TcpProbe::upgradeRequest()) ||
        !QTest::qWaitFor([&] { return !probe->readAvailable(&answer) || answer.contains("\r\n\r\n"); },
                         10000) ||
        !answer.startsWith("HTTP/1.1 101") || !probe->send(loginFrame(name))) {
        return nullptr;
    }
    return probe;
}

}  // namespace

class TestSlowReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aClientThatNeverReadsIsDroppedOnceItsQueueIsFull() {
        ServerProcessProbe server({QStringLiteral("--max-queued-bytes"), QString::number(kQueueLimit)});
        QVERIFY2(server.isRunning(), qPrintable(server.error()));
        const QUrl url(server.url());
        RawWebSocketClient watcher(url);
        QVERIFY(watcher.login(QStringLiteral("watcher")));
        auto slow = signedInRaw(server.port(), QStringLiteral("slow"), 4096);
        QVERIFY(slow);
        QVERIFY(!watcher.take(QStringLiteral("presence")).isEmpty());  // slow is online
        const long rssBefore = server.process().rssKiB();

        // Presence churns: clients with the longest names sign in together, then leave together.
        int cycles = 0;
        long rssAtDrop = -1;
        const QString padding(56, QLatin1Char('x'));
        while (cycles < kMaxCycles && rssAtDrop < 0) {
            std::vector<std::unique_ptr<TcpProbe>> crowd;
            for (int i = 0; i < kChurnClients; ++i) {
                crowd.push_back(signedInRaw(
                    server.port(),
                    QStringLiteral("c%1-%2-").arg(cycles).arg(i, 2, 10, QLatin1Char('0')) + padding));
                QVERIFY(crowd.back());
            }
            QVERIFY(watcher.sync());  // the server has read their logins
            crowd.clear();
            ++cycles;
            if (server.logLines(QStringLiteral("that it does not read")) > 0) {
                rssAtDrop = server.process().rssKiB();
            }
        }
        qInfo(
            "the slow reader was %s after %d cycles of %d clients in and out; server VmRSS %.1f MB before, "
            "%.1f MB then",
            rssAtDrop >= 0 ? "dropped" : "still connected", cycles, kChurnClients, double(rssBefore) / 1024,
            double(rssAtDrop) / 1024);
        QVERIFY2(rssAtDrop >= 0, "the server kept queueing for a client that does not read");
        // Everyone else heard it leave; its socket was closed.
        bool heardLeave = false;
        QVERIFY(QTest::qWaitFor(
            [&] {
                while (!heardLeave && watcher.pendingCount(QStringLiteral("presence")) > 0) {
                    heardLeave = watcher.take(QStringLiteral("presence"))
                                     .value(QStringLiteral("offline"))
                                     .toArray()
                                     .contains(QStringLiteral("slow"));
                }
                return heardLeave;
            },
            RawWebSocketClient::defaultTimeoutMs()));
        QVERIFY(slow->waitClosedByPeer(RawWebSocketClient::defaultTimeoutMs()));
#if !defined(__SANITIZE_ADDRESS__)
        // Bounded: what it did not read is not kept (a generous bound: the churn itself costs).
        QVERIFY2(rssAtDrop - rssBefore < 16 * 1024,
                 qPrintable(QStringLiteral("VmRSS %1 KiB, %2 KiB before").arg(rssAtDrop).arg(rssBefore)));
#endif
        // The server goes on.
        RawWebSocketClient late(url);
        QVERIFY(late.login(QStringLiteral("late")));
    }
};

QTEST_GUILESS_MAIN(TestSlowReader)
#include "tst_slowreader.moc"
