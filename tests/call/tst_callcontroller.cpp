// SPDX-License-Identifier: GPL-3.0-or-later
// The call-control state machine (CallController) through every transition, in milliseconds:
// LoopbackSignaling in place of a server, FakeMediaSession in place of a pipeline.
#include "FakeMediaSession.h"
#include "call/CallController.h"
#include "signaling/LoopbackSignaling.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace confab;
using namespace confab::protocol;

namespace {

constexpr int kWaitMs = 2000;

// One person: signaling on the switchboard, a controller, and the fake sessions it made.
struct Party {
    std::shared_ptr<FakeMediaSession::Made> made = std::make_shared<FakeMediaSession::Made>();
    std::unique_ptr<LoopbackSignaling> signaling;
    std::unique_ptr<CallController> controller;
    std::unique_ptr<QSignalSpy> ended;
    std::unique_ptr<QSignalSpy> incoming;
    QList<CallState> states;

    Party(const std::shared_ptr<LoopbackSignaling::Switchboard> &switchboard, const QString &name,
          int noAnswerTimeoutMs = 45000, int reconnectWindowMs = 30000) {
        signaling = std::make_unique<LoopbackSignaling>(switchboard, name);
        CallController::Settings settings;
        settings.noAnswerTimeoutMs = noAnswerTimeoutMs;
        settings.reconnectWindowMs = reconnectWindowMs;
        settings.sessionFactory = FakeMediaSession::factory(made);
        controller = std::make_unique<CallController>(signaling.get(), settings);
        ended = std::make_unique<QSignalSpy>(controller.get(), &CallController::ended);
        incoming = std::make_unique<QSignalSpy>(controller.get(), &CallController::incomingCall);
        QObject::connect(controller.get(), &CallController::stateChanged, controller.get(),
                         [this](CallState state) { states.append(state); });
    }
    // Re-offers within milliseconds, for the tests of re-establishment.
    void fastReconnect() {
        CallReconnector::Timing &timing = controller->settings().reconnectTiming;
        timing.callerFirstOfferMs = 20;
        timing.calleeFirstOfferMs = 200;
        timing.retryMs = 300;
    }
    FakeMediaSession *session() const { return made->isEmpty() ? nullptr : made->last().data(); }
    CallState state() const { return controller->state(); }
    CallEndReason endReason() const { return ended->last().at(0).value<CallEndReason>(); }
    // The reason of the last `leave` this party sent, or "(none)".
    QString lastLeaveReason() const {
        for (qsizetype i = signaling->sent().size() - 1; i >= 0; --i) {
            if (const auto *leave = std::get_if<LeaveMessage>(&signaling->sent()[i])) {
                return leave->reason;
            }
        }
        return QStringLiteral("(none)");
    }
};

}  // namespace

class TestCallController : public QObject {
    Q_OBJECT
private:
    std::shared_ptr<LoopbackSignaling::Switchboard> switchboard_;

    // alice calls bob and bob's phone rings (and alice hears that it does).
    void ring(Party &alice, Party &bob) {
        QString error;
        QVERIFY2(alice.controller->call(QStringLiteral("bob"), &error), qPrintable(error));
        QCOMPARE(alice.state(), CallState::Calling);
        QTRY_COMPARE_WITH_TIMEOUT(bob.incoming->size(), 1, kWaitMs);
        QCOMPARE(bob.state(), CallState::Ringing);
        QTRY_COMPARE_WITH_TIMEOUT(alice.state(), CallState::Ringing, kWaitMs);
    }

    // ...and bob answers, and both connect.
    void connectCall(Party &alice, Party &bob) {
        ring(alice, bob);
        QString error;
        QVERIFY2(bob.controller->accept(&error), qPrintable(error));
        QCOMPARE(bob.state(), CallState::Connecting);
        QTRY_COMPARE_WITH_TIMEOUT(alice.state(), CallState::Connecting, kWaitMs);
        QVERIFY(!alice.session()->remoteAnswer.isEmpty());
        alice.session()->becomeConnected();
        bob.session()->becomeConnected();
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(bob.state(), CallState::Connected);
    }

private Q_SLOTS:
    void init() { switchboard_ = LoopbackSignaling::newSwitchboard(); }

