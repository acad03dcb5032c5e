// SPDX-License-Identifier: GPL-3.0-or-later
// A confab-server process that runs out of descriptors (its limit lowered to 256) while 1,000
// connections come in: it stops accepting without spinning (accept would fail at once, again and
// again), logs that once, keeps relaying for the clients it has, and accepts again once others
// leave (core/signaling/ServerAcceptor.h).
#include "CannotRun.h"
#include "RawWebSocketClient.h"
#include "ServerProcessProbe.h"
#include "TcpProbe.h"
#include "TestTime.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

#include <memory>
#include <vector>

#include <cstring>

#include <sys/resource.h>

namespace {

constexpr int kDescriptorLimit = 256;
constexpr int kAttempts = 1000;
const QString kPaused = QStringLiteral("cannot accept");
const QString kResumed = QStringLiteral("accepting connections again");

QJsonObject ringingTo(const QString &name) {
    return {{QStringLiteral("type"), QStringLiteral("ringing")}, {QStringLiteral("name"), name}};
}

}  // namespace

class TestDescriptorExhaustion : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outOfDescriptorsTheServerPausesAcceptingAndKeepsServing() {
        if (const long limit = confab::bench::raiseOwnOpenFileLimit(kAttempts + 1024);
            limit < kAttempts + 256) {
            CONFAB_CANNOT_RUN(QStringLiteral("the open-file limit is %1; this test needs %2")
                                  .arg(limit)
                                  .arg(kAttempts + 256));
        }
        // Connections that complete their upgrade and never sign in hold their descriptors here
        // (no handshake or login timeout frees them during the test).
        ServerProcessProbe server({QStringLiteral("--login-timeout"), QStringLiteral("0"),
                                   QStringLiteral("--handshake-timeout"), QStringLiteral("0")});
        QVERIFY2(server.isRunning(), qPrintable(server.error()));
        const QUrl url(server.url());
        RawWebSocketClient alice(url);
        RawWebSocketClient bob(url);
        QVERIFY(alice.login(QStringLiteral("alice")) && bob.login(QStringLiteral("bob")));
        // As if started with prlimit --nofile=256.
        const rlimit low{kDescriptorLimit, kDescriptorLimit};
        QVERIFY2(prlimit(server.process().pid(), RLIMIT_NOFILE, &low, nullptr) == 0, strerror(errno));

        std::vector<std::unique_ptr<TcpProbe>> attempts;
        for (int i = 0; i < kAttempts; ++i) {
            attempts.push_back(
                std::make_unique<TcpProbe>(QStringLiteral("127.0.0.2"), url.host(), server.port()));
            QVERIFY(attempts.back()->isConnected());  // the kernel's queue takes them all
            QVERIFY(attempts.back()->send(TcpProbe::upgradeRequest()));
        }
        QVERIFY2(QTest::qWaitFor([&] { return server.logLines(kPaused) > 0; },
                                 RawWebSocketClient::defaultTimeoutMs()),
                 qPrintable(server.log()));
        QVERIFY(server.descriptors() <= kDescriptorLimit);

        // Paused, not spinning: a few seconds cost it next to no CPU, and it says so once.
        const double cpuBefore = server.process().cpuSeconds();
        QElapsedTimer clock;
        clock.start();
        // Meanwhile those signed in relay.
        int relayed = 0;
        while (clock.elapsed() < scaled(3000)) {
            alice.sendJson(ringingTo(QStringLiteral("bob")));
            QVERIFY(!bob.take(QStringLiteral("ringing")).isEmpty());
            bob.sendJson(ringingTo(QStringLiteral("alice")));
            QVERIFY(!alice.take(QStringLiteral("ringing")).isEmpty());
            ++relayed;
            QTest::qWait(100);
        }
        const double cpu = (server.process().cpuSeconds() - cpuBefore) / (double(clock.elapsed()) / 1000);
        qInfo(
            "paused for want of descriptors: %.1f %% of a core over %.1f s, %d round trips relayed meanwhile",
            cpu * 100, double(clock.elapsed()) / 1000, relayed);
        // A loop retrying accept at once would take a whole core; relaying takes a few per cent.
        QVERIFY2(cpu < 0.25, qPrintable(QString::number(cpu)));
        QCOMPARE(server.logLines(kPaused), 1);
        QVERIFY(alice.isOpen() && bob.isOpen());

        // The others leave: the server accepts again (the attempts still queued, which are gone
        // by now, then anyone new).
        attempts.clear();
        RawWebSocketClient carol(url);
        QVERIFY2(carol.login(QStringLiteral("carol")), qPrintable(server.log()));
        QVERIFY(server.logLines(kResumed) >= 1);
        carol.sendJson(ringingTo(QStringLiteral("alice")));
        QVERIFY(!alice.take(QStringLiteral("ringing")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDescriptorExhaustion)
#include "tst_descriptorexhaustion.moc"
