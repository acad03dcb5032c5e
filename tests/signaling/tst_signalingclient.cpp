// SignalingClient against the real server (and one scripted server): typed signals, presence,
// refusals, and reconnecting after the server restarts.
#include "signaling/SignalingClient.h"
#include "signaling/SignalingServer.h"
#include "util/GLibPtr.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab;
using namespace confab::protocol;

namespace {

constexpr int kTimeoutMs = 10000;

void fastBackoff(SignalingClient &client) {
    client.setBackoff(ReconnectBackoff(std::chrono::milliseconds(50), std::chrono::milliseconds(200)));
}

// A server that answers any login with a scripted list of frames, to show how the client treats
// messages our server never sends (unknown types from a newer server).
class ScriptedServer {
public:
    explicit ScriptedServer(QList<QByteArray> frames) : frames_(std::move(frames)), server_(soup_server_new(nullptr, nullptr)) {
        soup_server_add_websocket_handler(server_.get(), nullptr, nullptr, nullptr, &ScriptedServer::onSocket, this, nullptr);
        GErrorPtr error;
        soup_server_listen_local(server_.get(), 0, SOUP_SERVER_LISTEN_IPV4_ONLY, out(error));
        GSList *uris = soup_server_get_uris(server_.get());
        port_ = g_uri_get_port(static_cast<GUri *>(uris->data));
        g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
    }
    ~ScriptedServer() { soup_server_disconnect(server_.get()); }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port_)); }

private:
    static void onSocket(SoupServer *, SoupServerMessage *, const char *, SoupWebsocketConnection *socket, gpointer self) {
        auto *scripted = static_cast<ScriptedServer *>(self);
        scripted->sockets_.push_back(retained(socket));
        g_signal_connect(socket, "message", G_CALLBACK(+[](SoupWebsocketConnection *s, gint, GBytes *, gpointer data) {
                             for (const QByteArray &frame : static_cast<ScriptedServer *>(data)->frames_) {
                                 soup_websocket_connection_send_text(s, frame.constData());
                             }
                         }),
                         self);
    }

    QList<QByteArray> frames_;
    GObjectPtr<SoupServer> server_;
    std::vector<GObjectPtr<SoupWebsocketConnection>> sockets_;
    int port_ = 0;
};

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
        return QTest::qWaitFor([&] { return client.state() == SignalingClient::State::LoggedIn; }, kTimeoutMs);
    }

