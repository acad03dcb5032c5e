// SPDX-License-Identifier: GPL-3.0-or-later
// The server's abuse limits over real WebSockets on 127.0.0.1: message rate, connections per
// address, the login timeout, SDP and candidate lengths, a fragment flood that libsoup 3.2 would
// buffer without end, and a flooding client that must not slow the others down.
#include "RawWebSocketClient.h"
#include "ServerTestCase.h"
#include "UnresponsivePeer.h"

#include "signaling/SignalingServer.h"
#include "util/GLibPtr.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>

using namespace confab;

namespace {

using Client = std::unique_ptr<RawWebSocketClient>;

QJsonObject ringingTo(const QString &name) {
    return {{QStringLiteral("type"), QStringLiteral("ringing")}, {QStringLiteral("name"), name}};
}

QJsonObject offerTo(const QString &name, const QString &sdp) {
    return {{QStringLiteral("type"), QStringLiteral("offer")},
            {QStringLiteral("name"), name},
            {QStringLiteral("offer"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("offer")}, {QStringLiteral("sdp"), sdp}}}};
}

QJsonObject candidateTo(const QString &name, const QString &candidate) {
    return {{QStringLiteral("type"), QStringLiteral("candidate")},
            {QStringLiteral("name"), name},
            {QStringLiteral("candidate"), QJsonObject{{QStringLiteral("candidate"), candidate},
                                                      {QStringLiteral("sdpMid"), QStringLiteral("0")},
                                                      {QStringLiteral("sdpMLineIndex"), 0}}}};
}

// A WebSocket client by hand over TCP (UnresponsivePeer's connection and handshake) that can send
// what libsoup's client never does: a message in endless fragments. Writes never block (the
// server runs on this same thread).
class FragmentSender {
public:
    explicit FragmentSender(quint16 port) : peer_(port) {}

    bool handshake() { return peer_.handshake(); }

    // One masked frame: `opcode` 1 (text) or 0 (continuation), never FIN.
    static QByteArray fragment(int opcode, qsizetype size) {
        Q_ASSERT(size <= 0xffff);
        QByteArray frame;
        frame.append(char(opcode & 0x0f));  // FIN clear: more fragments follow
        frame.append(char(0x80 | 126));
        frame.append(char((size >> 8) & 0xff));
        frame.append(char(size & 0xff));
        frame.append("\x11\x22\x33\x44", 4);
        QByteArray payload(size, 'a');
        for (qsizetype i = 0; i < size; ++i) {
            payload[i] = char(payload[i] ^ "\x11\x22\x33\x44"[i % 4]);
        }
        return frame + payload;
    }

    // Writes as much of `data` as the socket takes now; false once the server has gone.
    bool writeSome(QByteArray *data) {
        GErrorPtr error;
        const gssize written = g_pollable_output_stream_write_nonblocking(
            output(), data->constData(), gsize(data->size()), nullptr, out(error));
        if (written < 0) {
            return g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
        }
        data->remove(0, written);
        return true;
    }

    // True when the server closed: a read gives end of stream or an error.
    bool serverClosed() {
        char buffer[4096];
        GErrorPtr error;
        for (;;) {
            const gssize got =
                g_pollable_input_stream_read_nonblocking(input(), buffer, sizeof buffer, nullptr, out(error));
            if (got == 0) {
                return true;
            }
            if (got < 0) {
                return !g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
            }
        }
    }

private:
    GPollableInputStream *input() {
        return G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(G_IO_STREAM(peer_.connection())));
    }
    GPollableOutputStream *output() {
        return G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(G_IO_STREAM(peer_.connection())));
    }

    UnresponsivePeer peer_;
};

}  // namespace

class TestServerLimits : public ServerTestCase {
    Q_OBJECT
private Q_SLOTS:
    void cleanup() { stopServer(); }

    // ---- Message rate -------------------------------------------------------------------------

