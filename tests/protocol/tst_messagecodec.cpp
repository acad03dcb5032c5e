// SPDX-License-Identifier: GPL-3.0-or-later
// The protocol codec and its limits: every message both ways, hand-written and browser-shaped JSON,
// every refusal, and the rules for names.
#include "protocol/JsonLimits.h"
#include "protocol/MessageCodec.h"
#include "protocol/NameRules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace confab::protocol;

Q_DECLARE_METATYPE(confab::protocol::Message)

namespace {

Message decodeOk(QByteArrayView json) {
    const Decoded decoded = MessageCodec::decode(json);
    if (!decoded.message) {
        qWarning("refused: %s", qPrintable(decoded.error.message));
        return ErrorMessage{ErrorCode::ServerError, QStringLiteral("the codec refused it"), {}, {}};
    }
    return *decoded.message;
}

ProtocolError decodeError(QByteArrayView json, const JsonLimits &limits = {}) {
    const Decoded decoded = MessageCodec::decode(json, limits);
    return decoded.message ? ProtocolError{ErrorCode::ServerError, QStringLiteral("accepted")}
                           : decoded.error;
}

QJsonObject jsonOf(const Message &message) {
    return QJsonDocument::fromJson(MessageCodec::encode(message)).object();
}

// Messages print as the JSON they encode to, so a failed comparison shows what differed.
QString describe(const Message &message) {
    return QString::fromUtf8(MessageCodec::encode(message));
}

QByteArray sized(qsizetype bytes) {
    const QByteArray head = "{\"type\":\"ringing\",\"name\":\"bob\",\"x\":\"";
    const QByteArray tail = "\"}";
    return head + QByteArray(bytes - head.size() - tail.size(), 'x') + tail;
}

QByteArray nestedIn(int depth, const QByteArray &inner) {
    return QByteArray(depth, '[') + inner + QByteArray(depth, ']');
}

const SessionDescription kOffer{QStringLiteral("offer"), QStringLiteral("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n")};
const SessionDescription kAnswer{QStringLiteral("answer"),
                                 QStringLiteral("v=0\r\no=- 3 4 IN IP4 0.0.0.0\r\n")};
const IceCandidate kCandidate{
    QStringLiteral("candidate:842163049 1 udp 1677729535 192.168.1.2 56143 typ host"), QStringLiteral("0"),
    0};

}  // namespace

