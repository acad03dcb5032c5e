// The protocol codec and its limits: every message both ways, browser shapes, every refusal.
#include "protocol/JsonLimits.h"
#include "protocol/MessageCodec.h"
#include "protocol/NameRules.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace confab::protocol;

Q_DECLARE_METATYPE(confab::protocol::Message)

namespace {

Message decodeOk(const QByteArray &json) {
    const Decoded decoded = MessageCodec::decode(json);
    if (!decoded.message) {
        qWarning("refused: %s", qPrintable(decoded.error.message));
        return ErrorMessage{ErrorCode::ServerError, QStringLiteral("decode failed"), {}, {}};
    }
    return *decoded.message;
}

ProtocolError decodeError(const QByteArray &json, const JsonLimits &limits = {}) {
    const Decoded decoded = MessageCodec::decode(json, limits);
    return decoded.message ? ProtocolError{ErrorCode::ServerError, QStringLiteral("accepted")} : decoded.error;
}

QJsonObject jsonOf(const Message &message) {
    return QJsonDocument::fromJson(MessageCodec::encode(message)).object();
}

}  // namespace

class TestMessageCodec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyMessageSurvivesARoundTrip_data() {
        QTest::addColumn<Message>("message");
        const SessionDescription offer{QStringLiteral("offer"), QStringLiteral("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n")};
        QTest::newRow("login") << Message(LoginRequest{QStringLiteral("alice")});
        QTest::newRow("login reply") << Message(LoginReply{
            true, QStringLiteral("alice"), {}, std::nullopt,
            {IceServer{{QStringLiteral("stun:stun.example.org:3478")}, {}, {}},
             IceServer{{QStringLiteral("turn:turn.example.org:3478")}, QStringLiteral("u"), QStringLiteral("p")}}});
        QTest::newRow("login refused") << Message(
            LoginReply{false, {}, QStringLiteral("The name alice is already taken."), ErrorCode::NameTaken, {}});
        QTest::newRow("offer") << Message(OfferMessage{QStringLiteral("bob"), offer});
        QTest::newRow("answer") << Message(
            AnswerMessage{QStringLiteral("bob"), {QStringLiteral("answer"), QStringLiteral("v=0\r\n")}});
        QTest::newRow("candidate") << Message(CandidateMessage{
            QStringLiteral("bob"),
            {QStringLiteral("candidate:842163049 1 udp 1677729535 192.168.1.2 56143 typ host"), QStringLiteral("0"), 0}});
        QTest::newRow("end of candidates") << Message(CandidateMessage{QStringLiteral("bob"), {{}, QStringLiteral("0"), 0}});
        QTest::newRow("leave") << Message(LeaveMessage{QStringLiteral("bob"), {}});
        QTest::newRow("leave busy") << Message(LeaveMessage{QStringLiteral("bob"), QStringLiteral("busy")});
        QTest::newRow("ringing") << Message(RingingMessage{QStringLiteral("alice")});
        QTest::newRow("users") << Message(UsersMessage{{QStringLiteral("alice"), QStringLiteral("bob")}});
        QTest::newRow("users empty") << Message(UsersMessage{{}});
        QTest::newRow("presence") << Message(PresenceMessage{{QStringLiteral("carol")}, {QStringLiteral("dave")}});
        QTest::newRow("error") << Message(ErrorMessage{ErrorCode::UserOffline, QStringLiteral("bob is not online."),
                                                       QStringLiteral("offer"), QStringLiteral("bob")});
        QTest::newRow("unicode name") << Message(LoginRequest{QStringLiteral("Zoë 🎧 \"quoted\" \\ back")});
    }

    void everyMessageSurvivesARoundTrip() {
        QFETCH(Message, message);
        const QByteArray wire = MessageCodec::encode(message);
        const Decoded decoded = MessageCodec::decode(wire);
        QVERIFY2(decoded.message, qPrintable(decoded.error.message));
        QVERIFY(*decoded.message == message);
        QCOMPARE(typeOf(*decoded.message), typeOf(message));
    }

    void encodesTheSeedProtocolShape() {
        const QJsonObject offer = jsonOf(OfferMessage{QStringLiteral("bob"), {QStringLiteral("offer"), QStringLiteral("v=0")}});
        QCOMPARE(offer.value(QStringLiteral("type")).toString(), QStringLiteral("offer"));
        QCOMPARE(offer.value(QStringLiteral("name")).toString(), QStringLiteral("bob"));
        QCOMPARE(offer.value(QStringLiteral("offer")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("offer"));
        QCOMPARE(offer.value(QStringLiteral("offer")).toObject().value(QStringLiteral("sdp")).toString(),
                 QStringLiteral("v=0"));
        const QJsonObject candidate = jsonOf(CandidateMessage{QStringLiteral("bob"), {QStringLiteral("candidate:1"), QStringLiteral("0"), 1}});
        const QJsonObject inner = candidate.value(QStringLiteral("candidate")).toObject();
        QCOMPARE(inner.value(QStringLiteral("candidate")).toString(), QStringLiteral("candidate:1"));
        QCOMPARE(inner.value(QStringLiteral("sdpMid")).toString(), QStringLiteral("0"));
        QCOMPARE(inner.value(QStringLiteral("sdpMLineIndex")).toInt(), 1);
        const QJsonObject reply = jsonOf(LoginReply{true, QStringLiteral("alice"), {}, std::nullopt, {}});
        QCOMPARE(reply.value(QStringLiteral("success")).toBool(), true);
        QVERIFY(!reply.contains(QStringLiteral("code")));
        QVERIFY(!reply.contains(QStringLiteral("iceServers")));
    }

    void readsWhatBrowsersSend() {
        // A browser's end-of-candidates: `candidate` is null.
        const auto end = std::get<CandidateMessage>(decodeOk("{\"type\":\"candidate\",\"candidate\":null,\"name\":\"bob\"}"));
        QVERIFY(end.candidate.candidate.isEmpty());
        // sdpMid may be null when sdpMLineIndex is given.
        const auto indexed = std::get<CandidateMessage>(decodeOk(
            "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ host\",\"sdpMid\":null,\"sdpMLineIndex\":2},\"name\":\"bob\"}"));
        QCOMPARE(indexed.candidate.sdpMLineIndex, 2);
        // RTCIceServer allows one URL as a string, a list, or the old `url`.
        const auto reply = std::get<LoginReply>(decodeOk(
            "{\"type\":\"login\",\"success\":true,\"iceServers\":[{\"urls\":\"stun:a:1\"},{\"urls\":[\"turn:b:2\",\"turns:b:3\"],\"username\":\"u\",\"credential\":\"c\"},{\"url\":\"stun:c:4\"}]}"));
        QCOMPARE(reply.iceServers.size(), 3);
        QCOMPARE(reply.iceServers[0].urls, QStringList{QStringLiteral("stun:a:1")});
        QCOMPARE(reply.iceServers[1].urls.size(), 2);
        QCOMPARE(reply.iceServers[1].username, QStringLiteral("u"));
        QCOMPARE(reply.iceServers[2].urls, QStringList{QStringLiteral("stun:c:4")});
        // The seed protocol's plain reply carries nothing but success.
        QVERIFY(std::get<LoginReply>(decodeOk("{\"type\":\"login\",\"success\":true}")).success);
        // An offer whose description lacks `type` takes it from the message.
        QCOMPARE(std::get<OfferMessage>(decodeOk("{\"type\":\"offer\",\"offer\":{\"sdp\":\"v=0\"},\"name\":\"b\"}")).offer.type,
                 QStringLiteral("offer"));
    }

    void ignoresFieldsItDoesNotKnow() {
        const auto offer = std::get<OfferMessage>(
            decodeOk("{\"type\":\"offer\",\"offer\":{\"type\":\"offer\",\"sdp\":\"v=0\",\"x\":1},\"name\":\"bob\",\"future\":{\"a\":[1,2]}}"));
        QCOMPARE(offer.name, QStringLiteral("bob"));
        QCOMPARE(offer.offer.sdp, QStringLiteral("v=0"));
    }

    void refusesBadMessages_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<ErrorCode>("code");
        QTest::newRow("not json") << QByteArray("{not json") << ErrorCode::MalformedJson;
        QTest::newRow("empty") << QByteArray("") << ErrorCode::MalformedJson;
        QTest::newRow("array") << QByteArray("[1,2]") << ErrorCode::BadMessage;
        QTest::newRow("string") << QByteArray("\"login\"") << ErrorCode::BadMessage;
        QTest::newRow("no type") << QByteArray("{\"name\":\"bob\"}") << ErrorCode::BadMessage;
        QTest::newRow("type not a string") << QByteArray("{\"type\":5}") << ErrorCode::BadMessage;
        QTest::newRow("unknown type") << QByteArray("{\"type\":\"teleport\",\"name\":\"bob\"}") << ErrorCode::UnknownType;
        QTest::newRow("login without name") << QByteArray("{\"type\":\"login\"}") << ErrorCode::NameInvalid;
        QTest::newRow("login name a number") << QByteArray("{\"type\":\"login\",\"name\":42}") << ErrorCode::NameInvalid;
        QTest::newRow("login name null") << QByteArray("{\"type\":\"login\",\"name\":null}") << ErrorCode::NameInvalid;
        QTest::newRow("offer without name") << QByteArray("{\"type\":\"offer\",\"offer\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}")
                                            << ErrorCode::BadMessage;
        QTest::newRow("offer without sdp") << QByteArray("{\"type\":\"offer\",\"offer\":{\"type\":\"offer\"},\"name\":\"b\"}")
                                           << ErrorCode::BadMessage;
        QTest::newRow("offer not an object") << QByteArray("{\"type\":\"offer\",\"offer\":\"v=0\",\"name\":\"b\"}")
                                             << ErrorCode::BadMessage;
        QTest::newRow("answer sdp a number") << QByteArray("{\"type\":\"answer\",\"answer\":{\"sdp\":1},\"name\":\"b\"}")
                                             << ErrorCode::BadMessage;
        QTest::newRow("candidate without object") << QByteArray("{\"type\":\"candidate\",\"name\":\"b\"}")
                                                  << ErrorCode::BadMessage;
        QTest::newRow("candidate without mid or index")
            << QByteArray("{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"c\"},\"name\":\"b\"}") << ErrorCode::BadMessage;
        QTest::newRow("candidate index negative")
            << QByteArray("{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"c\",\"sdpMLineIndex\":-1},\"name\":\"b\"}")
            << ErrorCode::BadMessage;
        QTest::newRow("leave name a list") << QByteArray("{\"type\":\"leave\",\"name\":[\"b\"]}") << ErrorCode::BadMessage;
        QTest::newRow("users not a list") << QByteArray("{\"type\":\"users\",\"users\":\"alice\"}") << ErrorCode::BadMessage;
        QTest::newRow("users with a number") << QByteArray("{\"type\":\"users\",\"users\":[\"a\",1]}") << ErrorCode::BadMessage;
        QTest::newRow("login success not a bool") << QByteArray("{\"type\":\"login\",\"success\":\"yes\"}")
                                                  << ErrorCode::BadMessage;
    }

    void refusesBadMessages() {
        QFETCH(QByteArray, json);
        QFETCH(ErrorCode, code);
        const ProtocolError error = decodeError(json);
        QCOMPARE(wireName(error.code), wireName(code));
        QVERIFY(!error.message.isEmpty());
    }

    void refusesWhatIsTooLargeOrTooDeep() {
        const JsonLimits limits{100, 4};
        QByteArray large = "{\"type\":\"login\",\"name\":\"" + QByteArray(200, 'a') + "\"}";
        QCOMPARE(wireName(decodeError(large, limits).code), wireName(ErrorCode::TooLarge));
        QCOMPARE(wireName(decodeError("{\"type\":\"users\",\"users\":[[[[[\"a\"]]]]]}", limits).code),
                 wireName(ErrorCode::TooDeep));
        // Exactly at the limit is fine; brackets inside strings do not count.
        QVERIFY(MessageCodec::decode("{\"type\":\"login\",\"name\":\"[[[[[[[[{{{{\"}", limits).message);
        QVERIFY(!nestsDeeperThan("{\"a\":[[[\"x\"]]]}", 4));
        QVERIFY(nestsDeeperThan("{\"a\":[[[[\"x\"]]]]}", 4));
        // An escaped quote does not end the string (no raw string here: moc misreads this one).
        QVERIFY(!nestsDeeperThan("{\"a\":\"\\\"[[[[[[[\"}", 2));
        // A deep nest that would crash json-glib 1.6 is refused before it is parsed.
        const QByteArray bomb = QByteArray(100000, '[') + QByteArray(100000, ']');
        QCOMPARE(wireName(decodeError(bomb, JsonLimits{1 << 20, 32}).code), wireName(ErrorCode::TooDeep));
    }

    void nameRules_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("plain") << QStringLiteral("alice") << true;
        QTest::newRow("spaces inside") << QStringLiteral("Alice Smith") << true;
        QTest::newRow("unicode") << QStringLiteral("Zoë 🎧") << true;
        QTest::newRow("markup is just text") << QStringLiteral("<b>x</b>") << true;
        QTest::newRow("64 characters") << QString(64, QLatin1Char('a')) << true;
        QTest::newRow("64 emoji") << QString::fromUcs4(std::u32string(64, U'🎧').c_str()) << true;
        QTest::newRow("65 characters") << QString(65, QLatin1Char('a')) << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("only spaces") << QStringLiteral("   ") << false;
        QTest::newRow("leading space") << QStringLiteral(" alice") << false;
        QTest::newRow("trailing space") << QStringLiteral("alice ") << false;
        QTest::newRow("newline") << QStringLiteral("ali\nce") << false;
        QTest::newRow("tab") << QStringLiteral("ali\tce") << false;
        QTest::newRow("nul") << QString(QStringLiteral("ali") + QChar(0) + QStringLiteral("ce")) << false;
        QTest::newRow("escape") << QStringLiteral("ali\x1b[31mce") << false;
        QTest::newRow("right-to-left override") << QString(QStringLiteral("ali") + QChar(0x202E) + QStringLiteral("ce")) << false;
        QTest::newRow("zero width space") << QString(QStringLiteral("ali") + QChar(0x200B) + QStringLiteral("ce")) << false;
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
        QCOMPARE(wireName(MessageType::Login), QStringLiteral("login"));
        QCOMPARE(wireName(MessageType::Presence), QStringLiteral("presence"));
        QCOMPARE(messageTypeFromWire(u"ringing"), std::optional(MessageType::Ringing));
        QVERIFY(!messageTypeFromWire(u"Login"));
        QVERIFY(isRelayed(MessageType::Offer) && isRelayed(MessageType::Ringing) && isRelayed(MessageType::Leave));
        QVERIFY(!isRelayed(MessageType::Login) && !isRelayed(MessageType::Users) && !isRelayed(MessageType::Error));
        QCOMPARE(wireName(ErrorCode::UserOffline), QStringLiteral("user-offline"));
        QCOMPARE(errorCodeFromWire(u"too-deep"), std::optional(ErrorCode::TooDeep));
    }
};

QTEST_GUILESS_MAIN(TestMessageCodec)
#include "tst_messagecodec.moc"
