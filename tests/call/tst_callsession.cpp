// SPDX-License-Identifier: GPL-3.0-or-later
// Two CallSessions in one process, wired to each other directly (no server): the engine itself.
#include "call/CallSession.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

using namespace confab;

namespace {

// Connects two sessions as the signaling would: descriptions and candidates go straight across.
struct LoopbackCall {
    CallSession caller;
    CallSession callee;
    QString calleeError;

    explicit LoopbackCall(MediaOptions callerMedia = {}, MediaOptions calleeMedia = {})
        : caller(config(CallSession::Role::Caller, callerMedia)),
          callee(config(CallSession::Role::Callee, calleeMedia)) {
        QObject::connect(&caller, &CallSession::localDescriptionReady, &callee,
                         [this](const protocol::SessionDescription &offer) {
                             if (!callee.startAsCallee(offer.sdp, &calleeError)) {
                                 qWarning() << "callee failed:" << calleeError;
                             }
                         });
        QObject::connect(&callee, &CallSession::localDescriptionReady, &caller,
                         [this](const protocol::SessionDescription &answer) {
                             QString error;
                             QVERIFY2(caller.setRemoteAnswer(answer.sdp, &error), qPrintable(error));
                         });
        QObject::connect(&caller, &CallSession::localCandidateReady, &callee, &CallSession::addRemoteCandidate);
        QObject::connect(&callee, &CallSession::localCandidateReady, &caller, &CallSession::addRemoteCandidate);
    }

    static CallSession::Config config(CallSession::Role role, const MediaOptions &media) {
        CallSession::Config c;
        c.role = role;
        c.media = media;
        c.media.width = 320;
        c.media.height = 240;
        return c;
    }
};

}  // namespace

class TestCallSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }
    // Lets GST_TRACERS=leaks report what outlived the calls.
    void cleanupTestCase() { gst_deinit(); }

    void mediaAndChatFlowBothWays() {
        LoopbackCall call;
        QSignalSpy callerConnected(&call.caller, &CallSession::connected);
        QSignalSpy calleeConnected(&call.callee, &CallSession::connected);
        QSignalSpy callerChat(&call.caller, &CallSession::chatReceived);
        QSignalSpy calleeChat(&call.callee, &CallSession::chatReceived);
        QSignalSpy calleeChatOpen(&call.callee, &CallSession::chatOpened);
        QSignalSpy callerChatOpen(&call.caller, &CallSession::chatOpened);
        QString error;
        QVERIFY2(call.caller.startAsCaller(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(callerConnected.size() == 1 && calleeConnected.size() == 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(call.caller.lastStats().videoFramesReceived > 10, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(call.callee.lastStats().videoFramesReceived > 10, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(call.caller.lastStats().audioBuffersReceived > 10, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(call.callee.lastStats().audioBuffersReceived > 10, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(callerChatOpen.size() == 1 && calleeChatOpen.size() == 1, 10000);
        QVERIFY(call.caller.sendChat(QStringLiteral("hello from the caller")));
        QVERIFY(call.callee.sendChat(QStringLiteral("hello from the callee")));
        QTRY_COMPARE_WITH_TIMEOUT(calleeChat.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(callerChat.size(), 1, 5000);
        QCOMPARE(calleeChat.at(0).at(0).toString(), QStringLiteral("hello from the caller"));
        QCOMPARE(callerChat.at(0).at(0).toString(), QStringLiteral("hello from the callee"));
        QCOMPARE(call.callee.lastStats().receivedResolution, QSize(320, 240));
        QCOMPARE(call.callee.lastStats().path, QStringLiteral("host"));
    }

    // webrtcbin holds its send path until DTLS is up; media coded before then used to pile up behind
    // it and go out stale, followed by a gap of what the audio queue had dropped meanwhile, which
    // the other side counted (and played) as concealment at the start of every call.
    void audioStartsWithoutAGapWhenTheCallConnects() {
        LoopbackCall call;
        QSignalSpy callerConnected(&call.caller, &CallSession::connected);
        QSignalSpy calleeConnected(&call.callee, &CallSession::connected);
        QString error;
        QVERIFY2(call.caller.startAsCaller(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(callerConnected.size() == 1 && calleeConnected.size() == 1, 10000);
        // Three seconds of audio (20 ms packets) on both sides; stats come once a second.
        QTRY_VERIFY_WITH_TIMEOUT(call.caller.lastStats().audioBuffersReceived > 150 &&
                                     call.callee.lastStats().audioBuffersReceived > 150,
                                 15000);
        for (const CallSession *side : {&call.caller, &call.callee}) {
            const double concealed = side->lastStats().audioConcealedPercent;
            QVERIFY2(concealed < 1.5, qPrintable(QStringLiteral("%1 % concealed").arg(concealed)));
        }
    }

    // WebRtcBinSetup::reportEverySecond once ran only when debug output was on (it sat inside a
    // qCDebug statement), so a user's call had no regular reports to speak of under loss. With debug
    // output off, as users run, both sides must keep sending reports with report blocks.
    void regularRtcpReportsGoOutWithDebugOutputOff() {
        QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false"));
        const auto restore = qScopeGuard([] { QLoggingCategory::setFilterRules(QString()); });
        LoopbackCall call;
        QSignalSpy callerConnected(&call.caller, &CallSession::connected);
        QSignalSpy calleeConnected(&call.callee, &CallSession::connected);
        QCOMPARE(call.caller.msSinceRtcpReport(), -1);
        QString error;
        QVERIFY2(call.caller.startAsCaller(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(callerConnected.size() == 1 && calleeConnected.size() == 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(call.callee.lastStats().videoFramesReceived > 10, 10000);
        // Reports are due every 0.5-1.5 s; an early packet in a report's place pushes it one more
        // interval. Watched for six seconds, none may be 4 s old.
        QElapsedTimer watched;
        watched.start();
        while (watched.elapsed() < 6000) {
            QTest::qWait(250);
            for (const CallSession *side : {&call.caller, &call.callee}) {
                const qint64 age = side->msSinceRtcpReport();
                QVERIFY2(age >= 0 && age < 4000,
                         qPrintable(QStringLiteral("last report %1 ms ago").arg(age)));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCallSession)
#include "tst_callsession.moc"
