// SPDX-License-Identifier: GPL-3.0-or-later
// ChatChannel between two webrtcbins in one process with nothing but the data channel: the
// caller's channel opens on both sides, text goes both ways, and nothing arrives once detached.
#include "call/ChatChannel.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab;

namespace {

GstWebRTCSessionDescription *describe(GstElement *webrtc, const char *signal, const char *field) {
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(webrtc, signal, nullptr, promise);
    gst_promise_wait(promise);
    GstWebRTCSessionDescription *description = nullptr;
    gst_structure_get(gst_promise_get_reply(promise), field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description,
                      nullptr);
    gst_promise_unref(promise);
    return description;
}

void setDescription(GstElement *webrtc, const char *signal, GstWebRTCSessionDescription *description) {
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(webrtc, signal, description, promise);
    gst_promise_wait(promise);
    gst_promise_unref(promise);
}

// Candidates cross straight over, on webrtcbin's thread: add-ice-candidate is thread-safe.
void onCandidate(GstElement *, guint mline, gchar *candidate, gpointer other) {
    g_signal_emit_by_name(static_cast<GstElement *>(other), "add-ice-candidate", mline, candidate);
}

}  // namespace

class TestChatChannel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void textGoesBothWaysOnceTheChannelIsOpen() {
        GstElement *pipeline = gst_pipeline_new(nullptr);
        GstElement *caller = gst_element_factory_make("webrtcbin", "caller");
        GstElement *callee = gst_element_factory_make("webrtcbin", "callee");
        QVERIFY(caller && callee);
        gst_bin_add_many(GST_BIN(pipeline), caller, callee, nullptr);
        g_signal_connect(caller, "on-ice-candidate", G_CALLBACK(onCandidate), callee);
        g_signal_connect(callee, "on-ice-candidate", G_CALLBACK(onCandidate), caller);

        ChatChannel callerChat;
        ChatChannel calleeChat;
        QSignalSpy callerOpened(&callerChat, &ChatChannel::opened);
        QSignalSpy calleeOpened(&calleeChat, &ChatChannel::opened);
        QSignalSpy callerGot(&callerChat, &ChatChannel::received);
        QSignalSpy calleeGot(&calleeChat, &ChatChannel::received);
        QVERIFY(!callerChat.send(QStringLiteral("too early")));

        gst_element_set_state(pipeline, GST_STATE_READY);
        QVERIFY(callerChat.create(caller));
        calleeChat.acceptFrom(callee);
        gst_element_set_state(pipeline, GST_STATE_PLAYING);

        GstWebRTCSessionDescription *offer = describe(caller, "create-offer", "offer");
        QVERIFY(offer);
        setDescription(caller, "set-local-description", offer);
        setDescription(callee, "set-remote-description", offer);
        gst_webrtc_session_description_free(offer);
        GstWebRTCSessionDescription *answer = describe(callee, "create-answer", "answer");
        QVERIFY(answer);
        setDescription(callee, "set-local-description", answer);
        setDescription(caller, "set-remote-description", answer);
        gst_webrtc_session_description_free(answer);

        QTRY_COMPARE_WITH_TIMEOUT(callerOpened.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(calleeOpened.size(), 1, 10000);
        QVERIFY(callerChat.isOpen() && calleeChat.isOpen());
        QVERIFY(callerChat.send(QStringLiteral("hello from the caller")));
        QVERIFY(calleeChat.send(QStringLiteral("héllo from the callee ✓")));
        QTRY_COMPARE_WITH_TIMEOUT(calleeGot.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(callerGot.size(), 1, 5000);
        QCOMPARE(calleeGot.first().first().toString(), QStringLiteral("hello from the caller"));
        QCOMPARE(callerGot.first().first().toString(), QStringLiteral("héllo from the callee ✓"));

        calleeChat.detach();
        QVERIFY(!calleeChat.isOpen());
        QVERIFY(!calleeChat.send(QStringLiteral("after detach")));
        QVERIFY(callerChat.send(QStringLiteral("nobody listens")));
        QTest::qWait(300);
        QCOMPARE(calleeGot.size(), 1);

        gst_element_set_state(pipeline, GST_STATE_NULL);
        callerChat.detach();
        g_signal_handlers_disconnect_by_func(caller, reinterpret_cast<gpointer>(onCandidate), callee);
        g_signal_handlers_disconnect_by_func(callee, reinterpret_cast<gpointer>(onCandidate), caller);
        gst_object_unref(pipeline);
    }
};

QTEST_GUILESS_MAIN(TestChatChannel)
#include "tst_chatchannel.moc"