class TestMessageCodec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // ---- Both ways ----------------------------------------------------------------------------

    void everyMessageSurvivesARoundTrip_data() {
        QTest::addColumn<Message>("message");
        QTest::newRow("login") << Message(LoginRequest{QStringLiteral("alice")});
        QTest::newRow("login with unicode and JSON syntax in the name")
            << Message(LoginRequest{QStringLiteral("Zoë 🎧 \"quoted\" \\ back {[/]}")});
        QTest::newRow("login reply") << Message(
            LoginReply{true,
                       QStringLiteral("alice"),
                       {},
                       std::nullopt,
                       {IceServer{{QStringLiteral("stun:stun.example.org:3478")}, {}, {}},
                        IceServer{{QStringLiteral("turn:turn.example.org:3478"),
                                   QStringLiteral("turns:turn.example.org:5349")},
                                  QStringLiteral("u"),
                                  QStringLiteral("p")}}});
        QTest::newRow("login reply without ICE servers")
            << Message(LoginReply{true, QStringLiteral("alice"), {}, std::nullopt, {}});
        QTest::newRow("login refused, name taken") << Message(LoginReply{
            false, {}, QStringLiteral("The name alice is already taken."), ErrorCode::NameTaken, {}});
        QTest::newRow("login refused, name invalid") << Message(
            LoginReply{false, {}, QStringLiteral("The name is empty."), ErrorCode::NameInvalid, {}});
        QTest::newRow("offer") << Message(OfferMessage{QStringLiteral("bob"), kOffer});
        QTest::newRow("answer") << Message(AnswerMessage{QStringLiteral("bob"), kAnswer});
        QTest::newRow("candidate") << Message(CandidateMessage{QStringLiteral("bob"), kCandidate});
        QTest::newRow("first offer of a peer that can re-establish")
            << Message(OfferMessage{QStringLiteral("bob"), kOffer, 0});
        QTest::newRow("re-offer") << Message(OfferMessage{QStringLiteral("bob"), kOffer, 2});
        QTest::newRow("answer to a re-offer") << Message(AnswerMessage{QStringLiteral("bob"), kAnswer, 2});
        QTest::newRow("candidate of a re-established session")
            << Message(CandidateMessage{QStringLiteral("bob"), kCandidate, 2});
        QTest::newRow("candidate on a later line") << Message(
            CandidateMessage{QStringLiteral("bob"), {kCandidate.candidate, QStringLiteral("video1"), 3}});
        QTest::newRow("end of candidates")
            << Message(CandidateMessage{QStringLiteral("bob"), {{}, QStringLiteral("0"), 0}});
        QTest::newRow("leave") << Message(LeaveMessage{QStringLiteral("bob"), {}});
        QTest::newRow("leave busy") << Message(
            LeaveMessage{QStringLiteral("bob"), QString::fromLatin1(leave_reason::kBusy)});
        QTest::newRow("leave with a reason from a newer peer")
            << Message(LeaveMessage{QStringLiteral("bob"), QStringLiteral("x-moved-to-another-device")});
        QTest::newRow("ringing") << Message(RingingMessage{QStringLiteral("alice")});
        QTest::newRow("identified call")
            << Message(OfferMessage{QStringLiteral("bob"), kOffer, 0, QStringLiteral("3b1d0c5e9a7f2468")});
        QTest::newRow("leave of an identified call")
            << Message(LeaveMessage{QStringLiteral("bob"), {}, QStringLiteral("3b1d0c5e9a7f2468")});
        QTest::newRow("users") << Message(UsersMessage{{QStringLiteral("alice"), QStringLiteral("bob")}});
        QTest::newRow("users, nobody") << Message(UsersMessage{{}});
        QTest::newRow("presence") << Message(
            PresenceMessage{{QStringLiteral("carol")}, {QStringLiteral("dave")}});
        QTest::newRow("presence, arrivals only")
            << Message(PresenceMessage{{QStringLiteral("a"), QStringLiteral("b")}, {}});
        for (const ErrorCode code :
             {ErrorCode::MalformedJson, ErrorCode::BadMessage, ErrorCode::UnknownType, ErrorCode::NotLoggedIn,
              ErrorCode::AlreadyLoggedIn, ErrorCode::UserOffline, ErrorCode::TooLarge, ErrorCode::TooDeep,
              ErrorCode::ServerError}) {
            QTest::addRow("error %s", qPrintable(wireName(code)))
                << Message(ErrorMessage{code, QStringLiteral("Something was wrong."), QStringLiteral("offer"),
                                        QStringLiteral("bob")});
        }
        QTest::newRow("error about nothing in particular")
            << Message(ErrorMessage{ErrorCode::MalformedJson, QStringLiteral("Not JSON."), {}, {}});
    }

    void everyMessageSurvivesARoundTrip() {
        QFETCH(Message, message);
        const QByteArray wire = MessageCodec::encode(message);
        const Decoded decoded = MessageCodec::decode(wire);
        QVERIFY2(decoded.message, qPrintable(decoded.error.message));
        QVERIFY2(*decoded.message == message,
                 qPrintable(describe(*decoded.message) + QStringLiteral(" != ") + describe(message)));
        QCOMPARE(decoded.type, wireName(typeOf(message)));
    }

    void encodesEachMessageInItsWireShape_data() {
        QTest::addColumn<Message>("message");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("login") << Message(LoginRequest{QStringLiteral("alice")})
                               << QByteArray(R"({"type":"login","name":"alice"})");
        QTest::newRow("login reply")
            << Message(LoginReply{
                   true,
                   QStringLiteral("alice"),
                   {},
                   std::nullopt,
                   {IceServer{{QStringLiteral("stun:s:1")}, {}, {}},
                    IceServer{{QStringLiteral("turn:t:2")}, QStringLiteral("u"), QStringLiteral("c")}}})
            << QByteArray(
                   R"({"type":"login","success":true,"name":"alice","iceServers":[{"urls":["stun:s:1"]},)"
                   R"({"urls":["turn:t:2"],"username":"u","credential":"c"}]})");
        QTest::newRow("plain login reply")
            << Message(LoginReply{true, QStringLiteral("alice"), {}, std::nullopt, {}})
            << QByteArray(R"({"type":"login","success":true,"name":"alice"})");
        QTest::newRow("login refused")
            << Message(LoginReply{false, {}, QStringLiteral("Taken."), ErrorCode::NameTaken, {}})
            << QByteArray(R"({"type":"login","success":false,"message":"Taken.","code":"name-taken"})");
        QTest::newRow("offer")
            << Message(OfferMessage{QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0")}})
            << QByteArray(R"({"type":"offer","offer":{"type":"offer","sdp":"v=0"},"name":"bob"})");
        QTest::newRow("answer")
            << Message(
                   AnswerMessage{QStringLiteral("bob"), {QStringLiteral("answer"), QStringLiteral("v=0")}})
            << QByteArray(R"({"type":"answer","answer":{"type":"answer","sdp":"v=0"},"name":"bob"})");
        QTest::newRow("candidate")
            << Message(CandidateMessage{QStringLiteral("bob"),
                                        {QStringLiteral("candidate:1"), QStringLiteral("0"), 1}})
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":1},"name":"bob"})");
        QTest::newRow("re-offer")
            << Message(OfferMessage{QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0")}, 1})
            << QByteArray(R"({"type":"offer","offer":{"type":"offer","sdp":"v=0"},"name":"bob","reconnect":1})");
        QTest::newRow("first answer of a peer that can re-establish")
            << Message(AnswerMessage{QStringLiteral("bob"), {QStringLiteral("answer"), QStringLiteral("v=0")}, 0})
            << QByteArray(R"({"type":"answer","answer":{"type":"answer","sdp":"v=0"},"name":"bob","reconnect":0})");
        QTest::newRow("candidate of a first session: no reconnect")
            << Message(CandidateMessage{QStringLiteral("bob"), {QStringLiteral("candidate:1"), QStringLiteral("0"), 1}, 0})
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":1},"name":"bob"})");
        QTest::newRow("candidate of a re-established session")
            << Message(CandidateMessage{QStringLiteral("bob"), {QStringLiteral("candidate:1"), QStringLiteral("0"), 1}, 3})
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":1},"name":"bob","reconnect":3})");
        QTest::newRow("leave") << Message(LeaveMessage{QStringLiteral("bob"), {}})
                               << QByteArray(R"({"type":"leave","name":"bob"})");
        QTest::newRow("leave with a reason")
            << Message(LeaveMessage{QStringLiteral("bob"), QStringLiteral("declined")})
            << QByteArray(R"({"type":"leave","name":"bob","reason":"declined"})");
        QTest::newRow("ringing") << Message(RingingMessage{QStringLiteral("bob")})
                                 << QByteArray(R"({"type":"ringing","name":"bob"})");
        QTest::newRow("offer of an identified call")
            << Message(OfferMessage{QStringLiteral("bob"),
                                    {QStringLiteral("offer"), QStringLiteral("v=0")},
                                    0,
                                    QStringLiteral("9f2c")})
            << QByteArray(
                   R"({"type":"offer","offer":{"type":"offer","sdp":"v=0"},"name":"bob","reconnect":0,"call":"9f2c"})");
        QTest::newRow("answer of an identified call")
            << Message(AnswerMessage{QStringLiteral("bob"),
                                     {QStringLiteral("answer"), QStringLiteral("v=0")},
                                     0,
                                     QStringLiteral("9f2c")})
            << QByteArray(
                   R"({"type":"answer","answer":{"type":"answer","sdp":"v=0"},"name":"bob","reconnect":0,"call":"9f2c"})");
        QTest::newRow("candidate of an identified call")
            << Message(CandidateMessage{QStringLiteral("bob"),
                                        {QStringLiteral("candidate:1"), QStringLiteral("0"), 1},
                                        0,
                                        QStringLiteral("9f2c")})
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":1},"name":"bob","call":"9f2c"})");
        QTest::newRow("leave of an identified call")
            << Message(LeaveMessage{QStringLiteral("bob"), QStringLiteral("hangup"), QStringLiteral("9f2c")})
            << QByteArray(R"({"type":"leave","name":"bob","reason":"hangup","call":"9f2c"})");
        QTest::newRow("ringing of an identified call")
            << Message(RingingMessage{QStringLiteral("bob"), QStringLiteral("9f2c")})
            << QByteArray(R"({"type":"ringing","name":"bob","call":"9f2c"})");
        QTest::newRow("users") << Message(UsersMessage{{QStringLiteral("a"), QStringLiteral("b")}})
                               << QByteArray(R"({"type":"users","users":["a","b"]})");
        QTest::newRow("presence") << Message(PresenceMessage{{QStringLiteral("a")}, {}})
                                  << QByteArray(R"({"type":"presence","online":["a"],"offline":[]})");
        QTest::newRow("error")
            << Message(ErrorMessage{ErrorCode::UserOffline, QStringLiteral("bob is not online."),
                                    QStringLiteral("offer"), QStringLiteral("bob")})
            << QByteArray(
                   R"({"type":"error","code":"user-offline","message":"bob is not online.","about":"offer","name":"bob"})");
        QTest::newRow("error about nothing")
            << Message(ErrorMessage{ErrorCode::MalformedJson, QStringLiteral("Not JSON."), {}, {}})
            << QByteArray(R"({"type":"error","code":"malformed-json","message":"Not JSON."})");
    }

    void encodesEachMessageInItsWireShape() {
        QFETCH(Message, message);
        QFETCH(QByteArray, json);
        QCOMPARE(jsonOf(message), QJsonDocument::fromJson(json).object());
    }

    // ---- Reading what others write ------------------------------------------------------------

    void readsHandWrittenJsonOfEveryType_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<Message>("expected");
        QTest::newRow("login") << QByteArray(R"({ "type" : "login" , "name" : "alice" })")
                               << Message(LoginRequest{QStringLiteral("alice")});
        QTest::newRow("login with escapes")
            << QByteArray("{\"type\":\"login\",\"name\":\"Zo\\u00eb \\ud83c\\udfa7 \\\"q\\\"\"}")
            << Message(LoginRequest{QStringLiteral("Zoë 🎧 \"q\"")});
        QTest::newRow("seed login reply") << QByteArray(R"({"type":"login","success":true})")
                                          << Message(LoginReply{true, {}, {}, std::nullopt, {}});
        QTest::newRow("refusal with a code from a newer server")
            << QByteArray(R"({"type":"login","success":false,"message":"No.","code":"x-banned"})")
            << Message(LoginReply{false, {}, QStringLiteral("No."), ErrorCode::ServerError, {}});
        QTest::newRow("ICE urls as one string, a list, or the old url")
            << QByteArray(
                   R"({"type":"login","success":true,"name":"a","iceServers":[{"urls":"stun:a:1"},)"
                   R"({"urls":["turn:b:2","turns:b:3"],"username":"u","credential":"c"},{"url":"stun:c:4"}]})")
            << Message(LoginReply{true,
                                  QStringLiteral("a"),
                                  {},
                                  std::nullopt,
                                  {IceServer{{QStringLiteral("stun:a:1")}, {}, {}},
                                   IceServer{{QStringLiteral("turn:b:2"), QStringLiteral("turns:b:3")},
                                             QStringLiteral("u"),
                                             QStringLiteral("c")},
                                   IceServer{{QStringLiteral("stun:c:4")}, {}, {}}}});
        QTest::newRow("offer")
            << QByteArray(R"({"type":"offer","offer":{"type":"offer","sdp":"v=0\r\n"},"name":"bob"})")
            << Message(
                   OfferMessage{QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0\r\n")}});
        QTest::newRow("offer whose description has no type")
            << QByteArray(R"({"type":"offer","offer":{"sdp":"v=0"},"name":"bob"})")
            << Message(OfferMessage{QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0")}});
        QTest::newRow("answer")
            << QByteArray(R"({"name":"alice","answer":{"sdp":"v=0","type":"answer"},"type":"answer"})")
            << Message(
                   AnswerMessage{QStringLiteral("alice"), {QStringLiteral("answer"), QStringLiteral("v=0")}});
        QTest::newRow("candidate")
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0},"name":"bob"})")
            << Message(CandidateMessage{
                   QStringLiteral("bob"),
                   {QStringLiteral("candidate:1 1 udp 1 1.2.3.4 5 typ host"), QStringLiteral("0"), 0}});
        QTest::newRow("browser candidate with usernameFragment")
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"candidate:2","sdpMid":"1","sdpMLineIndex":1,"usernameFragment":"EsAw"},"name":"bob"})")
            << Message(CandidateMessage{QStringLiteral("bob"),
                                        {QStringLiteral("candidate:2"), QStringLiteral("1"), 1}});
        QTest::newRow("browser end-of-candidates: null")
            << QByteArray(R"({"type":"candidate","candidate":null,"name":"bob"})")
            << Message(CandidateMessage{QStringLiteral("bob"), {}});
        QTest::newRow("browser end-of-candidates: empty string")
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"","sdpMid":"0","sdpMLineIndex":0},"name":"bob"})")
            << Message(CandidateMessage{QStringLiteral("bob"), {{}, QStringLiteral("0"), 0}});
        QTest::newRow("sdpMid null beside an index")
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"c","sdpMid":null,"sdpMLineIndex":2},"name":"bob"})")
            << Message(CandidateMessage{QStringLiteral("bob"), {QStringLiteral("c"), {}, 2}});
        QTest::newRow("index null beside an sdpMid")
            << QByteArray(
                   R"({"type":"candidate","candidate":{"candidate":"c","sdpMid":"audio","sdpMLineIndex":null},"name":"bob"})")
            << Message(CandidateMessage{QStringLiteral("bob"),
                                        {QStringLiteral("c"), QStringLiteral("audio"), 0}});
        QTest::newRow("leave") << QByteArray(R"({"type":"leave","name":"bob"})")
                               << Message(LeaveMessage{QStringLiteral("bob"), {}});
        QTest::newRow("leave, reason null") << QByteArray(R"({"type":"leave","name":"bob","reason":null})")
                                            << Message(LeaveMessage{QStringLiteral("bob"), {}});
        QTest::newRow("leave, disconnected")
            << QByteArray(R"({"type":"leave","name":"bob","reason":"disconnected"})")
            << Message(LeaveMessage{QStringLiteral("bob"), QStringLiteral("disconnected")});
        QTest::newRow("ringing") << QByteArray(R"({"type":"ringing","name":"alice"})")
                                 << Message(RingingMessage{QStringLiteral("alice")});
        QTest::newRow("users") << QByteArray(R"({"type":"users","users":["alice","bob","carol"]})")
                               << Message(UsersMessage{{QStringLiteral("alice"), QStringLiteral("bob"),
                                                        QStringLiteral("carol")}});
        QTest::newRow("presence")
            << QByteArray(R"({"type":"presence","online":["carol"],"offline":["dave","erin"]})")
            << Message(PresenceMessage{{QStringLiteral("carol")},
                                       {QStringLiteral("dave"), QStringLiteral("erin")}});
        QTest::newRow("presence, one side missing") << QByteArray(R"({"type":"presence","offline":["dave"]})")
                                                    << Message(PresenceMessage{{}, {QStringLiteral("dave")}});
        QTest::newRow("error")
            << QByteArray(
                   R"({"type":"error","code":"user-offline","message":"bob is not online.","about":"offer","name":"bob"})")
            << Message(ErrorMessage{ErrorCode::UserOffline, QStringLiteral("bob is not online."),
                                    QStringLiteral("offer"), QStringLiteral("bob")});
        QTest::newRow("error with a code from a newer server")
            << QByteArray(R"({"type":"error","code":"x-rate-limited","message":"Slow down."})")
            << Message(ErrorMessage{ErrorCode::ServerError, QStringLiteral("Slow down."), {}, {}});
        QTest::newRow("surrounding whitespace")
            << QByteArray(" \r\n\t{\"type\":\"ringing\",\"name\":\"a\"}\n ")
            << Message(RingingMessage{QStringLiteral("a")});
    }

    void readsHandWrittenJsonOfEveryType() {
        QFETCH(QByteArray, json);
        QFETCH(Message, expected);
        const Message message = decodeOk(json);
        QVERIFY2(message == expected,
                 qPrintable(describe(message) + QStringLiteral(" != ") + describe(expected)));
    }

    void ignoresFieldsItDoesNotKnow_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<Message>("expected");
        QTest::newRow("login")
            << QByteArray(R"({"type":"login","name":"alice","x-client":"confab/2","caps":["video"]})")
            << Message(LoginRequest{QStringLiteral("alice")});
        QTest::newRow("login reply")
            << QByteArray(
                   R"({"type":"login","success":true,"name":"a","x-motd":{"text":"hi"},"iceServers":[{"urls":"stun:a:1","credentialType":"password"}]})")
            << Message(LoginReply{true,
                                  QStringLiteral("a"),
                                  {},
                                  std::nullopt,
                                  {IceServer{{QStringLiteral("stun:a:1")}, {}, {}}}});
        QTest::newRow("offer, outside and inside the description")
            << QByteArray(
                   R"({"type":"offer","offer":{"type":"offer","sdp":"v=0","x":1},"name":"bob","future":{"a":[1,2,null]}})")
            << Message(OfferMessage{QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0")}});
        QTest::newRow("ringing") << QByteArray(R"({"type":"ringing","name":"bob","video":true,"n":1.5e3})")
                                 << Message(RingingMessage{QStringLiteral("bob")});
        QTest::newRow("users") << QByteArray(R"({"type":"users","users":["a"],"total":1})")
                               << Message(UsersMessage{{QStringLiteral("a")}});
        QTest::newRow("error") << QByteArray(
                                      R"({"type":"error","code":"too-large","message":"Big.","limit":65536})")
                               << Message(ErrorMessage{ErrorCode::TooLarge, QStringLiteral("Big."), {}, {}});
    }

    void ignoresFieldsItDoesNotKnow() {
        QFETCH(QByteArray, json);
        QFETCH(Message, expected);
        const Message message = decodeOk(json);
        QVERIFY2(message == expected,
                 qPrintable(describe(message) + QStringLiteral(" != ") + describe(expected)));
    }

    // ---- Refusals -----------------------------------------------------------------------------

    void refusesBadMessages_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<ErrorCode>("code");
        const auto row = [](const char *tag, const QByteArray &json, ErrorCode code) {
            QTest::newRow(tag) << json << code;
        };
        row("not json", "{not json", ErrorCode::MalformedJson);
        row("cut short", R"({"type":"ringing","name":)", ErrorCode::MalformedJson);
        row("trailing word", R"({"type":"ringing","name":"a"} x)", ErrorCode::MalformedJson);
        row("not UTF-8", "{\"type\":\"login\",\"name\":\"a\xff\"}", ErrorCode::MalformedJson);
        row("empty", "", ErrorCode::MalformedJson);
        row("only spaces", "   ", ErrorCode::MalformedJson);
        row("an array", "[1,2]", ErrorCode::BadMessage);
        row("reconnect not a number", R"({"type":"offer","offer":{"type":"offer","sdp":"v=0"},"name":"b","reconnect":"1"})",
            ErrorCode::BadMessage);
        row("reconnect negative", R"({"type":"offer","offer":{"type":"offer","sdp":"v=0"},"name":"b","reconnect":-1})",
            ErrorCode::BadMessage);
        row("a string", "\"login\"", ErrorCode::BadMessage);
        row("a number", "42", ErrorCode::BadMessage);
        row("null", "null", ErrorCode::BadMessage);
        row("no type", R"({"name":"bob"})", ErrorCode::BadMessage);
        row("type a number", R"({"type":5})", ErrorCode::BadMessage);
        row("type null", R"({"type":null,"name":"bob"})", ErrorCode::BadMessage);
        row("unknown type", R"({"type":"teleport","name":"bob"})", ErrorCode::UnknownType);
        row("type in another case", R"({"type":"Offer","name":"bob"})", ErrorCode::UnknownType);
        row("empty type", R"({"type":"","name":"bob"})", ErrorCode::UnknownType);
        // A login request's faults are about the name, so its refusal can say so.
        row("login without name", R"({"type":"login"})", ErrorCode::NameInvalid);
        row("login name a number", R"({"type":"login","name":42})", ErrorCode::NameInvalid);
        row("login name null", R"({"type":"login","name":null})", ErrorCode::NameInvalid);
        row("login name a list", R"({"type":"login","name":["alice"]})", ErrorCode::NameInvalid);
        row("login success not a bool", R"({"type":"login","success":"yes"})", ErrorCode::BadMessage);
        row("login reply iceServers not a list",
            R"({"type":"login","success":true,"iceServers":{"urls":"stun:a"}})", ErrorCode::BadMessage);
        row("login reply iceServers null", R"({"type":"login","success":true,"iceServers":null})",
            ErrorCode::BadMessage);
        row("ICE server not an object", R"({"type":"login","success":true,"iceServers":["stun:a"]})",
            ErrorCode::BadMessage);
        row("ICE server without urls", R"({"type":"login","success":true,"iceServers":[{}]})",
            ErrorCode::BadMessage);
        row("ICE urls with a number",
            R"({"type":"login","success":true,"iceServers":[{"urls":["stun:a",1]}]})", ErrorCode::BadMessage);
        row("ICE username a number",
            R"({"type":"login","success":true,"iceServers":[{"urls":"stun:a","username":1}]})",
            ErrorCode::BadMessage);
        row("offer without name", R"({"type":"offer","offer":{"type":"offer","sdp":"v=0"}})",
            ErrorCode::BadMessage);
        row("offer without description", R"({"type":"offer","name":"b"})", ErrorCode::BadMessage);
        row("offer without sdp", R"({"type":"offer","offer":{"type":"offer"},"name":"b"})",
            ErrorCode::BadMessage);
        row("offer sdp null", R"({"type":"offer","offer":{"sdp":null},"name":"b"})", ErrorCode::BadMessage);
        row("offer as a string", R"({"type":"offer","offer":"v=0","name":"b"})", ErrorCode::BadMessage);
        row("offer description type a number",
            R"({"type":"offer","offer":{"type":1,"sdp":"v=0"},"name":"b"})", ErrorCode::BadMessage);
        row("answer sdp a number", R"({"type":"answer","answer":{"sdp":1},"name":"b"})",
            ErrorCode::BadMessage);
        row("answer without description", R"({"type":"answer","name":"b"})", ErrorCode::BadMessage);
        row("candidate without candidate", R"({"type":"candidate","name":"b"})", ErrorCode::BadMessage);
        row("candidate a string", R"({"type":"candidate","candidate":"candidate:1","name":"b"})",
            ErrorCode::BadMessage);
        row("candidate without mid or index",
            R"({"type":"candidate","candidate":{"candidate":"c"},"name":"b"})", ErrorCode::BadMessage);
        row("candidate index negative",
            R"({"type":"candidate","candidate":{"candidate":"c","sdpMLineIndex":-1},"name":"b"})",
            ErrorCode::BadMessage);
        row("candidate index huge",
            R"({"type":"candidate","candidate":{"candidate":"c","sdpMLineIndex":70000},"name":"b"})",
            ErrorCode::BadMessage);
        row("candidate index fractional",
            R"({"type":"candidate","candidate":{"candidate":"c","sdpMLineIndex":0.5},"name":"b"})",
            ErrorCode::BadMessage);
        row("candidate index text",
            R"({"type":"candidate","candidate":{"candidate":"c","sdpMLineIndex":"0"},"name":"b"})",
            ErrorCode::BadMessage);
        row("candidate line a number",
            R"({"type":"candidate","candidate":{"candidate":7,"sdpMid":"0"},"name":"b"})",
            ErrorCode::BadMessage);
        row("candidate without name", R"({"type":"candidate","candidate":null})", ErrorCode::BadMessage);
        row("leave without name", R"({"type":"leave"})", ErrorCode::BadMessage);
        row("leave name a list", R"({"type":"leave","name":["b"]})", ErrorCode::BadMessage);
        row("leave reason a number", R"({"type":"leave","name":"b","reason":5})", ErrorCode::BadMessage);
        row("ringing without name", R"({"type":"ringing"})", ErrorCode::BadMessage);
        row("ringing name null", R"({"type":"ringing","name":null})", ErrorCode::BadMessage);
        row("users missing", R"({"type":"users"})", ErrorCode::BadMessage);
        row("users not a list", R"({"type":"users","users":"alice"})", ErrorCode::BadMessage);
        row("users with a number", R"({"type":"users","users":["a",1]})", ErrorCode::BadMessage);
        row("presence online not a list", R"({"type":"presence","online":"a"})", ErrorCode::BadMessage);
        row("presence offline with null", R"({"type":"presence","offline":[null]})", ErrorCode::BadMessage);
        row("error without message", R"({"type":"error","code":"too-large"})", ErrorCode::BadMessage);
        row("error message a number", R"({"type":"error","code":"too-large","message":1})",
            ErrorCode::BadMessage);
    }

    void refusesBadMessages() {
        QFETCH(QByteArray, json);
        QFETCH(ErrorCode, code);
        const ProtocolError error = decodeError(json);
        QCOMPARE(wireName(error.code), wireName(code));
        QVERIFY(!error.message.isEmpty());
    }

    void remembersTheTypeOfARefusedMessage() {
        QCOMPARE(MessageCodec::decode(R"({"type":"offer","name":"b"})").type, QStringLiteral("offer"));
        QCOMPARE(MessageCodec::decode(R"({"type":"teleport"})").type, QStringLiteral("teleport"));
        QCOMPARE(MessageCodec::decode(R"({"name":"b"})").type, QString());
    }

    void refusesTextJsonGlibWouldAlter_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("NUL cuts the name") << QByteArray(R"({"type":"login","name":"ali\u0000ce"})");
        QTest::newRow("NUL anywhere") << QByteArray(R"({"type":"ringing","name":"b","x":["\u0000"]})");
        QTest::newRow("unit separator") << QByteArray(R"({"type":"ringing","name":"b","x":"\u001f"})");
        QTest::newRow("unpaired high surrogate") << QByteArray(R"({"type":"login","name":"ali\ud800ce"})");
        QTest::newRow("unpaired high surrogate in a key")
            << QByteArray(R"({"type":"ringing","name":"b","\uDBFFx":1})");
    }

    void refusesTextJsonGlibWouldAlter() {
        QFETCH(QByteArray, json);
        const ProtocolError error = decodeError(json);
        QCOMPARE(wireName(error.code), wireName(ErrorCode::BadMessage));
        QVERIFY(!error.message.isEmpty());
    }

    void findsOnlyRealUnsupportedEscapes_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("unsupported");
        QTest::newRow("no escapes") << QByteArray(R"({"a":"b"})") << false;
        QTest::newRow("ordinary escapes")
            << QByteArray("{\"a\":\"\\u00e9\\u0001\\u001e\\u0020\\n\\\"\\\\\"}") << false;
        QTest::newRow("surrogate pair") << QByteArray(R"({"a":"\ud83c\udfa7"})") << false;
        QTest::newRow("surrogate pair in capitals") << QByteArray(R"({"a":"\uD83C\uDFA7"})") << false;
        QTest::newRow("escaped backslash, then u0000") << QByteArray(R"({"a":"\\u0000"})") << false;
        QTest::newRow("u0000 outside strings is not an escape") << QByteArray(R"({"a":1} \u0000)") << false;
        QTest::newRow("NUL") << QByteArray(R"({"a":"x\u0000"})") << true;
        QTest::newRow("NUL after an escaped backslash") << QByteArray(R"({"a":"\\\u0000"})") << true;
        QTest::newRow("NUL after an escaped quote") << QByteArray("{\"a\":\"\\\"\\u0000\"}") << true;
        QTest::newRow("unit separator, either case") << QByteArray(R"({"a":"\u001F"})") << true;
        QTest::newRow("high surrogate, then text") << QByteArray(R"({"a":"\ud800x"})") << true;
        QTest::newRow("high surrogate, then another high") << QByteArray(R"({"a":"\ud800\ud800"})") << true;
        QTest::newRow("high surrogate at the end") << QByteArray("{\"a\":\"\\ud800\"") << true;
        QTest::newRow("low surrogate alone") << QByteArray(R"({"a":"\udc00"})") << true;
    }

    void findsOnlyRealUnsupportedEscapes() {
        QFETCH(QByteArray, json);
        QFETCH(bool, unsupported);
        QCOMPARE(hasUnsupportedEscape(json), unsupported);
    }

    void refusesWhatIsTooLarge() {
        const JsonLimits limits{100, 32};
        QCOMPARE(sized(100).size(), 100);
        QVERIFY(MessageCodec::decode(sized(100), limits).message);
        const ProtocolError error = decodeError(sized(101), limits);
        QCOMPARE(wireName(error.code), wireName(ErrorCode::TooLarge));
        QVERIFY(error.message.contains(QStringLiteral("101")));
        // The default is the server's default, 64 KiB.
        QVERIFY(MessageCodec::decode(sized(65536)).message);
        QCOMPARE(wireName(decodeError(sized(65537)).code), wireName(ErrorCode::TooLarge));
    }

    void refusesWhatIsTooDeep() {
        // The message object is the first level: 31 arrays inside it make 32, the default limit.
        const QByteArray at32 = "{\"type\":\"ringing\",\"name\":\"b\",\"x\":" + nestedIn(31, "1") + "}";
        const QByteArray at33 = "{\"type\":\"ringing\",\"name\":\"b\",\"x\":" + nestedIn(32, "1") + "}";
        QVERIFY(MessageCodec::decode(at32).message);
        QCOMPARE(wireName(decodeError(at33).code), wireName(ErrorCode::TooDeep));
        // Objects count as much as arrays.
        QByteArray objects = "1";
        for (int i = 0; i < 32; ++i) {
            objects = "{\"k\":" + objects + "}";
        }
        QCOMPARE(wireName(decodeError("{\"type\":\"ringing\",\"name\":\"b\",\"x\":" + objects + "}").code),
                 wireName(ErrorCode::TooDeep));
        // Depth is checked on the raw bytes first: a bomb that would overflow json-glib's stack is
        // refused, not parsed.
        const QByteArray bomb = nestedIn(100000, "");
        QCOMPARE(wireName(decodeError(bomb, JsonLimits{1 << 20, 32}).code), wireName(ErrorCode::TooDeep));
    }

    // Some of these are not raw strings because moc 6.4 misreads unbalanced brackets in those.
    void bracketsInsideStringsAreNotNesting() {
        const JsonLimits limits{65536, 4};
        QVERIFY(MessageCodec::decode("{\"type\":\"login\",\"name\":\"[[[[[[[[{{{{\"}", limits).message);
        QVERIFY(!nestsDeeperThan(R"({"a":[[["x"]]]})", 4));
        QVERIFY(nestsDeeperThan(R"({"a":[[[["x"]]]]})", 4));
        // An escaped quote does not end the string, and an escaped backslash does not escape it.
        QVERIFY(!nestsDeeperThan("{\"a\":\"\\\"[[[[[[[\"}", 2));
        QVERIFY(nestsDeeperThan(R"({"a":"\\","b":[[[1]]]})", 2));
        QVERIFY(!nestsDeeperThan("{\"a\":\"]]]]]]]]]\",\"b\":[[\"x\"]]}", 3));
    }

    // ---- Names --------------------------------------------------------------------------------

    void nameRules_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("plain") << QStringLiteral("alice") << true;
        QTest::newRow("one character") << QStringLiteral("a") << true;
        QTest::newRow("spaces inside") << QStringLiteral("Alice Smith") << true;
        QTest::newRow("unicode") << QStringLiteral("Zoë 🎧 王") << true;
        QTest::newRow("combining accent") << QString(QStringLiteral("Zoe") + QChar(0x0308)) << true;
        QTest::newRow("markup is just text") << QStringLiteral("<b>x</b> & \"y\"") << true;
        QTest::newRow("64 characters") << QString(64, QLatin1Char('a')) << true;
        QTest::newRow("64 emoji, 128 UTF-16 units")
            << QString::fromUcs4(std::u32string(64, U'🎧').c_str()) << true;
        QTest::newRow("65 characters") << QString(65, QLatin1Char('a')) << false;
        QTest::newRow("65 emoji") << QString::fromUcs4(std::u32string(65, U'🎧').c_str()) << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("only spaces") << QStringLiteral("   ") << false;
        QTest::newRow("leading space") << QStringLiteral(" alice") << false;
        QTest::newRow("trailing space") << QStringLiteral("alice ") << false;
        QTest::newRow("trailing no-break space") << QString(QStringLiteral("alice") + QChar(0x00a0)) << false;
        QTest::newRow("leading ideographic space")
            << QString(QChar(0x3000) + QStringLiteral("alice")) << false;
        QTest::newRow("newline") << QStringLiteral("ali\nce") << false;
        QTest::newRow("tab") << QStringLiteral("ali\tce") << false;
        QTest::newRow("nul") << QString(QStringLiteral("ali") + QChar(0) + QStringLiteral("ce")) << false;
        QTest::newRow("escape") << QStringLiteral("ali\x1b[31mce") << false;
        QTest::newRow("delete") << QString(QStringLiteral("ali") + QChar(0x7f) + QStringLiteral("ce"))
                                << false;
        QTest::newRow("C1 control") << QString(QStringLiteral("ali") + QChar(0x85) + QStringLiteral("ce"))
                                    << false;
        QTest::newRow("line separator")
            << QString(QStringLiteral("ali") + QChar(0x2028) + QStringLiteral("ce")) << false;
        QTest::newRow("right-to-left override")
            << QString(QStringLiteral("ali") + QChar(0x202E) + QStringLiteral("ce")) << false;
        QTest::newRow("zero width space")
            << QString(QStringLiteral("ali") + QChar(0x200B) + QStringLiteral("ce")) << false;
        QTest::newRow("soft hyphen") << QString(QStringLiteral("ali") + QChar(0x00AD) + QStringLiteral("ce"))
                                     << false;
    }

    void nameRules() {
        QFETCH(QString, name);
        QFETCH(bool, accepted);
        const std::optional<ProtocolError> refusal = checkName(name);
        QCOMPARE(!refusal.has_value(), accepted);
        if (refusal) {
            QCOMPARE(refusal->code, ErrorCode::NameInvalid);
            QVERIFY(!refusal->message.isEmpty());
        }
    }

    void wireNamesAreStable() {
        const std::pair<MessageType, const char *> types[] = {
            {MessageType::Login, "login"},   {MessageType::Offer, "offer"},
            {MessageType::Answer, "answer"}, {MessageType::Candidate, "candidate"},
            {MessageType::Leave, "leave"},   {MessageType::Ringing, "ringing"},
            {MessageType::Users, "users"},   {MessageType::Presence, "presence"},
            {MessageType::Error, "error"},
        };
        for (const auto &[type, wire] : types) {
            QCOMPARE(wireName(type), QString::fromLatin1(wire));
            QCOMPARE(messageTypeFromWire(QString::fromLatin1(wire)), std::optional(type));
        }
        QVERIFY(!messageTypeFromWire(u"Login"));
        QVERIFY(!messageTypeFromWire(u""));
        for (const MessageType relayed : {MessageType::Offer, MessageType::Answer, MessageType::Candidate,
                                          MessageType::Leave, MessageType::Ringing}) {
            QVERIFY(isRelayed(relayed));
        }
        for (const MessageType own :
             {MessageType::Login, MessageType::Users, MessageType::Presence, MessageType::Error}) {
            QVERIFY(!isRelayed(own));
        }
        const std::pair<ErrorCode, const char *> codes[] = {
            {ErrorCode::MalformedJson, "malformed-json"},
            {ErrorCode::BadMessage, "bad-message"},
            {ErrorCode::UnknownType, "unknown-type"},
            {ErrorCode::NotLoggedIn, "not-logged-in"},
            {ErrorCode::AlreadyLoggedIn, "already-logged-in"},
            {ErrorCode::UserOffline, "user-offline"},
            {ErrorCode::NameTaken, "name-taken"},
            {ErrorCode::NameInvalid, "name-invalid"},
            {ErrorCode::TooLarge, "too-large"},
            {ErrorCode::TooDeep, "too-deep"},
            {ErrorCode::ServerError, "server-error"},
        };
        for (const auto &[code, wire] : codes) {
            QCOMPARE(wireName(code), QString::fromLatin1(wire));
            QCOMPARE(errorCodeFromWire(QString::fromLatin1(wire)), std::optional(code));
        }
    }
};

QTEST_GUILESS_MAIN(TestMessageCodec)
#include "tst_messagecodec.moc"
