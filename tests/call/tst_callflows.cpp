// SPDX-License-Identifier: GPL-3.0-or-later
// Call control over a real server and real pipelines, all in one process: who ends a call, how,
// and what each side is told. Sessions are CallControllers of TestPeers signed in to a
// SignalingServer on an ephemeral port.
#include "InProcessCall.h"
#include "ServerTestCase.h"
#include "TestPeer.h"
#include "TestTime.h"

#include "call/CallSession.h"
#include "signaling/SignalingServer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <unistd.h>

using namespace confab;

namespace {

// Scaled: the sanitized run is several times slower, and a round trip needs RTCP reports that
// rtpbin sends at randomised intervals.
const int kTimeoutMs = scaled(15000);

int openFileDescriptors() {
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size());
}

long residentKiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    status.open(QIODevice::ReadOnly);
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').first().toLong();
        }
    }
    return -1;
}

}  // namespace

class TestCallFlows : public ServerTestCase {
    Q_OBJECT
private:
    std::unique_ptr<TestPeer> peer(const QString &name, int noAnswerTimeoutMs = 45000) {
        auto p = std::make_unique<TestPeer>(name, url(), noAnswerTimeoutMs);
        InProcessCall::waitSignedIn(*p, kTimeoutMs);
        return p;
    }

