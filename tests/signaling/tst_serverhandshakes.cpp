// SPDX-License-Identifier: GPL-3.0-or-later
// Connections from the moment they are accepted until their WebSocket upgrade: a handshake that
// does not complete in time (half an HTTP request, a plain HTTP request kept alive, a TLS handshake
// that stalls) is closed; connections in their handshake count against their address; at most so
// many are in their handshake at once, the oldest of the busiest address going first
// (core/signaling/AcceptedSockets.h). Mechanisms with short timeouts, in process; the flood of
// thousands against a confab-server process, with its descriptors and memory, is
// tst_handshakeflood.
#include "RawWebSocketClient.h"
#include "ServerTestCase.h"
#include "TcpProbe.h"
#include "TestTime.h"

#include "signaling/SignalingServer.h"

#include <gio/gio.h>

#include <QElapsedTimer>
#include <QTest>

#include <memory>
#include <vector>

using namespace confab;
using namespace std::chrono_literals;

namespace {

using Probe = std::unique_ptr<TcpProbe>;

QJsonObject ringingTo(const QString &name) {
    return {{QStringLiteral("type"), QStringLiteral("ringing")}, {QStringLiteral("name"), name}};
}

}  // namespace

class TestServerHandshakes : public ServerTestCase {
    Q_OBJECT

    Probe probeFrom(const QString &address) {
        return std::make_unique<TcpProbe>(address, QStringLiteral("127.0.0.1"), server().port());
    }

    // Waits until the server has taken `count` connections in their handshake (the kernel's queue
    // is drained by the server's event loop, which the wait spins).
    bool handshakesAre(int count) {
        QElapsedTimer t;
        t.start();
        return QTest::qWaitFor(
            [&] {
                qInfo("%lld ms: %d in handshake, %d live", t.elapsed(), server().handshakeCount(),
                      server().liveSocketCount());
                return server().handshakeCount() == count;
            },
            RawWebSocketClient::defaultTimeoutMs());
    }

private Q_SLOTS:
    void cleanup() { stopServer(); }

    void theDefaultsBoundEveryHandshake() {
        // What confab-server runs with unless told otherwise (tst_serverconfigfile checks that the
        // binary logs the same).
        const SignalingServerOptions defaults;
        QCOMPARE(defaults.handshakeTimeout, std::chrono::milliseconds(10s));
        QVERIFY(defaults.maxHandshakes > 0);
        QVERIFY(defaults.maxConnectionsPerIp > 0);
        QVERIFY(defaults.maxQueuedBytes > 0);
    }

