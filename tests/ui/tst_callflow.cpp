// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop's call flow without a window (CallFlow): an incoming call rings and asks, and is
// answered, declined or missed; do not disturb silences or declines; a call during another is
// refused busy and kept as missed; an unanswered outgoing call reads "No answer"; audio-only lasts
// one call; and every call leaves its history entry. A real in-process server and TestPeers on the
// other side; most of these never start media, so they take milliseconds.
#include "CallFlow.h"
#include "InProcessCall.h"
#include "RecentCalls.h"
#include "TestPeer.h"
#include "signaling/SignalingServer.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 20000;

}  // namespace

// alice's side, as the desktop app has it: a client, a controller and the flow around them.
struct Desk {
    explicit Desk(const QUrl &server, int noAnswerTimeoutMs = 45000) {
        CallController::Settings settings;
        settings.media = smallMedia();
        settings.noAnswerTimeoutMs = noAnswerTimeoutMs;
        controller = std::make_unique<CallController>(&client, settings);
        CallFlow::Options options;
        options.ringSink = QStringLiteral("fakesink sync=true");
        flow = std::make_unique<CallFlow>(&client, controller.get(), options);
        history = std::make_unique<RecentCalls>(dir.filePath(QStringLiteral("recent-calls.json")));
        flow->setHistory(history.get());
        client.connectToServer(server, QStringLiteral("alice"));
    }
    ~Desk() {
        flow.reset();
        controller.reset();
    }
    bool signedIn() {
        return QTest::qWaitFor([&] { return client.state() == SignalingClient::State::LoggedIn; },
                               kTimeoutMs);
    }
    RecentCall last() const { return history->entries().value(0); }

    QTemporaryDir dir;
    SignalingClient client;
    std::unique_ptr<CallController> controller;
    std::unique_ptr<CallFlow> flow;
    std::unique_ptr<RecentCalls> history;
};