private Q_SLOTS:
    void init() { startServer(); }
    void cleanup() { server_.reset(); }

    void signsInAndReportsEachStep() {
        SignalingClient client;
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        QSignalSpy loggedIn(&client, &SignalingClient::loggedIn);
        QVERIFY(signIn(client, QStringLiteral("alice")));
        QCOMPARE(loggedIn.size(), 1);
        QCOMPARE(states.at(0).at(0).value<SignalingClient::State>(), SignalingClient::State::Connecting);
        QCOMPARE(states.at(1).at(0).value<SignalingClient::State>(), SignalingClient::State::LoggingIn);
        QCOMPARE(states.at(2).at(0).value<SignalingClient::State>(), SignalingClient::State::LoggedIn);
        QCOMPARE(client.name(), QStringLiteral("alice"));
    }

    void tracksWhoIsOnline() {
        SignalingClient alice;
        SignalingClient bob;
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        QVERIFY(signIn(bob, QStringLiteral("bob")));
        QTRY_COMPARE_WITH_TIMEOUT(alice.onlineUsers(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}), kTimeoutMs);
        QCOMPARE(bob.onlineUsers(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
        QSignalSpy changes(&alice, &SignalingClient::usersChanged);
        bob.disconnectFromServer();
        QTRY_COMPARE_WITH_TIMEOUT(alice.onlineUsers(), QStringList{QStringLiteral("alice")}, kTimeoutMs);
        QVERIFY(!changes.isEmpty());
        QCOMPARE(changes.last().at(0).toStringList(), QStringList{QStringLiteral("alice")});
    }

    void turnsEachCallMessageIntoATypedSignal() {
        SignalingClient alice;
        SignalingClient bob;
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        QVERIFY(signIn(bob, QStringLiteral("bob")));
        QSignalSpy offers(&bob, &SignalingClient::offerReceived);
        QSignalSpy answers(&alice, &SignalingClient::answerReceived);
        QSignalSpy candidates(&bob, &SignalingClient::candidateReceived);
        QSignalSpy rings(&alice, &SignalingClient::ringingReceived);
        QSignalSpy leaves(&alice, &SignalingClient::leaveReceived);
        const SessionDescription offer{QStringLiteral("offer"), QStringLiteral("v=0\r\nofferbody\r\n")};
        const IceCandidate candidate{QStringLiteral("candidate:1 1 UDP 2015363327 127.0.0.1 4000 typ host"),
                                     QStringLiteral("audio0"), 0};
        QVERIFY(alice.sendOffer(QStringLiteral("bob"), offer));
        QVERIFY(alice.sendCandidate(QStringLiteral("bob"), candidate));
        QVERIFY(bob.sendRinging(QStringLiteral("alice")));
        QVERIFY(bob.sendAnswer(QStringLiteral("alice"), {QStringLiteral("answer"), QStringLiteral("v=0\r\nanswer\r\n")}));
        QVERIFY(bob.sendLeave(QStringLiteral("alice"), QStringLiteral("hangup")));
        QTRY_COMPARE_WITH_TIMEOUT(leaves.size(), 1, kTimeoutMs);
        QCOMPARE(offers.size(), 1);
        QCOMPARE(offers.at(0).at(0).value<OfferMessage>(), (OfferMessage{QStringLiteral("alice"), offer}));
        QCOMPARE(candidates.at(0).at(0).value<CandidateMessage>(), (CandidateMessage{QStringLiteral("alice"), candidate}));
        QCOMPARE(rings.at(0).at(0).value<RingingMessage>().name, QStringLiteral("bob"));
        QCOMPARE(answers.at(0).at(0).value<AnswerMessage>().answer.sdp, QStringLiteral("v=0\r\nanswer\r\n"));
        QCOMPARE(leaves.at(0).at(0).value<LeaveMessage>(), (LeaveMessage{QStringLiteral("bob"), QStringLiteral("hangup")}));
    }

    void reportsServerErrors() {
        SignalingClient alice;
        QVERIFY(signIn(alice, QStringLiteral("alice")));
        QSignalSpy errors(&alice, &SignalingClient::serverError);
        QVERIFY(alice.sendRinging(QStringLiteral("nobody")));
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, kTimeoutMs);
        const auto error = errors.at(0).at(0).value<ErrorMessage>();
        QCOMPARE(error.code, ErrorCode::UserOffline);
        QCOMPARE(error.name, QStringLiteral("nobody"));
    }

    void takenNameIsRefusedAndNotRetried() {
        SignalingClient first;
        QVERIFY(signIn(first, QStringLiteral("alice")));
        SignalingClient second;
        fastBackoff(second);
        QSignalSpy refused(&second, &SignalingClient::loginRefused);
        second.connectToServer(url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(refused.size(), 1, kTimeoutMs);
        QCOMPARE(refused.at(0).at(0).value<ErrorCode>(), ErrorCode::NameTaken);
        QVERIFY(refused.at(0).at(1).toString().contains(QStringLiteral("already taken")));
        QCOMPARE(second.state(), SignalingClient::State::Disconnected);
        QTest::qWait(500);  // several backoff periods: no new attempt
        QCOMPARE(second.state(), SignalingClient::State::Disconnected);
        QTRY_COMPARE(server_->connectionCount(), 1);
    }

    void refusesToSendBeforeSigningIn() {
        SignalingClient client;
        QVERIFY(!client.sendRinging(QStringLiteral("bob")));
        QVERIFY(!client.sendOffer(QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0")}));
    }

    void reconnectsAndSignsInAgainAfterTheServerRestarts() {
        SignalingClient client;
        QSignalSpy loggedIn(&client, &SignalingClient::loggedIn);
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        QVERIFY(signIn(client, QStringLiteral("alice")));
        const quint16 port = port_;
        server_.reset();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::Reconnecting, kTimeoutMs);
        bool saidWhy = false;
        for (const QList<QVariant> &change : states) {
            saidWhy = saidWhy || (change.at(0).value<SignalingClient::State>() == SignalingClient::State::Reconnecting &&
                                  !change.at(1).toString().isEmpty());
        }
        QVERIFY(saidWhy);
        QVERIFY(client.onlineUsers().isEmpty());
        startServer(port);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QCOMPARE(loggedIn.size(), 2);
        QCOMPARE(client.onlineUsers(), QStringList{QStringLiteral("alice")});
    }

    void unreachableServerIsReportedAndRetried() {
        const quint16 port = port_;
        server_.reset();  // nothing listens there now
        SignalingClient client;
        fastBackoff(client);
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        client.connectToServer(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::Reconnecting, kTimeoutMs);
        QVERIFY(states.last().at(1).toString().contains(QStringLiteral("Cannot reach the server")));
        startServer(port);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
    }

    void refusesAnAddressThatIsNotAWebSocket() {
        SignalingClient client;
        QSignalSpy states(&client, &SignalingClient::stateChanged);
        client.connectToServer(QUrl(QStringLiteral("http://127.0.0.1:1/")), QStringLiteral("alice"));
        QCOMPARE(client.state(), SignalingClient::State::Disconnected);
        QVERIFY(states.last().at(1).toString().contains(QStringLiteral("ws://")));
    }

    void ignoresMessageTypesItDoesNotKnow() {
        ScriptedServer scripted({"{\"type\":\"from-the-future\",\"x\":1}",
                                 "{\"type\":\"login\",\"success\":true,\"name\":\"alice\"}",
                                 "{\"type\":\"users\",\"users\":[\"alice\",\"zed\"]}"});
        SignalingClient client;
        QSignalSpy errors(&client, &SignalingClient::serverError);
        client.connectToServer(scripted.url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(client.onlineUsers(), (QStringList{QStringLiteral("alice"), QStringLiteral("zed")}),
                                  kTimeoutMs);
        QCOMPARE(errors.size(), 0);
    }

    void reportsUnreadableMessagesFromTheServer() {
        ScriptedServer scripted({"{\"type\":\"login\",\"success\":true}", "{\"type\":\"offer\",\"name\":\"bob\"}"});
        SignalingClient client;
        QSignalSpy errors(&client, &SignalingClient::serverError);
        QSignalSpy offers(&client, &SignalingClient::offerReceived);
        client.connectToServer(scripted.url(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, kTimeoutMs);
        QCOMPARE(errors.at(0).at(0).value<ErrorMessage>().code, ErrorCode::BadMessage);
        QCOMPARE(offers.size(), 0);
        QCOMPARE(client.state(), SignalingClient::State::LoggedIn);
    }
};

QTEST_GUILESS_MAIN(TestSignalingClient)
#include "tst_signalingclient.moc"