    void unfinishedHandshakesAreClosedAtTheTimeout() {
        SignalingServerOptions options = fastOptions();
        // A second: alice's whole sign-in over TLS took 1.25-1.4 s under the sanitizers (scaled: 3 s).
        const int timeoutMs = scaled(1000);
        options.handshakeTimeout = std::chrono::milliseconds(timeoutMs);
        startServer(options);
        auto alice = signedIn(QStringLiteral("alice"));
        auto bob = signedIn(QStringLiteral("bob"));
        const int baseline = server().liveSocketCount();
        QCOMPARE(baseline, 2);
        std::vector<Probe> stalled;
        std::vector<Probe> plain;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 10; ++i) {
            stalled.push_back(probeFrom(QStringLiteral("127.0.0.2")));  // half a request
            QVERIFY(stalled.back()->send(TcpProbe::halfUpgradeRequest()));
            stalled.push_back(probeFrom(QStringLiteral("127.0.0.2")));  // not a byte
            // A whole request that is not an upgrade: libsoup answers it and closes, or else the
            // timeout would.
            plain.push_back(probeFrom(QStringLiteral("127.0.0.2")));
            QVERIFY(plain.back()->send(QByteArrayLiteral("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
        }
        QVERIFY2(handshakesAre(20), qPrintable(QString::number(server().handshakeCount())));
        // Meanwhile the signed-in relay as ever.
        alice->sendJson(ringingTo(QStringLiteral("bob")));
        QVERIFY(!bob->take(QStringLiteral("ringing")).isEmpty());
        for (const Probe &probe : stalled) {
            QVERIFY(probe->isOpen());
        }
        for (const std::vector<Probe> *probes : {&stalled, &plain}) {
            for (const Probe &probe : *probes) {
                QVERIFY2(probe->waitClosedByPeer(timeoutMs + scaled(2000)),
                         qPrintable(QStringLiteral("still open %1 ms after accept").arg(clock.elapsed())));
            }
        }
        // Not before their time: nothing else closed them.
        QVERIFY2(clock.elapsed() >= timeoutMs * 9 / 10, qPrintable(QString::number(clock.elapsed())));
        QTRY_COMPARE_WITH_TIMEOUT(server().liveSocketCount(), baseline,
                                  RawWebSocketClient::defaultTimeoutMs());
        QCOMPARE(server().handshakeCount(), 0);
        bob->sendJson(ringingTo(QStringLiteral("alice")));
        QVERIFY(!alice->take(QStringLiteral("ringing")).isEmpty());
    }

    void aCompletedUpgradeIsNotCutByTheHandshakeTimeout() {
        SignalingServerOptions options = fastOptions();
        options.handshakeTimeout = std::chrono::milliseconds(scaled(300));
        startServer(options);
        auto client = connected();
        QVERIFY(client->isOpen());
        QTest::qWait(scaled(300) * 3);
        QVERIFY(client->sync());
        QVERIFY(client->login(QStringLiteral("carol")));
        QCOMPARE(server().handshakeCount(), 0);
    }

    void connectionsInTheirHandshakeCountAgainstTheirAddress() {
        SignalingServerOptions options = fastOptions();
        options.maxConnectionsPerIp = 3;
        options.limitLoopbackConnections = true;  // 127.0.0.2 stands for an address on the internet
        options.handshakeTimeout = std::chrono::milliseconds(scaled(2000));
        startServer(options);
        std::vector<Probe> held;
        for (int i = 0; i < 3; ++i) {
            held.push_back(probeFrom(QStringLiteral("127.0.0.2")));
            QVERIFY(held.back()->send(TcpProbe::halfUpgradeRequest()));
        }
        QVERIFY(handshakesAre(3));
        // A fourth from the same address is closed at once, before a byte is read, while the three
        // it would join are still held; a WebSocket from there cannot connect either.
        Probe fourth = probeFrom(QStringLiteral("127.0.0.2"));
        QVERIFY(fourth->waitClosedByPeer(RawWebSocketClient::defaultTimeoutMs()));
        RawWebSocketClient refused(url(), nullptr, QStringLiteral("127.0.0.2"));
        QVERIFY(!refused.waitConnected());
        for (const Probe &probe : held) {
            QVERIFY(probe->isOpen());
        }
        // Other addresses are not held up.
        auto alice = signedIn(QStringLiteral("alice"));
        QVERIFY(alice->isOpen());
        // Once the three time out, the address may connect again.
        for (const Probe &probe : held) {
            QVERIFY(probe->waitClosedByPeer(scaled(2000) + scaled(2000)));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server().liveSocketCount(), 1, RawWebSocketClient::defaultTimeoutMs());
        RawWebSocketClient again(url(), nullptr, QStringLiteral("127.0.0.2"));
        QVERIFY(again.login(QStringLiteral("bob")));
    }

    void beyondTheHandshakeCapTheOldestOfTheBusiestAddressGoes() {
        SignalingServerOptions options = fastOptions();
        options.maxHandshakes = 4;
        options.maxConnectionsPerIp = 0;
        options.handshakeTimeout = std::chrono::milliseconds(60000);  // the cap alone decides here
        startServer(options);
        const auto open = [&](const QString &address, int expected) {
            Probe probe = probeFrom(address);
            probe->send(TcpProbe::halfUpgradeRequest());
            return handshakesAre(expected) ? std::move(probe) : nullptr;
        };
        Probe a1 = open(QStringLiteral("127.0.0.2"), 1);
        Probe a2 = open(QStringLiteral("127.0.0.2"), 2);
        Probe a3 = open(QStringLiteral("127.0.0.2"), 3);
        Probe b1 = open(QStringLiteral("127.0.0.3"), 4);
        QVERIFY(a1 && a2 && a3 && b1);
        // A fifth: 127.0.0.2 holds most, and a1 is its oldest.
        Probe c1 = open(QStringLiteral("127.0.0.4"), 4);
        QVERIFY(c1);
        QVERIFY(a1->waitClosedByPeer(RawWebSocketClient::defaultTimeoutMs()));
        QVERIFY(a2->isOpen() && a3->isOpen() && b1->isOpen() && c1->isOpen());
        // 127.0.0.3 now holds as many as 127.0.0.2 (two each): the older of the two addresses'
        // oldest goes, a2.
        Probe b2 = open(QStringLiteral("127.0.0.3"), 4);
        QVERIFY(b2);
        QVERIFY(a2->waitClosedByPeer(RawWebSocketClient::defaultTimeoutMs()));
        QVERIFY(a3->isOpen() && b1->isOpen() && b2->isOpen() && c1->isOpen());
        // A client that completes its handshake at once gets through the full house (pushing out
        // b1, the oldest of 127.0.0.3, now the busiest) and signs in.
        auto alice = signedIn(QStringLiteral("alice"));
        QVERIFY(alice->isOpen());
        QVERIFY(b1->waitClosedByPeer(RawWebSocketClient::defaultTimeoutMs()));
        QVERIFY(a3->isOpen() && b2->isOpen() && c1->isOpen());
        QCOMPARE(server().handshakeCount(), 3);
    }

    void aStalledTlsHandshakeIsClosedAtTheTimeout() {
        SignalingServerOptions options = fastOptions();
        options.tlsCertificateFile = QStringLiteral(CONFAB_FIXTURES "/server-cert.pem");
        options.tlsKeyFile = QStringLiteral(CONFAB_FIXTURES "/server-key.pem");
        // A second: alice's whole sign-in over TLS took 1.25-1.4 s under the sanitizers (scaled: 3 s).
        const int timeoutMs = scaled(1000);
        options.handshakeTimeout = std::chrono::milliseconds(timeoutMs);
        startServer(options);
        QCOMPARE(url().scheme(), QStringLiteral("wss"));
        // The client side's first TLS connection loads the system's trust store (about 1 s under
        // the sanitizers), which alice's handshake would otherwise pay for: loaded now.
        if (GTlsDatabase *database = g_tls_backend_get_default_database(g_tls_backend_get_default())) {
            g_object_unref(database);
        }
        Probe silent = probeFrom(QStringLiteral("127.0.0.2"));
        Probe partial = probeFrom(QStringLiteral("127.0.0.2"));
        // The first bytes of a TLS record carrying a ClientHello, and no more.
        QVERIFY(partial->send(QByteArray::fromHex("160301020001")));
        QVERIFY(handshakesAre(2));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(silent->waitClosedByPeer(timeoutMs + scaled(2000)));
        QVERIFY(partial->waitClosedByPeer(timeoutMs + scaled(2000)));
        QTRY_COMPARE_WITH_TIMEOUT(server().liveSocketCount(), 0, RawWebSocketClient::defaultTimeoutMs());
        // A client that speaks TLS is served as before.
        auto alice = signedIn(QStringLiteral("alice"));
        QVERIFY(alice->isOpen());
        QVERIFY(alice->sync());
    }

    // GnuTLS handshakes run on GIO's worker threads; LeakSanitizer's tracer at exit crashed
    // reading one that was exiting just then (google/sanitizers#1353), every run. Their idle
    // threads are let go and given time to end before the process does.
    void cleanupTestCase() {
        stopServer();
        g_thread_pool_set_max_idle_time(1);
        g_thread_pool_stop_unused_threads();
        QTest::qWait(scaled(200));
    }
};

QTEST_GUILESS_MAIN(TestServerHandshakes)
#include "tst_serverhandshakes.moc"
