// SPDX-License-Identifier: GPL-3.0-or-later
// A call over a poor network: 600 kbit/s each way with 3 % of packets lost at random, for 20 s,
// between two sites of the test's own (netlab::NetworkLab), confab-server on the router between.
// The call adapts: what it sends settles under the cap, so loss stays near the 3 % the path adds,
// the picture keeps moving (no freeze over a second once it has started) and audio is hardly
// concealed. Both sides send a scrolling colour-bar pattern at 640x360, 30 fps, which wants far
// more than 600 kb/s. Needs root, iproute2
// (tc), nftables and /dev/net/tun: as root it fails when it cannot build the sites.
#include "CannotRun.h"
#include "LabCall.h"
#include "TestTime.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

constexpr int kStartMs = 30000;
constexpr int kCapKbps = 600;
constexpr double kLossPercent = 3;
constexpr int kCallSeconds = 20;

const QStringList kPeerArguments{QStringLiteral("--video"),        QStringLiteral("test"),
                                 QStringLiteral("--test-pattern"), QStringLiteral("bars"),
                                 QStringLiteral("--size"),         QStringLiteral("640x360"),
                                 QStringLiteral("--fps"),          QStringLiteral("30")};

double mean(const QList<double> &values) {
    double sum = 0;
    for (double v : values) {
        sum += v;
    }
    return values.isEmpty() ? 0 : sum / double(values.size());
}

}  // namespace

class TestImpairedCall : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aCallAdaptsToSixHundredKilobitsWithThreePercentLoss() {
        if (const QString reason = netlab::NetworkLab::unavailableReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        LabCall lab(kStartMs);
        QString error;
        QVERIFY2(lab.lab.start(&error), qPrintable(error));
        netlab::LinkConditions conditions;
        conditions.rateKbps = kCapKbps;
        conditions.lossPercent = kLossPercent;
        QVERIFY2(lab.lab.apply(conditions, &error), qPrintable(error));
        QVERIFY2(lab.startCall(kPeerArguments, kPeerArguments, &error), qPrintable(error));
        auto [alice, bob] = lab.call.peers();
        // Stats come once a second from the first frame on; the call ran kCallSeconds once there
        // are that many on both sides.
        QTRY_VERIFY_WITH_TIMEOUT(alice.events(QStringLiteral("stats")).size() >= kCallSeconds &&
                                     bob.events(QStringLiteral("stats")).size() >= kCallSeconds,
                                 scaled(kStartMs + kCallSeconds * 1000));

        // For a closer look: CONFAB_TEST_LOG_DIR=DIR keeps each peer's whole log there (both, before
        // either is judged).
        if (const QString dir = qEnvironmentVariable("CONFAB_TEST_LOG_DIR"); !dir.isEmpty()) {
            for (CallProcess *peer : lab.call.both()) {
                QFile log(dir + QLatin1Char('/') +
                          (peer == &alice ? QStringLiteral("alice") : QStringLiteral("bob")) +
                          QStringLiteral(".log"));
                if (log.open(QIODevice::WriteOnly)) {
                    log.write(peer->errorOutput().toUtf8());
                }
            }
        }
        for (CallProcess *peer : lab.call.both()) {
            const QString who = peer == &alice ? QStringLiteral("alice") : QStringLiteral("bob");
            const QList<QJsonObject> stats = peer->events(QStringLiteral("stats")).mid(0, kCallSeconds);
            QList<double> sent;
            QList<double> loss;
            QList<double> fps;
            int longestFreezeMs = 0;
            QStringList trace;
            for (int second = 0; second < stats.size(); ++second) {
                const QJsonObject &s = stats[second];
                trace << QStringLiteral("%1s: send %2 est %3 target %9 rtt %10 loss %4% %5x%6@%7 freezes %8")
                             .arg(second + 1)
                             .arg(s.value(QStringLiteral("sendKbps")).toInt())
                             .arg(s.value(QStringLiteral("estimateKbps")).toInt())
                             .arg(s.value(QStringLiteral("lossPercent")).toDouble(), 0, 'f', 1)
                             .arg(s.value(QStringLiteral("width")).toInt())
                             .arg(s.value(QStringLiteral("height")).toInt())
                             .arg(s.value(QStringLiteral("fps")).toDouble())
                             .arg(QString::fromUtf8(
                                 QJsonDocument(s.value(QStringLiteral("recentFreezesMs")).toArray())
                                     .toJson(QJsonDocument::Compact)))
                             .arg(s.value(QStringLiteral("targetKbps")).toInt())
                             .arg(s.value(QStringLiteral("rttMs")).toInt());
                if (second >= 10) {
                    sent << s.value(QStringLiteral("sendKbps")).toDouble();
                    loss << s.value(QStringLiteral("lossPercent")).toDouble();
                }
                if (second >= 5) {
                    fps << s.value(QStringLiteral("fps")).toDouble();
                    for (const QJsonValue freeze : s.value(QStringLiteral("recentFreezesMs")).toArray()) {
                        longestFreezeMs = std::max(longestFreezeMs, freeze.toInt());
                    }
                }
            }
            const QByteArray report =
                (who + QStringLiteral(" received/sent per second:\n  ") + trace.join(QStringLiteral("\n  ")) +
                 QStringLiteral("\nits log ends:\n") + peer->errorOutput().right(3000))
                    .toUtf8();
            qInfo("%s", report.constData());
            // What it sends (audio, video, retransmissions) settles under the cap...
            QVERIFY2(mean(sent) <= kCapKbps, report);
            // ...so what the other side sends it is lost at little more than the path's own 3 %.
            QVERIFY2(mean(loss) < 5, report);
            QVERIFY2(longestFreezeMs <= 1000, report);
            QVERIFY2(mean(fps) >= 10, report);  // and the picture did not just stop
            const double concealed = stats.last().value(QStringLiteral("audioConcealedPercent")).toDouble();
            QVERIFY2(concealed < 5,
                     QByteArray("audio concealed: " + QByteArray::number(concealed) + "%\n" + report));
        }
    }
};

QTEST_GUILESS_MAIN(TestImpairedCall)
#include "tst_impairedcall.moc"