class TestCallFlow : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;

    std::unique_ptr<TestPeer> peer(const QString &name, int noAnswerTimeoutMs = 45000) {
        auto p = std::make_unique<TestPeer>(name, server_->url(), noAnswerTimeoutMs);
        InProcessCall::waitSignedIn(*p, kTimeoutMs);
        return p;
    }

    static bool calls(TestPeer &from, const QString &to) {
        QString error;
        if (!from.controller->call(to, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        SignalingServerOptions options;
        options.port = 0;
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
    }

    void incomingCallRingsAsksAndIsAnsweredWithVideo() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy asked(desk.flow.get(), &CallFlow::incomingCall);
        QSignalSpy gone(desk.flow.get(), &CallFlow::incomingCallGone);
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(asked.wait(kTimeoutMs));
        QCOMPARE(asked.first().at(0).toString(), QStringLiteral("bob"));
        QCOMPARE(asked.first().at(1).toBool(), false);  // not silenced
        QCOMPARE(desk.flow->incomingCaller(), QStringLiteral("bob"));
        QVERIFY(desk.flow->isRinging());
        QVERIFY(desk.flow->isRingAudible());         // fakesink here: the pipeline plays
        QVERIFY(!desk.flow->inhibitsScreenSaver());  // not while it only rings

        desk.flow->accept(true);
        QCOMPARE(gone.size(), 1);
        QVERIFY(!desk.flow->isRinging());
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Connected, kTimeoutMs);
        QVERIFY(desk.flow->inhibitsScreenSaver());
        QTRY_VERIFY_WITH_TIMEOUT(bob->videoFrames > 0, kTimeoutMs);
        QTest::qWait(1100);  // a second of call, for its length
        desk.flow->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Idle, kTimeoutMs);
        QVERIFY(!desk.flow->inhibitsScreenSaver());
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::Answered);
        QCOMPARE(desk.last().direction, RecentCall::Direction::Incoming);
        QVERIFY(desk.last().durationSeconds >= 1);
    }

    // Audio only sends no video in that call, and the next call sends video again.
    void audioOnlyLastsOneCall() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy asked(desk.flow.get(), &CallFlow::incomingCall);
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(asked.wait(kTimeoutMs));
        desk.flow->accept(false);
        QCOMPARE(desk.controller->settings().media.video, VideoSourceKind::None);
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Connected, kTimeoutMs);
        bob->controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(desk.controller->state(), CallState::Idle, kTimeoutMs);
        QCOMPARE(desk.controller->settings().media.video, VideoSourceKind::Test);
    }

    void declinedCallIsDeclinedInTheHistory() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy asked(desk.flow.get(), &CallFlow::incomingCall);
        QSignalSpy finished(desk.flow.get(), &CallFlow::callFinished);
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(asked.wait(kTimeoutMs));
        desk.flow->decline();
        QVERIFY(!desk.flow->isRinging());
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Idle, kTimeoutMs);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().toString(), QStringLiteral("You declined the call from bob."));
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::Declined);
    }

    void callerGivingUpLeavesAMissedCall() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy asked(desk.flow.get(), &CallFlow::incomingCall);
        QSignalSpy gone(desk.flow.get(), &CallFlow::incomingCallGone);
        QSignalSpy missed(desk.flow.get(), &CallFlow::missedCall);
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(asked.wait(kTimeoutMs));
        bob->controller->hangUp();
        QVERIFY(missed.wait(kTimeoutMs));
        QCOMPARE(missed.first().first().toString(), QStringLiteral("bob"));
        QCOMPARE(gone.size(), 1);
        QVERIFY(!desk.flow->isRinging());
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::Missed);
        QCOMPARE(desk.history->unseenMissedCount(), 1);
    }

    void doNotDisturbDeclinesAsAMissedCallNotAsTheUsersDecline() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        desk.flow->setDoNotDisturb(true, AccountSettings::DoNotDisturbAction::Decline);
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy asked(desk.flow.get(), &CallFlow::incomingCall);
        QSignalSpy finished(desk.flow.get(), &CallFlow::callFinished);
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(bobEnded.wait(kTimeoutMs));
        QCOMPARE(bobEnded.first().first().value<CallEndReason>(), CallEndReason::Declined);
        QCOMPARE(asked.size(), 0);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().toString(),
                 QStringLiteral("Missed a call from bob: do not disturb declined it."));
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::Missed);
    }

    void doNotDisturbSilencesAndSwitchingItOnSilencesARingingCall() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy asked(desk.flow.get(), &CallFlow::incomingCall);
        QSignalSpy silenced(desk.flow.get(), &CallFlow::incomingCallSilenced);
        // On while it rings: quiet at once, still asking.
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(asked.wait(kTimeoutMs));
        QVERIFY(desk.flow->isRinging());
        desk.flow->setDoNotDisturb(true, AccountSettings::DoNotDisturbAction::Silence);
        QCOMPARE(silenced.size(), 1);
        QVERIFY(!desk.flow->isRinging());
        QCOMPARE(desk.flow->incomingCaller(), QStringLiteral("bob"));
        bob->controller->hangUp();
        QTRY_VERIFY_WITH_TIMEOUT(desk.flow->incomingCaller().isEmpty(), kTimeoutMs);

        // On before it rings: asked silently.
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(asked.wait(kTimeoutMs));
        QCOMPARE(asked.last().at(1).toBool(), true);
        QVERIFY(!desk.flow->isRinging());
        bob->controller->hangUp();
        QTRY_VERIFY_WITH_TIMEOUT(desk.flow->incomingCaller().isEmpty(), kTimeoutMs);
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::Missed);
    }

    // A call that comes while another is under way is refused busy by the controller; here it
    // leaves a missed call, so the person who tried is not lost.
    void aCallDuringAnotherIsKeptAsMissed() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        auto carol = peer(QStringLiteral("carol"));
        auto bob = peer(QStringLiteral("bob"));
        QString error;
        QVERIFY2(desk.flow->place(QStringLiteral("carol"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(carol->state(), CallState::Ringing, kTimeoutMs);
        QSignalSpy missed(desk.flow.get(), &CallFlow::missedCall);
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QVERIFY(calls(*bob, QStringLiteral("alice")));
        QVERIFY(bobEnded.wait(kTimeoutMs));
        QCOMPARE(bobEnded.first().first().value<CallEndReason>(), CallEndReason::Busy);
        QCOMPARE(missed.size(), 1);
        QCOMPARE(desk.last().peer, QStringLiteral("bob"));
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::Missed);
        QCOMPARE(desk.controller->peer(), QStringLiteral("carol"));  // the first call goes on
        desk.flow->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(carol->state(), CallState::Idle, kTimeoutMs);
        QCOMPARE(desk.last().peer, QStringLiteral("carol"));
    }

    // An outgoing call nobody answers reads "No answer" here and is a missed call there.
    void unansweredCallEndsAsNoAnswer() {
        Desk desk(server_->url(), 1500);
        QVERIFY(desk.signedIn());
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy finished(desk.flow.get(), &CallFlow::callFinished);
        QString error;
        QVERIFY2(desk.flow->place(QStringLiteral("bob"), &error), qPrintable(error));
        QVERIFY(desk.flow->inhibitsScreenSaver());  // calling out: the user waits at the screen
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.first().first().toString(), QStringLiteral("bob did not answer."));
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::NoAnswer);
        QCOMPARE(desk.last().direction, RecentCall::Direction::Outgoing);
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Idle, kTimeoutMs);
    }

    void refusesToCallYourselfOrTwice() {
        Desk desk(server_->url());
        QVERIFY(desk.signedIn());
        auto bob = peer(QStringLiteral("bob"));
        QString error;
        QVERIFY(!desk.flow->place(QStringLiteral("alice"), &error));
        QCOMPARE(error, QStringLiteral("You cannot call yourself."));
        QVERIFY2(desk.flow->place(QStringLiteral("bob"), &error), qPrintable(error));
        QVERIFY(!desk.flow->place(QStringLiteral("carol"), &error));
        QCOMPARE(error, QStringLiteral("You are already in a call with bob."));
        desk.flow->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), CallState::Idle, kTimeoutMs);
        QCOMPARE(desk.last().outcome, RecentCall::Outcome::Cancelled);  // hung up while it rang
    }
};

QTEST_MAIN(TestCallFlow)
#include "tst_callflow.moc"