    // alice calls bob, bob accepts as soon as it rings; returns when both are connected.
    static bool connectCall(TestPeer &caller, TestPeer &callee) {
        return InProcessCall::connect(caller, callee, kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        startServer(SignalingServerOptions());
    }

    // Lets GST_TRACERS=leaks report what outlived the calls.
    void cleanupTestCase() {
        stopServer();
        gst_deinit();
    }

    void callerHangsUpAndCalleeHearsIt() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy aliceEnded(alice->controller.get(), &CallController::ended);
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QSignalSpy aliceChat(alice->controller.get(), &CallController::chatReceived);
        QSignalSpy bobChat(bob->controller.get(), &CallController::chatReceived);
        QSignalSpy bobChatOpen(bob->controller.get(), &CallController::chatOpened);
        QVERIFY(connectCall(*alice, *bob));
        QTRY_VERIFY_WITH_TIMEOUT(alice->videoFrames > 5 && bob->videoFrames > 5, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(alice->lastAudioPeak > 1000 && bob->lastAudioPeak > 1000, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(bobChatOpen.size() == 1, kTimeoutMs);
        QVERIFY(alice->controller->sendChat(QStringLiteral("hi bob")));
        QVERIFY(bob->controller->sendChat(QStringLiteral("hi alice")));
        QTRY_COMPARE_WITH_TIMEOUT(bobChat.size(), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(aliceChat.size(), 1, kTimeoutMs);
        QCOMPARE(bobChat.at(0).at(0).toString(), QStringLiteral("hi bob"));
        QCOMPARE(aliceChat.at(0).at(0).toString(), QStringLiteral("hi alice"));

        alice->controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bobEnded.size(), 1, kTimeoutMs);
        QCOMPARE(aliceEnded.size(), 1);
        QCOMPARE(aliceEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::HungUp);
        QCOMPARE(bobEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::RemoteHungUp);
        QCOMPARE(bob->state(), CallState::Idle);
    }

    void calleeDeclines() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy aliceEnded(alice->controller.get(), &CallController::ended);
        QSignalSpy aliceStates(alice->controller.get(), &CallController::stateChanged);
        QSignalSpy bobIncoming(bob->controller.get(), &CallController::incomingCall);
        QString error;
        QVERIFY(alice->controller->call(QStringLiteral("bob"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(bobIncoming.size(), 1, kTimeoutMs);
        QCOMPARE(bobIncoming.at(0).at(0).toString(), QStringLiteral("alice"));
        // The callee's client confirms it rings: the caller sees Ringing, not just Calling.
        QTRY_COMPARE_WITH_TIMEOUT(alice->state(), CallState::Ringing, kTimeoutMs);
        bob->controller->decline();
        QTRY_COMPARE_WITH_TIMEOUT(aliceEnded.size(), 1, kTimeoutMs);
        QCOMPARE(aliceEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::Declined);
        QVERIFY(aliceEnded.at(0).at(1).toString().contains(QStringLiteral("bob declined")));
    }

    void calleeInAnotherCallAnswersBusy() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        auto carol = peer(QStringLiteral("carol"));
        QVERIFY(connectCall(*alice, *bob));
        QSignalSpy carolEnded(carol->controller.get(), &CallController::ended);
        QString error;
        QVERIFY(carol->controller->call(QStringLiteral("bob"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(carolEnded.size(), 1, kTimeoutMs);
        QCOMPARE(carolEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::Busy);
        // The call in progress is untouched.
        QCOMPARE(alice->state(), CallState::Connected);
        QCOMPARE(bob->state(), CallState::Connected);
        QCOMPARE(bob->controller->peer(), QStringLiteral("alice"));
    }

    // The helper the other tests connect calls with fails as soon as the call ends, with the
    // reason, instead of waiting out its bound: bob is in a call with alice, so carol's ends busy.
    void theCallHelperFailsAtOnceWhenTheCallEnds() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        auto carol = peer(QStringLiteral("carol"));
        QVERIFY(connectCall(*alice, *bob));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("^carol's call ended \\(busy\\)")));
        QElapsedTimer elapsed;
        elapsed.start();
        QVERIFY(!connectCall(*carol, *bob));
        QVERIFY2(elapsed.elapsed() < kTimeoutMs / 3, qPrintable(QString::number(elapsed.elapsed())));
        QCOMPARE(bob->state(), CallState::Connected);
    }

    void callingSomeoneOfflineSaysSo() {
        auto alice = peer(QStringLiteral("alice"));
        QSignalSpy ended(alice->controller.get(), &CallController::ended);
        QString error;
        QVERIFY(alice->controller->call(QStringLiteral("nobody"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, kTimeoutMs);
        QCOMPARE(ended.at(0).at(0).value<CallEndReason>(), CallEndReason::UserOffline);
        QCOMPARE(ended.at(0).at(1).toString(), QStringLiteral("nobody is not online."));
    }

    void callingYourselfIsRefused() {
        auto alice = peer(QStringLiteral("alice"));
        QString error;
        QVERIFY(!alice->controller->call(QStringLiteral("alice"), &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(alice->state(), CallState::Idle);
    }

    void callerCancelsWhileItRings() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy bobIncoming(bob->controller.get(), &CallController::incomingCall);
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QString error;
        QVERIFY(alice->controller->call(QStringLiteral("bob"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(bobIncoming.size(), 1, kTimeoutMs);
        alice->controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bobEnded.size(), 1, kTimeoutMs);
        QCOMPARE(bobEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::Cancelled);
        QCOMPARE(bob->state(), CallState::Idle);
    }

    void unansweredCallEndsAsNoAnswerOnBothSides() {
        auto alice = peer(QStringLiteral("alice"), 800);
        auto bob = peer(QStringLiteral("bob"), 60000);
        QSignalSpy aliceEnded(alice->controller.get(), &CallController::ended);
        QSignalSpy bobEnded(bob->controller.get(), &CallController::ended);
        QString error;
        QVERIFY(alice->controller->call(QStringLiteral("bob"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(aliceEnded.size(), 1, kTimeoutMs);
        QCOMPARE(aliceEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::NoAnswer);
        QTRY_COMPARE_WITH_TIMEOUT(bobEnded.size(), 1, kTimeoutMs);
        QCOMPARE(bobEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::NoAnswer);
    }

    void candidatesThatArriveWhileRingingAreKept() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy bobIncoming(bob->controller.get(), &CallController::incomingCall);
        QString error;
        QVERIFY(alice->controller->call(QStringLiteral("bob"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(bobIncoming.size(), 1, kTimeoutMs);
        // The caller trickles its candidates at once; let them all arrive before answering.
        QTest::qWait(700);
        QVERIFY(bob->controller->accept(&error));
        QTRY_VERIFY_WITH_TIMEOUT(alice->state() == CallState::Connected && bob->state() == CallState::Connected,
                                 kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(alice->videoFrames > 5 && bob->videoFrames > 5, kTimeoutMs);
    }

    void plainPeerThatNeverRingsStillConnects() {
        // A seed-protocol peer: answers at once, never sends `ringing`.
        auto alice = peer(QStringLiteral("alice"));
        SignalingClient plain;
        plain.connectToServer(url(), QStringLiteral("plain"));
        QTRY_COMPARE_WITH_TIMEOUT(plain.state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        CallSession::Config config;
        config.role = CallSession::Role::Callee;
        config.media = smallMedia();
        CallSession session(config);
        connect(&plain, &SignalingClient::offerReceived, &session, [&](const protocol::OfferMessage &offer) {
            QString error;
            QVERIFY2(session.startAsCallee(offer.offer.sdp, &error), qPrintable(error));
        });
        connect(&plain, &SignalingClient::candidateReceived, &session,
                [&](const protocol::CandidateMessage &m) { session.addRemoteCandidate(m.candidate); });
        connect(&session, &CallSession::localDescriptionReady, &plain,
                [&](const protocol::SessionDescription &answer) { plain.sendAnswer(QStringLiteral("alice"), answer); });
        connect(&session, &CallSession::localCandidateReady, &plain,
                [&](const protocol::IceCandidate &c) { plain.sendCandidate(QStringLiteral("alice"), c); });
        QSignalSpy aliceStates(alice->controller.get(), &CallController::stateChanged);
        QString error;
        QVERIFY(alice->controller->call(QStringLiteral("plain"), &error));
        QTRY_COMPARE_WITH_TIMEOUT(alice->state(), CallState::Connected, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(alice->videoFrames > 5, kTimeoutMs);
        for (const QList<QVariant> &change : aliceStates) {
            QVERIFY(change.at(0).value<CallState>() != CallState::Ringing);
        }
        alice->controller->hangUp();
    }

    void mutedMicrophoneAndCameraOffReachTheOtherSide() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QVERIFY(connectCall(*alice, *bob));
        // Before: a blue picture with a ball, and a tone.
        QTRY_VERIFY_WITH_TIMEOUT(alice->lastLuma > 40, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(alice->lastAudioPeak > 1000, kTimeoutMs);
        bob->controller->setCameraEnabled(false);
        bob->controller->setMicrophoneMuted(true);
        // After: black frames keep coming (not a frozen last frame), and silence.
        QTRY_VERIFY_WITH_TIMEOUT(alice->lastLuma >= 0 && alice->lastLuma < 24, kTimeoutMs);
        const int framesWhileOff = alice->videoFrames;
        QTRY_VERIFY_WITH_TIMEOUT(alice->videoFrames > framesWhileOff + 10, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(alice->lastAudioPeak >= 0 && alice->lastAudioPeak < 200, kTimeoutMs);
        bob->controller->setCameraEnabled(true);
        bob->controller->setMicrophoneMuted(false);
        QTRY_VERIFY_WITH_TIMEOUT(alice->lastLuma > 40, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(alice->lastAudioPeak > 1000, kTimeoutMs);
        QCOMPARE(alice->state(), CallState::Connected);
    }

    void statsReportEachSecond() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QSignalSpy stats(alice->controller.get(), &CallController::statsUpdated);
        QVERIFY(connectCall(*alice, *bob));
        QTRY_VERIFY_WITH_TIMEOUT(stats.size() >= 4, kTimeoutMs);
        const auto last = stats.last().at(0).value<CallStats>();
        QVERIFY(last.receiveKbps > 0);
        QVERIFY(last.sendKbps > 0);
        QVERIFY(last.receivedFps > 0);
        QCOMPARE(last.receivedResolution, QSize(160, 120));
        QCOMPARE(last.videoCodec, QStringLiteral("VP8"));
        QCOMPARE(last.path, QStringLiteral("host"));
        QVERIFY2(last.transport == QStringLiteral("udp") || last.transport == QStringLiteral("tcp"),
                 qPrintable(last.transport));
        // The round trip needs an RTCP exchange (rtpbin sends reports every few seconds, at
        // randomised times), so the first reports may not have one yet: wait for a report that does.
        QTRY_VERIFY_WITH_TIMEOUT(stats.last().at(0).value<CallStats>().roundTripMs >= 0, kTimeoutMs);
    }

    void hangingUpAtAnyMomentNeverHangs() {
        // Either side hangs up at delays that land in every phase: offering, ringing, answering,
        // ICE, DTLS, connected. Each call must end on both sides and nothing may deadlock.
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        QObject::connect(bob->controller.get(), &CallController::incomingCall, bob->controller.get(), [&bob] {
            QString error;
            bob->controller->accept(&error);
        });
        const int delaysMs[] = {0, 5, 20, 50, 100, 150, 250, 400, 600, 900};
        int round = 0;
        for (const int delay : delaysMs) {
            for (TestPeer *hangsUp : {alice.get(), bob.get()}) {
                QString error;
                QVERIFY2(alice->controller->call(QStringLiteral("bob"), &error), qPrintable(error));
                QTest::qWait(delay);
                hangsUp->controller->hangUp();
                if (hangsUp == bob.get() && bob->state() == CallState::Idle) {
                    // bob had not heard of the call yet, or has just hung up: alice hangs up too and
                    // calls again at once, so bob's leave may arrive during her next call.
                    alice->controller->hangUp();
                }
                QTRY_VERIFY2_WITH_TIMEOUT(alice->state() == CallState::Idle && bob->state() == CallState::Idle,
                                          qPrintable(QStringLiteral("round %1, delay %2 ms").arg(round).arg(delay)),
                                          kTimeoutMs);
                ++round;
            }
        }
    }

    void iceFailureWithoutTurnSaysATurnServerIsNeeded() {
        // Candidates never reach the other side, as when no direct path exists between two NATs.
        CallSession::Config config;
        config.media = smallMedia();
        config.connectTimeoutMs = 3000;
        config.role = CallSession::Role::Caller;
        CallSession caller(config);
        config.role = CallSession::Role::Callee;
        CallSession callee(config);
        connect(&caller, &CallSession::localDescriptionReady, &callee, [&](const protocol::SessionDescription &d) {
            QString error;
            QVERIFY(callee.startAsCallee(d.sdp, &error));
        });
        connect(&callee, &CallSession::localDescriptionReady, &caller, [&](const protocol::SessionDescription &d) {
            QString error;
            QVERIFY(caller.setRemoteAnswer(d.sdp, &error));
        });
        QSignalSpy failed(&caller, &CallSession::failed);
        QString error;
        QVERIFY(caller.startAsCaller(&error));
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), kTimeoutMs);
        QCOMPARE(failed.at(0).at(0).value<CallEndReason>(), CallEndReason::NoRelay);
        QVERIFY(describe(CallEndReason::NoRelay, QStringLiteral("bob")).contains(QStringLiteral("TURN server")));
    }

    void twentyCallsBackToBackKeepFdsAndMemoryStable() {
        auto alice = peer(QStringLiteral("alice"));
        auto bob = peer(QStringLiteral("bob"));
        int fdsAfterWarmUp = 0;
        long rssAfterWarmUp = 0;
        for (int i = 0; i < 20; ++i) {
            QVERIFY2(connectCall(*alice, *bob), qPrintable(QStringLiteral("call %1").arg(i + 1)));
            const int framesBefore = alice->videoFrames;
            QTRY_VERIFY_WITH_TIMEOUT(alice->videoFrames > framesBefore + 3, kTimeoutMs);
            QObject::disconnect(bob->controller.get(), &CallController::incomingCall, nullptr, nullptr);
            (i % 2 ? bob : alice)->controller->hangUp();
            QTRY_VERIFY_WITH_TIMEOUT(alice->state() == CallState::Idle && bob->state() == CallState::Idle, kTimeoutMs);
            QTest::qWait(50);  // let the deferred session deletions run
            if (i == 1) {
                fdsAfterWarmUp = openFileDescriptors();
                rssAfterWarmUp = residentKiB();
            }
        }
        const int fds = openFileDescriptors();
        const long rss = residentKiB();
        qInfo("after 2 calls: %d fds, %ld KiB; after 20: %d fds, %ld KiB", fdsAfterWarmUp, rssAfterWarmUp, fds, rss);
        QVERIFY2(fds <= fdsAfterWarmUp + 2, "file descriptors leak per call");
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps freed memory resident on purpose
        QVERIFY2(rss < rssAfterWarmUp + 30 * 1024, "memory grows per call");
#endif
    }
};

QTEST_GUILESS_MAIN(TestCallFlows)
#include "tst_callflows.moc"