    void floodingPastTheRateIsRefusedOnceThenDisconnected() {
        SignalingServerOptions options = fastOptions();
        options.messagesPerSecond = 1;  // slow refill: the test is not a race with the clock
        options.messageBurst = 10;
        startServer(options);
        auto bob = signedIn(QStringLiteral("bob"));
        auto alice = signedIn(QStringLiteral("alice"));  // the login took one of alice's tokens
        for (int i = 0; i < 9; ++i) {
            alice->sendJson(ringingTo(QStringLiteral("bob")));
        }
        QVERIFY(bob->take(QStringLiteral("ringing")).value(QStringLiteral("name")) == QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(bob->pendingCount(QStringLiteral("ringing")), 8, RawWebSocketClient::defaultTimeoutMs());
        // The bucket is empty: the next message is refused with one error, the connection kept.
        alice->sendJson(ringingTo(QStringLiteral("bob")));
        const QJsonObject error = alice->take(QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("rate-limited"));
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
        QVERIFY(alice->isOpen());
        // Going on: after a burst's worth of refusals, no more errors, the connection closes (1008).
        for (int i = 0; i < 20 && alice->isOpen(); ++i) {
            alice->sendJson(ringingTo(QStringLiteral("bob")));
        }
        QVERIFY(alice->waitClosed());
        QCOMPARE(alice->closeCode(), int(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
        QCOMPARE(alice->pendingCount(QStringLiteral("error")), 0);
        QVERIFY(bob->sync());
        QCOMPARE(bob->pendingCount(QStringLiteral("ringing")), 8);  // nothing past the limit relayed
        // The flooder's name is free again; bob is untouched.
        QVERIFY(signedIn(QStringLiteral("alice"))->isOpen());
        QVERIFY(bob->isOpen());
    }

    void aRateOfZeroMeansNoLimit() {
        SignalingServerOptions options = fastOptions();
        options.messagesPerSecond = 0;
        options.messageBurst = 1;  // were it a limit, the login would take all of it
        startServer(options);
        auto bob = signedIn(QStringLiteral("bob"));
        auto alice = signedIn(QStringLiteral("alice"));
        for (int i = 0; i < 20; ++i) {
            alice->sendJson(ringingTo(QStringLiteral("bob")));
        }
        QTRY_COMPARE_WITH_TIMEOUT(bob->pendingCount(QStringLiteral("ringing")), 20,
                                  RawWebSocketClient::defaultTimeoutMs());
        QVERIFY(alice->sync());
        QCOMPARE(alice->pendingCount(QStringLiteral("error")), 0);
        QVERIFY(alice->isOpen());
    }

    void aFlooderThatNeverAnswersTheCloseIsLetGoBeforeLibsoupsWait() {
        // libsoup 3.2 waits 5 s for the answer to a close, and leaks that timer's source when it
        // fires; the server lets go after ServerConnection::kCloseAnswerWaitMs instead.
        SignalingServerOptions options = fastOptions();
        options.messagesPerSecond = 1;
        options.messageBurst = 5;
        startServer(options);
        auto bob = signedIn(QStringLiteral("bob"));
        UnresponsivePeer flooder(server().port());
        QVERIFY(flooder.handshake());
        QVERIFY(flooder.sendText(R"({"type":"login","name":"mallory"})"));
        QTRY_COMPARE_WITH_TIMEOUT(server().onlineCount(), 2, RawWebSocketClient::defaultTimeoutMs());
        // Five accepted, one refused with an error, five refused quietly, then closed (1008); it
        // never reads, so it never answers.
        for (int i = 0; i < 12; ++i) {
            QVERIFY(flooder.sendText(R"({"type":"ringing","name":"bob"})"));
        }
        QTRY_COMPARE_WITH_TIMEOUT(bob->pendingCount(QStringLiteral("ringing")), 4, RawWebSocketClient::defaultTimeoutMs());
        QElapsedTimer closing;
        closing.start();
        QTRY_COMPARE_WITH_TIMEOUT(server().connectionCount(), 1, 10000);
        QVERIFY2(closing.elapsed() < 4500, qPrintable(QString::number(closing.elapsed())));
        QCOMPARE(server().onlineCount(), 1);
        QVERIFY(bob->isOpen());
    }

    void binaryFramesCountAgainstTheRateToo() {
        SignalingServerOptions options = fastOptions();
        options.messagesPerSecond = 1;
        options.messageBurst = 3;
        startServer(options);
        auto client = connected();
        for (int i = 0; i < 20 && client->isOpen(); ++i) {
            client->sendBinary(QByteArrayLiteral("\x01\x02"));
        }
        QVERIFY(client->waitClosed());
        QCOMPARE(client->closeCode(), int(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
        QCOMPARE(client->pendingCount(QStringLiteral("error")), 4);  // 3 bad-message, 1 rate-limited
    }

    // ---- Connections per address ----------------------------------------------------------------

    void connectionsBeyondThePerAddressLimitAreClosedAtAccept() {
        SignalingServerOptions options = fastOptions();
        options.maxConnectionsPerIp = 3;
        options.limitLoopbackConnections = true;  // every test client comes from 127.0.0.1
        startServer(options);
        auto first = signedIn(QStringLiteral("first"));
        auto second = connected();
        auto third = connected();
        QVERIFY(second->sync() && third->sync());
        // Closed before its handshake: counted from accept, a fourth never gets to hold anything.
        RawWebSocketClient fourth(url());
        QVERIFY(!fourth.waitConnected());
        QVERIFY(first->sync() && second->sync() && third->sync());
        QCOMPARE(server().liveSocketCount(), 3);
        // A place freed is a place taken again.
        second->close();
        QVERIFY(second->waitClosed());
        QTRY_COMPARE_WITH_TIMEOUT(server().liveSocketCount(), 2, RawWebSocketClient::defaultTimeoutMs());
        auto fifth = signedIn(QStringLiteral("fifth"));
        QVERIFY(fifth->isOpen());
        QVERIFY(fifth->sync());
    }

    void loopbackIsNotCountedUnlessAskedTo() {
        SignalingServerOptions options = fastOptions();
        options.maxConnectionsPerIp = 1;
        startServer(options);
        auto alice = signedIn(QStringLiteral("alice"));
        auto bob = signedIn(QStringLiteral("bob"));
        QVERIFY(alice->sync() && bob->sync());
    }

    // ---- Login timeout ----------------------------------------------------------------------------

    void connectionNotSignedInInTimeIsClosed() {
        SignalingServerOptions options = fastOptions();
        options.loginTimeoutSeconds = 1;
        startServer(options);
        auto idle = connected();
        auto alice = signedIn(QStringLiteral("alice"));
        QElapsedTimer clock;
        clock.start();
        const QJsonObject error = idle->take(QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("login-timeout"));
        QVERIFY(idle->waitClosed());
        QCOMPARE(idle->closeCode(), int(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
        // The one that signed in (at the same time) is past its own timeout too, and stays.
        QVERIFY(alice->sync());
        QVERIFY(alice->isOpen());
        QCOMPARE(server().connectionCount(), 1);
    }

    // ---- Lengths ----------------------------------------------------------------------------------

    void overlongSdpAndCandidateAreRefusedAsTooLarge() {
        SignalingServerOptions options = fastOptions();
        options.maxSdpBytes = 100;
        options.maxCandidateBytes = 50;
        startServer(options);
        auto alice = signedIn(QStringLiteral("alice"));
        auto bob = signedIn(QStringLiteral("bob"));
        // Counted in UTF-8 bytes: "é" is two.
        const QString sdp100 = QStringLiteral("v=0\r\n") + QString(93, QLatin1Char('x')) + QStringLiteral("é");
        QCOMPARE(sdp100.toUtf8().size(), 100);
        alice->sendJson(offerTo(QStringLiteral("bob"), sdp100));
        QCOMPARE(bob->take(QStringLiteral("offer")).value(QStringLiteral("offer")).toObject().value(QStringLiteral("sdp")).toString(),
                 sdp100);
        alice->sendJson(offerTo(QStringLiteral("bob"), sdp100 + QLatin1Char('x')));
        QJsonObject error = alice->take(QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("too-large"));
        QCOMPARE(error.value(QStringLiteral("about")).toString(), QStringLiteral("offer"));

        const QString candidate50 = QStringLiteral("candidate:") + QString(40, QLatin1Char('c'));
        alice->sendJson(candidateTo(QStringLiteral("bob"), candidate50));
        QCOMPARE(bob->take(QStringLiteral("candidate"))
                     .value(QStringLiteral("candidate")).toObject().value(QStringLiteral("candidate")).toString(),
                 candidate50);
        alice->sendJson(candidateTo(QStringLiteral("bob"), candidate50 + QLatin1Char('c')));
        error = alice->take(QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("too-large"));
        QCOMPARE(error.value(QStringLiteral("about")).toString(), QStringLiteral("candidate"));
        // An escaped string counts as the text it stands for, not its escapes.
        alice->sendText(QByteArrayLiteral(R"({"type":"candidate","name":"bob","candidate":{"candidate":")") +
                        QByteArray(8, 'a').replace("a", "\\u0061") + QByteArrayLiteral(R"(","sdpMid":"0"}})"));
        QCOMPARE(bob->take(QStringLiteral("candidate"))
                     .value(QStringLiteral("candidate")).toObject().value(QStringLiteral("candidate")).toString(),
                 QString(8, QLatin1Char('a')));
        QVERIFY(bob->sync());
        QVERIFY(bob->pendingTypes().filter(QStringLiteral("offer")).isEmpty());
        QCOMPARE(bob->pendingCount(QStringLiteral("candidate")), 0);
    }

    // ---- Fragment flood (libsoup 3.2.3, CVE-2025-32049) --------------------------------------------

    void endlessFragmentsCloseTheConnectionNotTheServer() {
        SignalingServerOptions options = fastOptions();
        options.maxMessageBytes = 16384;
        options.maxPendingBytes = 256 * 1024;
        startServer(options);
        auto bob = signedIn(QStringLiteral("bob"));
        FragmentSender flooder(server().port());
        QVERIFY(flooder.handshake());
        // A text frame without FIN, then continuation frames without end, each under the frame
        // limit (4 × 16 KiB), which is all libsoup checks.
        constexpr qsizetype kFragment = 60000;
        constexpr qint64 kGiveUpBytes = 64ll * 1024 * 1024;
        QByteArray queued = FragmentSender::fragment(1, kFragment);
        qint64 sent = 0;
        bool closed = false;
        const bool ended = QTest::qWaitFor(
            [&] {
                for (int i = 0; i < 16 && !closed; ++i) {
                    const qsizetype before = queued.size();
                    if (!flooder.writeSome(&queued)) {
                        closed = true;
                    }
                    sent += before - queued.size();
                    if (queued.isEmpty()) {
                        queued = FragmentSender::fragment(0, kFragment);
                    }
                }
                closed = closed || flooder.serverClosed();
                return closed || sent > kGiveUpBytes;
            },
            RawWebSocketClient::scaledMs(60000));
        QVERIFY(ended);
        qInfo("fragment flood closed after %lld bytes sent", static_cast<long long>(sent));
        QVERIFY2(closed, "the server held a message in fragments past 64 MiB");
        // Bounded by the budget plus what sits in the kernel's socket buffers on both sides.
        QVERIFY2(sent < 32ll * 1024 * 1024, qPrintable(QString::number(sent)));
        QVERIFY(bob->sync());
        QVERIFY(bob->isOpen());
        QTRY_COMPARE_WITH_TIMEOUT(server().connectionCount(), 1, RawWebSocketClient::defaultTimeoutMs());
    }

    void withoutMainLoopShardsEndlessFragmentsStillCloseTheConnection() {
        // Where GLib's wake-up is not as the shards assume (GLibWakeup), the server runs unsharded:
        // nothing reports each read, and the watch looks at every connection on a timer instead.
        SignalingServerOptions options = fastOptions();
        options.connectionsPerShard = -1;
        options.maxMessageBytes = 16384;
        options.maxPendingBytes = 256 * 1024;
        startServer(options);
        auto bob = signedIn(QStringLiteral("bob"));
        FragmentSender flooder(server().port());
        QVERIFY(flooder.handshake());
        QByteArray queued = FragmentSender::fragment(1, 60000);
        qint64 sent = 0;
        bool closed = false;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (int i = 0; i < 16 && !closed; ++i) {
                    const qsizetype before = queued.size();
                    closed = !flooder.writeSome(&queued);
                    sent += before - queued.size();
                    if (queued.isEmpty()) {
                        queued = FragmentSender::fragment(0, 60000);
                    }
                }
                closed = closed || flooder.serverClosed();
                return closed || sent > 64ll * 1024 * 1024;
            },
            RawWebSocketClient::scaledMs(60000)));
        QVERIFY2(closed, "the server held a message in fragments past 64 MiB");
        QVERIFY(bob->sync());
    }

    void wholeMessagesOverTimeAreNotMistakenForAFragmentFlood() {
        SignalingServerOptions options = fastOptions();
        options.maxMessageBytes = 4096;
        options.maxPendingBytes = 32 * 1024;  // becomes 2 × 4 × 4 KiB = 32 KiB
        options.messagesPerSecond = 0;
        startServer(options);
        auto alice = signedIn(QStringLiteral("alice"));
        auto bob = signedIn(QStringLiteral("bob"));
        // Far more than the budget in whole messages.
        const QString sdp = QStringLiteral("v=0\r\n") + QString(3000, QLatin1Char('s'));
        for (int i = 0; i < 100; ++i) {
            alice->sendJson(offerTo(QStringLiteral("bob"), sdp));
        }
        QTRY_COMPARE_WITH_TIMEOUT(bob->pendingCount(QStringLiteral("offer")), 100, RawWebSocketClient::defaultTimeoutMs());
        QVERIFY(alice->isOpen());
    }

    // ---- A flood does not slow the others ---------------------------------------------------------

    // (Without the rate limit this in-process test cannot tell: the test's own client, on the
    // server's thread, spends seconds parsing the flooder's 20,000 replies. docs/performance.md.)
    void aFlooderDoesNotSlowOtherClients() {
        startServer(fastOptions());  // the default limits
        auto bob = signedIn(QStringLiteral("bob"));
        auto carol = signedIn(QStringLiteral("carol"));
        auto flooder = signedIn(QStringLiteral("flooder"));
        // Round trips bob → carol → bob before and during the flood.
        const auto roundTripMs = [&] {
            QElapsedTimer clock;
            clock.start();
            bob->sendJson(ringingTo(QStringLiteral("carol")));
            if (carol->take(QStringLiteral("ringing")).isEmpty()) {
                return qint64(-1);
            }
            carol->sendJson(ringingTo(QStringLiteral("bob")));
            if (bob->take(QStringLiteral("ringing")).isEmpty()) {
                return qint64(-1);
            }
            return clock.elapsed();
        };
        qint64 quietMax = 0;
        for (int i = 0; i < 10; ++i) {
            quietMax = std::max(quietMax, roundTripMs());
        }
        // 20,000 messages at once to someone offline: each costs the server a parse and an error.
        constexpr int kFlood = 20000;
        const QByteArray frame = QJsonDocument(ringingTo(QStringLiteral("nobody"))).toJson(QJsonDocument::Compact);
        QElapsedTimer floodClock;
        floodClock.start();
        for (int i = 0; i < kFlood; ++i) {
            flooder->sendText(frame);
        }
        QList<qint64> during;
        while (flooder->isOpen() && during.size() < 1000) {
            const qint64 ms = roundTripMs();
            QVERIFY(ms >= 0);
            during.append(ms);
        }
        QVERIFY(flooder->waitClosed());
        QCOMPARE(flooder->closeCode(), int(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
        // Answered about a burst's worth (200 user-offline errors, one rate-limited, and what the
        // bucket refilled at 50/s while the flood was read: a few more under ASan), not 20,000.
        QVERIFY2(flooder->pendingCount(QStringLiteral("error")) < 1000,
                 qPrintable(QString::number(flooder->pendingCount(QStringLiteral("error")))));
        const qint64 floodMs = floodClock.elapsed();
        std::sort(during.begin(), during.end());
        const qint64 duringMax = during.isEmpty() ? 0 : during.last();
        const qint64 duringMedian = during.isEmpty() ? 0 : during.at(during.size() / 2);
        qInfo("relay round trip: quiet max %lld ms; during the flood (%lld ms) median %lld ms, max %lld ms over "
              "%lld round trips",
              static_cast<long long>(quietMax), static_cast<long long>(floodMs), static_cast<long long>(duringMedian),
              static_cast<long long>(duringMax), static_cast<long long>(during.size()));
        // Generous: a loaded 2-core machine under ASan may take a while, but not seconds.
        QVERIFY2(duringMax < RawWebSocketClient::scaledMs(2000), qPrintable(QString::number(duringMax)));
        QVERIFY(bob->sync() && carol->sync());
    }
};

QTEST_GUILESS_MAIN(TestServerLimits)
#include "tst_serverlimits.moc"
