// SPDX-License-Identifier: GPL-3.0-or-later
// A call between two sites whose router drops all UDP between them (a network that lets only TCP
// through) still connects, over an ICE-TCP pair, once IceTcpHold's head start for UDP is over.
// Needs root, iproute2 (ip), nftables and /dev/net/tun: as root it fails when it cannot build the
// sites.
#include "CannotRun.h"
#include "NetworkLab.h"
#include "ProcessCall.h"
#include "ProcessPeers.h"

#include <QTest>

namespace {

constexpr int kStartMs = 30000;

const QStringList kPeerArguments{QStringLiteral("--video"), QStringLiteral("test"), QStringLiteral("--size"),
                                 QStringLiteral("320x240")};

}  // namespace

class TestIceTcpFallback : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aCallConnectsOverTcpWhereUdpIsDropped() {
        if (const QString reason = netlab::NetworkLab::unavailableReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        // In this order so the peers go first, then the server, then the namespaces they ran in.
        netlab::NetworkLab lab;
        ServerProcess server;
        ProcessCall call(kStartMs);
        QString error;
        QVERIFY2(lab.start(&error), qPrintable(error));
        QVERIFY2(
            lab.execOnRouter({QStringLiteral("sh"), QStringLiteral("-c"),
                              QStringLiteral("nft add table inet confab_noudp && "
                                             "nft add chain inet confab_noudp forward '{ type filter hook "
                                             "forward priority -10; policy accept; }' && "
                                             "nft add rule inet confab_noudp forward meta l4proto udp drop")},
                             &error),
            qPrintable(error));
        server.setLauncher(lab.routerLauncher());
        QVERIFY(server.start({QStringLiteral("--host"), QStringLiteral("0.0.0.0")}));
        const QUrl url(
            QStringLiteral("ws://%1:%2/").arg(netlab::NetworkLab::serviceAddress()).arg(server.url().port()));
        QVERIFY(call.startBob(url, kPeerArguments, lab.launcher(netlab::NetworkLab::Site::B)));
        call.startAlice(url, kPeerArguments, lab.launcher(netlab::NetworkLab::Site::A));
        for (CallProcess *peer : call.both()) {
            QVERIFY2(!peer->waitFor(QStringLiteral("first-remote-frame"), kStartMs).isEmpty(),
                     qPrintable(peer->errorOutput().right(800)));
        }
        for (CallProcess *peer : call.both()) {
            QTRY_VERIFY_WITH_TIMEOUT(!peer->events(QStringLiteral("stats")).isEmpty(), 5000);
            const QJsonObject stats = peer->events(QStringLiteral("stats")).last();
            QCOMPARE(stats.value(QStringLiteral("transport")).toString(), QStringLiteral("tcp"));
        }
    }
};

QTEST_GUILESS_MAIN(TestIceTcpFallback)
#include "tst_icetcpfallback.moc"