    void aCallRingsIsAnsweredAndConnectsWithTheSameSafetyCodeOnBothSides() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        QCOMPARE(alice.states, (QList<CallState>{CallState::Calling, CallState::Ringing, CallState::Connecting,
                                                 CallState::Connected}));
        QCOMPARE(bob.states, (QList<CallState>{CallState::Ringing, CallState::Connecting, CallState::Connected}));
        QCOMPARE(alice.made->size(), 1);
        QCOMPARE(bob.made->size(), 1);  // no media until answered
        QCOMPARE(alice.session()->config.role, MediaSession::Role::Caller);
        QCOMPARE(bob.session()->config.role, MediaSession::Role::Callee);
        QVERIFY(!alice.controller->safetyCode().isEmpty());
        QCOMPARE(alice.controller->safetyCode(), bob.controller->safetyCode());
        QVERIFY(alice.ended->isEmpty() && bob.ended->isEmpty());
    }

    void theCalleeMakesNoMediaUntilItAnswers() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        ring(alice, bob);
        QVERIFY(bob.made->isEmpty());
        QCOMPARE(bob.controller->peer(), QStringLiteral("alice"));
    }

    void candidatesThatArriveWhileRingingReachTheSessionOnAccept() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        ring(alice, bob);
        QString error;
        QVERIFY(bob.controller->accept(&error));
        QCOMPARE(bob.session()->remoteCandidates.size(), 1);
        QCOMPARE(bob.session()->remoteCandidates.first().candidate,
                 QStringLiteral("candidate:1 1 UDP 1 192.0.2.1 5000 typ host"));
        QTRY_COMPARE_WITH_TIMEOUT(alice.session() ? alice.session()->remoteCandidates.size() : 0, 1, kWaitMs);
    }

    void declinedCallEndsAsDeclinedOnBothSides() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        ring(alice, bob);
        bob.controller->decline();
        QCOMPARE(bob.endReason(), CallEndReason::DeclinedByUs);
        QCOMPARE(bob.lastLeaveReason(), QString::fromLatin1(leave_reason::kDeclined));
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::Declined);
        QCOMPARE(alice.state(), CallState::Idle);
        QCOMPARE(bob.state(), CallState::Idle);
    }

    void aPlainPeersLeaveBeforeAnsweringIsADecline() {
        Party alice(switchboard_, QStringLiteral("alice"));
        LoopbackSignaling plain(switchboard_, QStringLiteral("plain"));
        QString error;
        QVERIFY(alice.controller->call(QStringLiteral("plain"), &error));
        QSignalSpy offered(&plain, &CallSignaling::offerReceived);
        QTRY_COMPARE_WITH_TIMEOUT(offered.size(), 1, kWaitMs);
        plain.sendLeave(QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::Declined);
    }

    void aCallToSomeoneInACallIsAnsweredBusy() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        Party carol(switchboard_, QStringLiteral("carol"));
        connectCall(alice, bob);
        QString error;
        QVERIFY(carol.controller->call(QStringLiteral("bob"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(carol.ended->size(), 1, kWaitMs);
        QCOMPARE(carol.endReason(), CallEndReason::Busy);
        QCOMPARE(bob.state(), CallState::Connected);
        QCOMPARE(bob.incoming->size(), 1);  // only alice's call rang
        QCOMPARE(bob.lastLeaveReason(), QString::fromLatin1(leave_reason::kBusy));
    }

    void theCallerCancellingWhileItRingsIsACancelForTheCallee() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        ring(alice, bob);
        alice.controller->hangUp();
        QCOMPARE(alice.endReason(), CallEndReason::HungUp);
        QCOMPARE(alice.lastLeaveReason(), QString::fromLatin1(leave_reason::kCancelled));
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);
        QCOMPARE(bob.endReason(), CallEndReason::Cancelled);
    }

    void anUnansweredCallEndsAsNoAnswerOnBothSides() {
        Party alice(switchboard_, QStringLiteral("alice"), 300);
        Party bob(switchboard_, QStringLiteral("bob"), 60000);
        ring(alice, bob);
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::NoAnswer);
        QCOMPARE(alice.lastLeaveReason(), QString::fromLatin1(leave_reason::kNoAnswer));
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);
        QCOMPARE(bob.endReason(), CallEndReason::NoAnswer);  // a missed call
    }

    void aCalleeThatIsNeverAnsweredGivesUpByItself() {
        Party alice(switchboard_, QStringLiteral("alice"), 60000);
        Party bob(switchboard_, QStringLiteral("bob"), 300);
        ring(alice, bob);
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);
        QCOMPARE(bob.endReason(), CallEndReason::NoAnswer);
        QCOMPARE(bob.lastLeaveReason(), QStringLiteral("(none)"));  // the caller decides when to give up
    }

    void hangingUpAConnectedCallEndsItForTheOther() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        bob.controller->hangUp();
        QCOMPARE(bob.endReason(), CallEndReason::HungUp);
        QCOMPARE(bob.lastLeaveReason(), QString::fromLatin1(leave_reason::kHangUp));
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::RemoteHungUp);
        QTRY_VERIFY_WITH_TIMEOUT(alice.made->last().isNull() && bob.made->last().isNull(), kWaitMs);
    }

    void aLeaveFromAnEarlierCallDoesNotEndTheNextOne() {
        // bob hangs up; alice hangs up too and calls again before bob's leave has reached her.
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        bob.controller->hangUp();
        alice.controller->hangUp();
        bob.incoming->clear();
        QString error;
        QVERIFY2(alice.controller->call(QStringLiteral("bob"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(bob.incoming->size(), 1, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(alice.state(), CallState::Ringing, kWaitMs);
        QCOMPARE(alice.ended->size(), 1);  // the first call only
        QVERIFY2(bob.controller->accept(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(alice.state(), CallState::Connecting, kWaitMs);
    }

    void messagesWithoutACallIdentityBelongToTheCallWeHave() {
        // A seed-protocol peer (a browser page) sends no `call`: its leave still ends the call.
        Party alice(switchboard_, QStringLiteral("alice"));
        LoopbackSignaling browser(switchboard_, QStringLiteral("bob"));
        QSignalSpy offers(&browser, &CallSignaling::offerReceived);
        QString error;
        QVERIFY2(alice.controller->call(QStringLiteral("bob"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(offers.size(), 1, kWaitMs);
        QVERIFY(!offers.at(0).at(0).value<OfferMessage>().call.isEmpty());
        browser.send(
            LeaveMessage{QStringLiteral("alice"), QStringLiteral("hangup"), QStringLiteral("not-this-call")});
        QTest::qWait(50);
        QCOMPARE(alice.state(), CallState::Calling);  // another call's leave
        browser.send(LeaveMessage{QStringLiteral("alice"), {}});
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::Declined);
    }

    void aPeerWhoseSignalingGoesAwayIsGone() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        bob.signaling->setSignedIn(false);  // the server tells alice "disconnected"
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::PeerVanished);
    }

    void callingSomeoneOfflineSaysSo() {
        Party alice(switchboard_, QStringLiteral("alice"));
        QString error;
        QVERIFY(alice.controller->call(QStringLiteral("nobody"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::UserOffline);
        QVERIFY(alice.ended->last().at(1).toString().contains(QStringLiteral("nobody")));
    }

    void losingTheServerWhileSettingUpEndsTheCall() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        ring(alice, bob);
        alice.signaling->setSignedIn(false);
        QCOMPARE(alice.endReason(), CallEndReason::SignalingLost);
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);  // told "disconnected" by the server
    }

    void losingTheServerDuringAConnectedCallKeepsTheCall() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        switchboard_->partners.clear();  // a restarted server has forgotten who calls whom
        alice.signaling->setSignedIn(false);
        QTest::qWait(50);
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(bob.state(), CallState::Connected);
        alice.signaling->setSignedIn(true);
        QCOMPARE(alice.state(), CallState::Connected);
    }

    void aMediaFailureEndsTheCallAndTellsThePeerWhy() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.session()->failWith(CallEndReason::PeerVanished, QStringLiteral("No media for 3 s."));
        QCOMPARE(alice.endReason(), CallEndReason::PeerVanished);
        QCOMPARE(alice.lastLeaveReason(), QString::fromLatin1(leave_reason::kConnectionLost));
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);
        QCOMPARE(bob.endReason(), CallEndReason::ConnectionLost);
    }

    void ourOwnPipelineFailingIsNotReportedAsTheirs() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.session()->failWith(CallEndReason::MediaError, QStringLiteral("vp8enc broke"));
        QCOMPARE(alice.endReason(), CallEndReason::MediaError);
        QCOMPARE(alice.lastLeaveReason(), QString::fromLatin1(leave_reason::kHangUp));
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);
        QCOMPARE(bob.endReason(), CallEndReason::RemoteHungUp);
    }

    void mediaThatCannotStartRefusesTheCallWithASentence() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        alice.controller->settings().sessionFactory = [](const MediaSession::Config &config, QObject *parent) {
            auto *session = new FakeMediaSession(config, parent);
            session->startFails = true;
            return session;
        };
        QString error;
        QVERIFY(!alice.controller->call(QStringLiteral("bob"), &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(alice.state(), CallState::Idle);
    }

    void anAnswerThatCannotStartMediaEndsTheCallForBoth() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        ring(alice, bob);
        bob.controller->settings().sessionFactory = [](const MediaSession::Config &config, QObject *parent) {
            auto *session = new FakeMediaSession(config, parent);
            session->startFails = true;
            return session;
        };
        QString error;
        QVERIFY(!bob.controller->accept(&error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(bob.endReason(), CallEndReason::MediaError);
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
    }

    void impossibleCallsAreRefusedWithASentence() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        QString error;
        QVERIFY(!alice.controller->call(QStringLiteral("alice"), &error));
        QVERIFY(error.contains(QStringLiteral("yourself")));
        QVERIFY(!alice.controller->accept(&error));
        QVERIFY(!error.isEmpty());
        connectCall(alice, bob);
        QVERIFY(!alice.controller->call(QStringLiteral("carol"), &error));
        QVERIFY(error.contains(QStringLiteral("bob")));
        Party dave(switchboard_, QStringLiteral("dave"));
        dave.signaling->setSignedIn(false);
        QVERIFY(!dave.controller->call(QStringLiteral("bob"), &error));
        QVERIFY(error.contains(QStringLiteral("signed in")));
    }

    void strayMessagesFromOthersAreIgnored() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        LoopbackSignaling mallory(switchboard_, QStringLiteral("mallory"));
        connectCall(alice, bob);
        mallory.sendAnswer(QStringLiteral("alice"), {QStringLiteral("answer"), QStringLiteral("v=0 stray")});
        mallory.sendLeave(QStringLiteral("alice"), QString::fromLatin1(leave_reason::kHangUp));
        mallory.sendCandidate(QStringLiteral("alice"), {QStringLiteral("candidate:9 1 UDP 1 203.0.113.9 9 typ host"),
                                                        QStringLiteral("0"), 0});
        // bob re-offering in the same call (renegotiation) is not a new call either
        bob.signaling->sendOffer(QStringLiteral("alice"), {QStringLiteral("offer"), QStringLiteral("v=0 again")});
        QTest::qWait(50);
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(alice.session()->remoteCandidates.size(), 1);  // only bob's
        QCOMPARE(alice.incoming->size(), 0);
    }

    void chatMicrophoneCameraAndScreenGoToTheSession() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        QSignalSpy chat(alice.controller.get(), &CallController::chatReceived);
        QVERIFY(alice.controller->sendChat(QStringLiteral("hi")));
        QCOMPARE(alice.session()->chatSent, QStringList{QStringLiteral("hi")});
        alice.session()->receiveChat(QStringLiteral("hello"));
        QCOMPARE(chat.size(), 1);
        alice.controller->setMicrophoneMuted(true);
        alice.controller->setCameraEnabled(false);
        QVERIFY(alice.session()->microphoneMuted);
        QVERIFY(!alice.session()->cameraEnabled);
        QSignalSpy share(alice.controller.get(), &CallController::screenShareChanged);
        QString error;
        QVERIFY(alice.controller->startScreenShare(ScreenSource::x11Screen(), &error));
        QVERIFY(alice.controller->isSharingScreen());
        alice.controller->stopScreenShare();
        QCOMPARE(share.size(), 2);
        QVERIFY(!alice.controller->isSharingScreen());
    }

    void aMediaGapMakesTheCallReconnectingAndItsReturnConnectedAgain() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.states.clear();
        alice.session()->interrupt();
        QCOMPARE(alice.state(), CallState::Reconnecting);
        QVERIFY(alice.controller->reconnectingForMs() >= 0);
        alice.session()->interrupt();  // silence and a failed ICE both say so: one state change
        QTest::qWait(50);
        QCOMPARE(alice.state(), CallState::Reconnecting);
        alice.session()->resume();
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(alice.controller->reconnectingForMs(), -1);
        QCOMPARE(alice.states, (QList<CallState>{CallState::Reconnecting, CallState::Connected}));
        QVERIFY(alice.ended->isEmpty() && bob.ended->isEmpty());
        QVERIFY(!alice.made->last().isNull());  // the same media, never torn down
    }

    void aCallThatStaysReconnectingEndsAfterTheWindowSayingWhy() {
        Party alice(switchboard_, QStringLiteral("alice"), 45000, 300);
        Party bob(switchboard_, QStringLiteral("bob"), 45000, 60000);
        connectCall(alice, bob);
        QElapsedTimer clock;
        clock.start();
        alice.session()->interrupt();
        QTest::qWait(150);
        QCOMPARE(alice.state(), CallState::Reconnecting);  // not at once, as a silent peer did
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QVERIFY2(clock.elapsed() >= 290, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(alice.endReason(), CallEndReason::ReconnectTimedOut);
        QVERIFY(alice.ended->last().at(1).toString().contains(QStringLiteral("could not be restored")));
        QCOMPARE(alice.lastLeaveReason(), QStringLiteral("reconnect-timeout"));
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);  // told why, when signaling works
        QCOMPARE(bob.endReason(), CallEndReason::ReconnectTimedOut);
    }

    void aReturnWithinTheWindowCancelsTheEnd() {
        Party alice(switchboard_, QStringLiteral("alice"), 45000, 300);
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.session()->interrupt();
        QTest::qWait(100);
        alice.session()->resume();
        QTest::qWait(400);
        QCOMPARE(alice.state(), CallState::Connected);
        QVERIFY(alice.ended->isEmpty());
    }

    void hangingUpWhileReconnectingEndsTheCallForBoth() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.session()->interrupt();
        bob.session()->interrupt();
        bob.controller->hangUp();
        QCOMPARE(bob.endReason(), CallEndReason::HungUp);
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::RemoteHungUp);
    }

    void aPeerWhoseSignalingDropsDuringTheOutageHasTheWindowToComeBack() {
        Party alice(switchboard_, QStringLiteral("alice"), 45000, 400);
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.session()->interrupt();
        bob.signaling->setSignedIn(false);  // the server tells alice "disconnected"
        QTest::qWait(150);
        QCOMPARE(alice.state(), CallState::Reconnecting);
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, kWaitMs);
        QCOMPARE(alice.endReason(), CallEndReason::ReconnectTimedOut);
    }

    void theCallerReoffersAFreshSessionAndTheCallComesBackWithoutRinging() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        alice.fastReconnect();
        bob.fastReconnect();
        QSignalSpy chatOpened(alice.controller.get(), &CallController::chatOpened);
        connectCall(alice, bob);
        alice.session()->becomeChatReady();
        QCOMPARE(chatOpened.size(), 1);
        alice.controller->setMicrophoneMuted(true);
        alice.controller->setCameraEnabled(false);
        const QString code = alice.controller->safetyCode();
        const qsizetype bobSent = bob.signaling->sent().size();
        alice.session()->interrupt();
        bob.session()->interrupt();
        QTRY_COMPARE_WITH_TIMEOUT(alice.made->size(), 2, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(bob.made->size(), 2, kWaitMs);
        QCOMPARE(alice.session()->config.role, MediaSession::Role::Caller);
        QCOMPARE(bob.session()->config.role, MediaSession::Role::Callee);
        QTRY_VERIFY_WITH_TIMEOUT(!alice.session()->remoteAnswer.isEmpty(), kWaitMs);
        // Marked as the call's first re-establishment, both ways; no ringing, no second incoming call.
        const auto *offer = std::get_if<OfferMessage>(&alice.signaling->sent().last());
        for (const Message &m : alice.signaling->sent()) {
            if (const auto *o = std::get_if<OfferMessage>(&m)) {
                offer = o;
            }
        }
        QVERIFY(offer);
        QCOMPARE(offer->reconnect, 1);
        bool answered = false;
        for (qsizetype i = bobSent; i < bob.signaling->sent().size(); ++i) {
            const Message &m = bob.signaling->sent()[i];
            QVERIFY(!std::holds_alternative<RingingMessage>(m));
            if (const auto *answer = std::get_if<AnswerMessage>(&m)) {
                QCOMPARE(answer->reconnect, 1);
                answered = true;
            }
        }
        QVERIFY(answered);
        QCOMPARE(bob.incoming->size(), 1);
        QCOMPARE(alice.state(), CallState::Reconnecting);
        // What the user set goes on in the new media.
        QVERIFY(alice.session()->microphoneMuted);
        QVERIFY(!alice.session()->cameraEnabled);
        alice.session()->becomeConnected();
        bob.session()->becomeConnected();
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(bob.state(), CallState::Connected);
        alice.session()->becomeChatReady();
        QCOMPARE(chatOpened.size(), 1);  // the same chat: not opened twice
        QCOMPARE(alice.controller->safetyCode(), bob.controller->safetyCode());
        QCOMPARE(alice.controller->safetyCode(), code);  // the fakes keep their fingerprints
        QTRY_VERIFY_WITH_TIMEOUT(alice.made->first().isNull() && bob.made->first().isNull(), kWaitMs);
        QVERIFY(alice.ended->isEmpty() && bob.ended->isEmpty());
    }

    // The server restarts while the media is cut: both connections drop at the same moment (no
    // `leave` reaches anyone: the server that would send it is gone), the re-offers wait until the
    // two have signed in to the new server, and the call comes back there.
    void aReestablishmentDuringAServerRestartWaitsForItAndWorks() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        alice.fastReconnect();
        bob.fastReconnect();
        connectCall(alice, bob);
        alice.signaling->setReachable(false);
        bob.signaling->setReachable(false);
        alice.signaling->setSignedIn(false);
        bob.signaling->setSignedIn(false);
        alice.session()->interrupt();
        bob.session()->interrupt();
        QTest::qWait(500);  // past both sides' first re-offer (20 and 200 ms) and a retry (300 ms)
        QCOMPARE(alice.state(), CallState::Reconnecting);
        QCOMPARE(bob.state(), CallState::Reconnecting);
        QVERIFY(alice.ended->isEmpty() && bob.ended->isEmpty());

        alice.signaling->setReachable(true);
        bob.signaling->setReachable(true);
        alice.signaling->setSignedIn(true);  // the server is back; both sign in again
        bob.signaling->setSignedIn(true);
        QTRY_VERIFY_WITH_TIMEOUT(
            alice.made->size() >= 2 && bob.made->size() >= 2 && !alice.session()->remoteAnswer.isEmpty(),
            kWaitMs);
        alice.session()->becomeConnected();
        bob.session()->becomeConnected();
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(bob.state(), CallState::Connected);
        QCOMPARE(bob.incoming->size(), 1);  // no second ringing
        QVERIFY(alice.ended->isEmpty() && bob.ended->isEmpty());
    }

    void theSideThatLostAnAddressReoffersAtOnce() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);  // default timing: the caller would wait 0.5 s, the callee 3 s
        bob.session()->loseAddress();
        QCOMPARE(bob.state(), CallState::Reconnecting);
        QTRY_COMPARE_WITH_TIMEOUT(bob.made->size(), 2, 200);
        QCOMPARE(bob.session()->config.role, MediaSession::Role::Caller);  // the callee offers this time
        QTRY_COMPARE_WITH_TIMEOUT(alice.made->size(), 2, 200);
        QCOMPARE(alice.session()->config.role, MediaSession::Role::Callee);
        QCOMPARE(alice.state(), CallState::Reconnecting);  // told by the re-offer
        QTRY_VERIFY_WITH_TIMEOUT(!bob.session()->remoteAnswer.isEmpty(), kWaitMs);
        bob.session()->becomeConnected();
        alice.session()->becomeConnected();
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(bob.state(), CallState::Connected);
        QCOMPARE(alice.made->size(), 2);
        QCOMPARE(bob.made->size(), 2);
    }

    void whenBothReofferTheCallersOfferStands() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.session()->loseAddress();
        bob.session()->loseAddress();
        QTRY_COMPARE_WITH_TIMEOUT(bob.made->size(), 3, kWaitMs);  // its own offer, then the answer to alice's
        QTest::qWait(50);
        QCOMPARE(alice.made->size(), 2);  // bob's offer was not taken
        QCOMPARE(alice.session()->config.role, MediaSession::Role::Caller);
        QCOMPARE(bob.session()->config.role, MediaSession::Role::Callee);
        QTRY_VERIFY_WITH_TIMEOUT(!alice.session()->remoteAnswer.isEmpty(), kWaitMs);
        alice.session()->becomeConnected();
        bob.session()->becomeConnected();
        QCOMPARE(alice.state(), CallState::Connected);
        QCOMPARE(bob.state(), CallState::Connected);
    }

    void candidatesOfAnEarlierSessionAreDropped() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        bob.session()->loseAddress();
        QTRY_COMPARE_WITH_TIMEOUT(alice.made->size(), 2, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(alice.session()->remoteCandidates.size(), 1, kWaitMs);
        QCOMPARE(alice.session()->remoteCandidates.first().candidate,
                 QStringLiteral("candidate:1 1 UDP 1 192.0.2.1 5000 typ host"));  // the new offerer's
        bob.signaling->sendCandidate(QStringLiteral("alice"), {QStringLiteral("candidate:9 1 UDP 1 192.0.2.9 9 typ host"),
                                                               QStringLiteral("0"), 0});
        QTest::qWait(50);
        QCOMPARE(alice.session()->remoteCandidates.size(), 1);
    }

    void aReofferWaitsUntilSignedInAgain() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        alice.fastReconnect();
        connectCall(alice, bob);
        alice.session()->interrupt();
        bob.session()->interrupt();
        alice.signaling->setSignedIn(false);  // bob hears "disconnected" during the outage: waits
        QTest::qWait(150);
        QCOMPARE(alice.made->size(), 1);
        QCOMPARE(bob.state(), CallState::Reconnecting);
        alice.signaling->setSignedIn(true);
        QTRY_COMPARE_WITH_TIMEOUT(alice.made->size(), 2, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(bob.made->size(), 2, kWaitMs);
        alice.session()->becomeConnected();
        bob.session()->becomeConnected();
        QCOMPARE(bob.state(), CallState::Connected);
        QVERIFY(alice.ended->isEmpty() && bob.ended->isEmpty());
    }

    void aReestablishmentThatDoesNotConnectIsOfferedAgainUntilTheWindowEnds() {
        Party alice(switchboard_, QStringLiteral("alice"), 45000, 1500);
        Party bob(switchboard_, QStringLiteral("bob"), 45000, 60000);
        alice.fastReconnect();
        bob.fastReconnect();
        connectCall(alice, bob);
        alice.session()->interrupt();
        QTRY_COMPARE_WITH_TIMEOUT(alice.made->size(), 2, kWaitMs);
        alice.session()->failWith(CallEndReason::ConnectionFailed, QStringLiteral("ICE failed (fake)."));
        QCOMPARE(alice.state(), CallState::Reconnecting);  // not the end: tried again
        QTRY_COMPARE_WITH_TIMEOUT(alice.made->size(), 3, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(alice.ended->size(), 1, 3000);
        QCOMPARE(alice.endReason(), CallEndReason::ReconnectTimedOut);
        QTRY_COMPARE_WITH_TIMEOUT(bob.ended->size(), 1, kWaitMs);
        QCOMPARE(bob.endReason(), CallEndReason::ReconnectTimedOut);
    }

    void aReofferForACallThatIsOverDoesNotRing() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        QVERIFY(alice.signaling->send(OfferMessage{QStringLiteral("bob"),
                                                   {QStringLiteral("offer"), FakeMediaSession::description(QStringLiteral("offer"), 1)},
                                                   3}));
        QTRY_COMPARE_WITH_TIMEOUT(bob.lastLeaveReason(), QStringLiteral("hangup"), kWaitMs);
        QCOMPARE(bob.incoming->size(), 0);
        QCOMPARE(bob.state(), CallState::Idle);
    }

    void aPeerThatCannotReestablishIsNotReoffered() {
        // A seed-protocol peer: its answer has no `reconnect`; a re-offer would break its call.
        Party alice(switchboard_, QStringLiteral("alice"));
        alice.fastReconnect();
        LoopbackSignaling plain(switchboard_, QStringLiteral("plain"));
        QObject::connect(&plain, &CallSignaling::offerReceived, &plain, [&plain](const OfferMessage &offer) {
            plain.sendAnswer(offer.name, {QStringLiteral("answer"), FakeMediaSession::description(QStringLiteral("answer"), 7)});
        });
        QString error;
        QVERIFY(alice.controller->call(QStringLiteral("plain"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(alice.state(), CallState::Connecting, kWaitMs);
        alice.session()->becomeConnected();
        alice.session()->interrupt();
        QTest::qWait(150);
        QCOMPARE(alice.state(), CallState::Reconnecting);
        QCOMPARE(alice.made->size(), 1);  // waits for the old path instead
        alice.session()->resume();
        QCOMPARE(alice.state(), CallState::Connected);
    }

    void theControllerCanCallAgainAfterACallEnds() {
        Party alice(switchboard_, QStringLiteral("alice"));
        Party bob(switchboard_, QStringLiteral("bob"));
        connectCall(alice, bob);
        alice.controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Idle, kWaitMs);
        bob.incoming->clear();
        connectCall(alice, bob);
        QCOMPARE(alice.made->size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestCallController)
#include "tst_callcontroller.moc"
