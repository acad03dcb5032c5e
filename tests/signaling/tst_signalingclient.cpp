// SPDX-License-Identifier: GPL-3.0-or-later
// SignalingClient against the real server on 127.0.0.1 (and, for what our server never does, a
// scripted one and one that stops answering): signing in and the states it reports, typed signals
// for each message, who is online, refusals, and reconnecting after the server goes away.
#include "RawWebSocketClient.h"
#include "ScriptedServer.h"
#include "UnresponsiveServer.h"

#include "signaling/SignalingClient.h"
#include "signaling/SignalingServer.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab;
using namespace confab::protocol;
using State = SignalingClient::State;

namespace {

int timeoutMs() {
    return RawWebSocketClient::defaultTimeoutMs();
}

void fastBackoff(SignalingClient &client) {
    client.setBackoff(ReconnectBackoff(std::chrono::milliseconds(50), std::chrono::milliseconds(200)));
}

QList<State> statesIn(const QSignalSpy &spy) {
    QList<State> states;
    for (const QList<QVariant> &change : spy) {
        states.append(change.at(0).value<State>());
    }
    return states;
}

}  // namespace

class TestSignalingClient : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;
    quint16 port_ = 0;

    void startServer(quint16 port = 0) {
        SignalingServerOptions options;
        options.port = port;
        options.presenceBatchMilliseconds = 20;
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
        port_ = server_->port();
    }

    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port_)); }

    bool signIn(SignalingClient &client, const QString &name) {
        fastBackoff(client);
        client.connectToServer(url(), name);
        return QTest::qWaitFor([&] { return client.state() == State::LoggedIn; }, timeoutMs());
    }

