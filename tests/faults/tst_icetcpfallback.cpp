// SPDX-License-Identifier: GPL-3.0-or-later
// A call between two sites whose router drops all UDP between them (a network that lets only TCP
// through) still connects, over an ICE-TCP pair, once IceTcpHold's head start for UDP is over.
// Needs root, iproute2 (ip), nftables and /dev/net/tun: as root it fails when it cannot build the
// sites.
#include "CannotRun.h"
#include "LabCall.h"

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
        LabCall lab(kStartMs);
        QString error;
        QVERIFY2(lab.lab.start(&error), qPrintable(error));
        QVERIFY2(lab.lab.execOnRouter(
                     {QStringLiteral("sh"), QStringLiteral("-c"),
                      QStringLiteral("nft add table inet confab_noudp && "
                                     "nft add chain inet confab_noudp forward '{ type filter hook "
                                     "forward priority -10; policy accept; }' && "
                                     "nft add rule inet confab_noudp forward meta l4proto udp drop")},
                     &error),
                 qPrintable(error));
        QVERIFY2(lab.startCall(kPeerArguments, kPeerArguments, &error), qPrintable(error));
        for (CallProcess *peer : lab.call.both()) {
            QTRY_VERIFY_WITH_TIMEOUT(!peer->events(QStringLiteral("stats")).isEmpty(), 5000);
            const QJsonObject stats = peer->events(QStringLiteral("stats")).last();
            QCOMPARE(stats.value(QStringLiteral("transport")).toString(), QStringLiteral("tcp"));
        }
    }
};

QTEST_GUILESS_MAIN(TestIceTcpFallback)
#include "tst_icetcpfallback.moc"