private Q_SLOTS:
    void init() { startServer(); }
    void cleanup() { server_.reset(); }

    // ---- Signing in ---------------------------------------------------------------------------

    void signsInAndReportsEachStep() {
        SignalingClient client;
        QCOMPARE(client.state(), State::Disconnected);
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        QSignalSpy loggedIn(&client, &SignalingClient::loggedIn);
        QVERIFY(signIn(client, QStringLiteral("alice")));
        QCOMPARE(statesIn(states), (QList<State>{State::Connecting, State::LoggingIn, State::LoggedIn}));
        for (const QList<QVariant> &change : states) {
            QVERIFY(change.at(1).toString().isEmpty());  // nothing went wrong
        }
        QCOMPARE(loggedIn.size(), 1);
        QCOMPARE(loggedIn.at(0).at(0).toString(), QStringLiteral("alice"));
        QCOMPARE(client.name(), QStringLiteral("alice"));
        QCOMPARE(client.url(), url());
        QTRY_COMPARE_WITH_TIMEOUT(client.onlineUsers(), QStringList{QStringLiteral("alice")}, timeoutMs());
    }

    void takesTheIceServersFromTheLoginReply() {
        SignalingServerOptions options;
        options.port = 0;
        options.iceServers = {
            IceServer{{QStringLiteral("stun:stun.example.org:3478")}, {}, {}},
            IceServer{
                {QStringLiteral("turn:turn.example.org:3478")}, QStringLiteral("u"), QStringLiteral("p")}};
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
        port_ = server_->port();
        SignalingClient client;
        QVERIFY(signIn(client, QStringLiteral("alice")));
        QCOMPARE(client.iceServers(), options.iceServers);
    }

    void takenNameIsRefusedOnceAndNotRetried() {
        SignalingClient first;
        QVERIFY(signIn(first, QStringLiteral("alice")));
        SignalingClient second;
        fastBackoff(second);
        QSignalSpy refused(&second, &SignalingClient::loginRefused);
        QSignalSpy states(&second, &SignalingClient::stateChanged);
        second.connectToServer(url(), QStringLiteral("alice"));
        QVERIFY(refused.wait(timeoutMs()));
        QCOMPARE(refused.at(0).at(0).value<ErrorCode>(), ErrorCode::NameTaken);
        QVERIFY(refused.at(0).at(1).toString().contains(QStringLiteral("already taken")));
        QCOMPARE(second.state(), State::Disconnected);
        // The refusal is reported once, with its reason.
        QCOMPARE(statesIn(states), (QList<State>{State::Connecting, State::LoggingIn, State::Disconnected}));
        QCOMPARE(states.last().at(1).toString(), refused.at(0).at(1).toString());
        // Several backoff periods pass without another attempt, and the server lets go of it.
        QVERIFY(!states.wait(RawWebSocketClient::scaledMs(600)));
        QCOMPARE(refused.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server_->connectionCount(), 1, timeoutMs());
        QCOMPARE(first.state(), State::LoggedIn);
    }

    void invalidNameIsRefusedWithTheServersReason() {
        SignalingClient client;
        fastBackoff(client);
        QSignalSpy refused(&client, &SignalingClient::loginRefused);
        client.connectToServer(url(), QStringLiteral(" alice"));
        QVERIFY(refused.wait(timeoutMs()));
        QCOMPARE(refused.at(0).at(0).value<ErrorCode>(), ErrorCode::NameInvalid);
        QVERIFY(!refused.at(0).at(1).toString().isEmpty());
        QCOMPARE(client.state(), State::Disconnected);
    }

    void refusesAnAddressThatIsNotAWebSocket() {
        SignalingClient client;
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        client.connectToServer(QUrl(QStringLiteral("http://127.0.0.1:1/")), QStringLiteral("alice"));
        QCOMPARE(client.state(), State::Disconnected);
        QCOMPARE(statesIn(states), (QList<State>{State::Connecting, State::Disconnected}));
        QVERIFY(states.last().at(1).toString().contains(QStringLiteral("ws://")));
    }

    void disconnectingFreesTheName() {
        SignalingClient alice;
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        QSignalSpy states(&alice, &SignalingClient::stateChanged);
        alice.disconnectFromServer();
        QCOMPARE(alice.state(), State::Disconnected);
        QCOMPARE(statesIn(states), QList<State>{State::Disconnected});
        QVERIFY(alice.onlineUsers().isEmpty());
        SignalingClient again;
        QVERIFY(signIn(again, QStringLiteral("alice")));
    }

    // ---- Sending and receiving ----------------------------------------------------------------

    void refusesToSendBeforeSigningIn() {
        SignalingClient client;
        const SessionDescription offer{QStringLiteral("offer"), QStringLiteral("v=0")};
        QVERIFY(!client.sendOffer(QStringLiteral("bob"), offer));
        QVERIFY(!client.sendRinging(QStringLiteral("bob")));
        // Nor while connecting or signing in.
        fastBackoff(client);
        client.connectToServer(url(), QStringLiteral("alice"));
        QCOMPARE(client.state(), State::Connecting);
        QVERIFY(!client.sendOffer(QStringLiteral("bob"), offer));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::LoggedIn, timeoutMs());
        QVERIFY(client.sendLeave(QStringLiteral("bob")));  // now it goes (and bob is offline)
        // Nor after signing out.
        client.disconnectFromServer();
        QVERIFY(!client.sendAnswer(QStringLiteral("bob"), {QStringLiteral("answer"), QStringLiteral("v=0")}));
        QVERIFY(!client.sendCandidate(QStringLiteral("bob"), {}));
        QVERIFY(!client.send(RingingMessage{QStringLiteral("bob")}));
    }

    void turnsEachCallMessageIntoATypedSignal() {
        SignalingClient alice;
        SignalingClient bob;
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        QVERIFY(signIn(bob, QStringLiteral("bob")));
        QSignalSpy offers(&bob, &SignalingClient::offerReceived);
        QSignalSpy candidates(&bob, &SignalingClient::candidateReceived);
        QSignalSpy answers(&alice, &SignalingClient::answerReceived);
        QSignalSpy rings(&alice, &SignalingClient::ringingReceived);
        QSignalSpy leaves(&alice, &SignalingClient::leaveReceived);
        QSignalSpy errors(&alice, &SignalingClient::serverError);
        const SessionDescription offer{QStringLiteral("offer"), QStringLiteral("v=0\r\nofferbody\r\n")};
        const SessionDescription answer{QStringLiteral("answer"), QStringLiteral("v=0\r\nanswerbody\r\n")};
        const IceCandidate candidate{QStringLiteral("candidate:1 1 UDP 2015363327 127.0.0.1 4000 typ host"),
                                     QStringLiteral("audio0"), 0};
        const IceCandidate endOfCandidates{{}, QStringLiteral("audio0"), 0};
        QVERIFY(alice.sendOffer(QStringLiteral("bob"), offer));
        QVERIFY(alice.sendCandidate(QStringLiteral("bob"), candidate));
        QVERIFY(alice.sendCandidate(QStringLiteral("bob"), endOfCandidates));
        QVERIFY(bob.sendRinging(QStringLiteral("alice")));
        QVERIFY(bob.sendAnswer(QStringLiteral("alice"), answer));
        QVERIFY(bob.sendLeave(QStringLiteral("alice"), QString::fromLatin1(leave_reason::kHangUp)));
        QVERIFY(leaves.wait(timeoutMs()));
        // Each arrives once, as sent, with the sender as `name`.
        QCOMPARE(offers.size(), 1);
        QCOMPARE(offers.at(0).at(0).value<OfferMessage>(), (OfferMessage{QStringLiteral("alice"), offer}));
        QCOMPARE(candidates.size(), 2);
        QCOMPARE(candidates.at(0).at(0).value<CandidateMessage>(),
                 (CandidateMessage{QStringLiteral("alice"), candidate}));
        QCOMPARE(candidates.at(1).at(0).value<CandidateMessage>(),
                 (CandidateMessage{QStringLiteral("alice"), endOfCandidates}));
        QCOMPARE(rings.size(), 1);
        QCOMPARE(rings.at(0).at(0).value<RingingMessage>(), RingingMessage{QStringLiteral("bob")});
        QCOMPARE(answers.size(), 1);
        QCOMPARE(answers.at(0).at(0).value<AnswerMessage>(), (AnswerMessage{QStringLiteral("bob"), answer}));
        QCOMPARE(leaves.size(), 1);
        QCOMPARE(leaves.at(0).at(0).value<LeaveMessage>(),
                 (LeaveMessage{QStringLiteral("bob"), QStringLiteral("hangup")}));
        QCOMPARE(errors.size(), 0);
    }

    void hearsLeaveWhenThePartnersConnectionDrops() {
        SignalingClient alice;
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        QSignalSpy leaves(&alice, &SignalingClient::leaveReceived);
        {
            SignalingClient bob;
            QVERIFY(signIn(bob, QStringLiteral("bob")));
            QSignalSpy offers(&bob, &SignalingClient::offerReceived);
            QVERIFY(alice.sendOffer(QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0")}));
            QVERIFY(offers.wait(timeoutMs()));
        }  // bob's client goes away
        QVERIFY(leaves.wait(timeoutMs()));
        QCOMPARE(leaves.at(0).at(0).value<LeaveMessage>(),
                 (LeaveMessage{QStringLiteral("bob"), QString::fromLatin1(leave_reason::kDisconnected)}));
    }

    void reportsServerErrors() {
        SignalingClient alice;
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        QSignalSpy errors(&alice, &SignalingClient::serverError);
        QVERIFY(alice.sendRinging(QStringLiteral("nobody")));
        QVERIFY(errors.wait(timeoutMs()));
        const auto error = errors.at(0).at(0).value<ErrorMessage>();
        QCOMPARE(error.code, ErrorCode::UserOffline);
        QCOMPARE(error.about, QStringLiteral("ringing"));
        QCOMPARE(error.name, QStringLiteral("nobody"));
        QVERIFY(!error.message.isEmpty());
        QCOMPARE(alice.state(), State::LoggedIn);  // an error is not a disconnection
    }

    void tracksWhoIsOnline() {
        SignalingClient alice;
        QSignalSpy changes(&alice, &SignalingClient::usersChanged);
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        SignalingClient bob;
        SignalingClient carol;
        QVERIFY(signIn(bob, QStringLiteral("bob")));
        QVERIFY(signIn(carol, QStringLiteral("carol")));
        const QStringList everyone{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")};
        QTRY_COMPARE_WITH_TIMEOUT(alice.onlineUsers(), everyone, timeoutMs());
        QTRY_COMPARE_WITH_TIMEOUT(carol.onlineUsers(), everyone, timeoutMs());
        QCOMPARE(changes.last().at(0).toStringList(), everyone);  // the signal carries the sorted list
        bob.disconnectFromServer();
        const QStringList remaining{QStringLiteral("alice"), QStringLiteral("carol")};
        QTRY_COMPARE_WITH_TIMEOUT(alice.onlineUsers(), remaining, timeoutMs());
        QTRY_COMPARE_WITH_TIMEOUT(carol.onlineUsers(), remaining, timeoutMs());
        QCOMPARE(changes.last().at(0).toStringList(), remaining);
        QVERIFY(bob.onlineUsers().isEmpty());
    }

    // ---- What our server never sends ----------------------------------------------------------

    void ignoresMessageTypesItDoesNotKnow() {
        ScriptedServer scripted({"{\"type\":\"from-the-future\",\"x\":1}",
                                 "{\"type\":\"login\",\"success\":true,\"name\":\"alice\"}",
                                 "{\"type\":\"x-typing\",\"name\":\"zed\"}",
                                 "{\"type\":\"users\",\"users\":[\"alice\",\"zed\"]}"});
        SignalingClient client;
        QSignalSpy errors(&client, &SignalingClient::serverError);
        client.connectToServer(scripted.url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::LoggedIn, timeoutMs());
        QTRY_COMPARE_WITH_TIMEOUT(client.onlineUsers(),
                                  (QStringList{QStringLiteral("alice"), QStringLiteral("zed")}), timeoutMs());
        QCOMPARE(errors.size(), 0);
    }

    void reportsUnreadableMessagesFromTheServer() {
        ScriptedServer scripted(
            {"{\"type\":\"login\",\"success\":true}", "{\"type\":\"offer\",\"name\":\"bob\"}"});
        SignalingClient client;
        QSignalSpy errors(&client, &SignalingClient::serverError);
        QSignalSpy offers(&client, &SignalingClient::offerReceived);
        client.connectToServer(scripted.url(), QStringLiteral("alice"));
        QVERIFY(errors.wait(timeoutMs()));
        const auto error = errors.at(0).at(0).value<ErrorMessage>();
        QCOMPARE(error.code, ErrorCode::BadMessage);
        QCOMPARE(error.about, QStringLiteral("offer"));
        QCOMPARE(offers.size(), 0);
        QCOMPARE(client.state(), State::LoggedIn);
    }

    // ---- Losing the server --------------------------------------------------------------------

    void reconnectsAndSignsInAgainAfterTheServerRestarts() {
        SignalingClient client;
        SignalingClient bob;
        QSignalSpy loggedIn(&client, &SignalingClient::loggedIn);
        QVERIFY(signIn(client, QStringLiteral("alice")));
        QVERIFY(signIn(bob, QStringLiteral("bob")));
        QTRY_COMPARE_WITH_TIMEOUT(client.onlineUsers().size(), 2, timeoutMs());
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        QSignalSpy users(&client, &SignalingClient::usersChanged);
        const quint16 port = port_;
        server_.reset();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Reconnecting, timeoutMs());
        QVERIFY(!states.first().at(1).toString().isEmpty());  // says why
        QVERIFY(client.onlineUsers().isEmpty());
        QCOMPARE(users.first().at(0).toStringList(), QStringList());
        QVERIFY(!client.sendRinging(QStringLiteral("bob")));
        startServer(port);  // same address, new process as far as clients can tell
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::LoggedIn, timeoutMs());
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), State::LoggedIn, timeoutMs());
        // Reconnecting (once per failed attempt, each with its reason), then signing in again.
        QList<State> seen = statesIn(states);
        QCOMPARE(seen.takeLast(), State::LoggedIn);
        QCOMPARE(seen.takeLast(), State::LoggingIn);
        QVERIFY(!seen.isEmpty());
        for (const QList<QVariant> &change : states.mid(0, seen.size())) {
            QCOMPARE(change.at(0).value<State>(), State::Reconnecting);
            QVERIFY(!change.at(1).toString().isEmpty());
        }
        QCOMPARE(loggedIn.size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(client.onlineUsers(),
                                  (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}), timeoutMs());
        QSignalSpy rings(&bob, &SignalingClient::ringingReceived);
        QVERIFY(client.sendRinging(QStringLiteral("bob")));
        QVERIFY(rings.wait(timeoutMs()));
    }

    void unreachableServerIsReportedAndRetried() {
        const quint16 port = port_;
        server_.reset();  // nothing listens there now
        SignalingClient client;
        fastBackoff(client);
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        client.connectToServer(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Reconnecting, timeoutMs());
        QVERIFY(states.last().at(1).toString().contains(QStringLiteral("Cannot reach the server")));
        startServer(port);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::LoggedIn, timeoutMs());
    }

    void afterReconnectingATakenNameIsRetriedUntilFree() {
        SignalingClient client;
        QVERIFY(signIn(client, QStringLiteral("alice")));
        // Slow enough retries that the name is surely taken before the first one.
        client.setBackoff(ReconnectBackoff(std::chrono::milliseconds(500), std::chrono::milliseconds(500)));
        const quint16 port = port_;
        server_.reset();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Reconnecting, timeoutMs());
        // On the restarted server someone holds the name first, as the server may still hold our
        // own old connection after a drop it has not noticed yet.
        startServer(port);
        RawWebSocketClient holder(url());
        QVERIFY(holder.login(QStringLiteral("alice")));
        QSignalSpy refused(&client, &SignalingClient::loginRefused);
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        QTRY_VERIFY_WITH_TIMEOUT(statesIn(states).count(State::LoggingIn) >= 2,
                                 timeoutMs());  // tried and tried again
        QCOMPARE(refused.size(), 0);
        holder.close();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::LoggedIn, timeoutMs());
        QCOMPARE(client.name(), QStringLiteral("alice"));
    }

    void reconnectsWhenTheServerStopsAnswering() {
        UnresponsiveServer frozen;
        SignalingClient client;
        fastBackoff(client);
        client.setKeepalive(1, 2);
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        client.connectToServer(frozen.url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::LoggingIn, timeoutMs());
        // No login reply and no pong: within a few seconds the client gives up on this connection.
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Reconnecting, RawWebSocketClient::scaledMs(8000));
        QCOMPARE(states.last().at(1).toString(), SignalingClient::tr("The server stopped answering."));
        // ... and tries again.
        QTRY_VERIFY_WITH_TIMEOUT(frozen.upgrades() >= 2, timeoutMs());
    }
};

QTEST_GUILESS_MAIN(TestSignalingClient)
#include "tst_signalingclient.moc"
