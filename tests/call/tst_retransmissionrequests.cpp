// SPDX-License-Identifier: GPL-3.0-or-later
// RetransmissionRequests: the jitter buffers' request timing, and the requests it drops or rewrites.
#include "call/RetransmissionRequests.h"

#include "util/GstPtr.h"

#include <QTest>

#include <memory>

using namespace confab;

namespace {

GstEvent *request(guint avgRttMs) {
    return gst_event_new_custom(
        GST_EVENT_CUSTOM_UPSTREAM,
        gst_structure_new("GstRTPRetransmissionRequest", "seqnum", G_TYPE_UINT, 7u, "deadline", G_TYPE_UINT,
                          100u, "delay", G_TYPE_UINT, 10u, "avg-rtt", G_TYPE_UINT, avgRttMs, nullptr));
}

guint averageOf(GstEvent *event) {
    guint value = 0;
    gst_structure_get_uint(gst_event_get_structure(event), "avg-rtt", &value);
    return value;
}

gint intProperty(GstElement *element, const char *name) {
    gint value = 0;
    g_object_get(element, name, &value, nullptr);
    return value;
}

// What reached the pad upstream of the jitter buffer.
QList<guint> received;

}  // namespace

class TestRetransmissionRequests : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void theAverageRepairIsAtMostTheRoundTrip() {
        GstEvent *event = request(330);
        QVERIFY(RetransmissionRequests::rewrite(&event, false, 4));
        QCOMPARE(averageOf(event), 4u);
        QCOMPARE(gst_structure_get_string(gst_event_get_structure(event), "missing"), nullptr);
        guint deadline = 0;
        QVERIFY(gst_structure_get_uint(gst_event_get_structure(event), "deadline", &deadline));
        QCOMPARE(deadline, 100u);  // the rest is left as it was
        gst_event_unref(event);

        event = request(3);  // already below
        QVERIFY(RetransmissionRequests::rewrite(&event, false, 4));
        QCOMPARE(averageOf(event), 3u);
        gst_event_unref(event);

        event = request(330);  // no round trip measured yet
        QVERIFY(RetransmissionRequests::rewrite(&event, false, -1));
        QCOMPARE(averageOf(event), 330u);
        gst_event_unref(event);
    }

    void audioRequestsAreDroppedAndOtherEventsPass() {
        GstEvent *event = request(20);
        QVERIFY(!RetransmissionRequests::rewrite(&event, true, 4));
        gst_event_unref(event);

        event = gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, gst_structure_new_empty("GstForceKeyUnit"));
        QVERIFY(RetransmissionRequests::rewrite(&event, true, 4));
        gst_event_unref(event);
        event = gst_event_new_flush_start();
        QVERIFY(RetransmissionRequests::rewrite(&event, true, 4));
        gst_event_unref(event);
    }

    void theRetryFollowsTheRoundTrip() {
        QCOMPARE(RetransmissionRequests::retryTimeoutMs(2), 32);
        QCOMPARE(RetransmissionRequests::retryTimeoutMs(100), 130);
        QCOMPARE(RetransmissionRequests::retryTimeoutMs(1526331), 400);  // a bogus early report
        QCOMPARE(RetransmissionRequests::retryTimeoutMs(-1),
                 RetransmissionRequests::kUnknownRoundTripMs + RetransmissionRequests::kRetryMarginMs);
    }

    // A real rtpjitterbuffer: its timing properties, and the requests that leave its sink pad.
    void aWatchedJitterBufferIsTimedAndItsRequestsRewritten() {
        GstElement *made = gst_element_factory_make("rtpjitterbuffer", nullptr);
        QVERIFY2(made, "rtpjitterbuffer (gstreamer1.0-plugins-good) is missing");
        GstPtr<GstElement> jitterBuffer(GST_ELEMENT(gst_object_ref_sink(made)));
        auto requests = std::make_shared<RetransmissionRequests>();
        requests->watch(jitterBuffer.get());
        QCOMPARE(intProperty(jitterBuffer.get(), "rtx-delay"), RetransmissionRequests::kFirstRequestMs);
        QCOMPARE(intProperty(jitterBuffer.get(), "rtx-retry-timeout"),
                 RetransmissionRequests::retryTimeoutMs(-1));
        QCOMPARE(intProperty(jitterBuffer.get(), "rtx-min-retry-timeout"), 10);
        requests->setRoundTripMs(1);  // a LAN's round trip replaces the unknown one, however close
        QCOMPARE(intProperty(jitterBuffer.get(), "rtx-retry-timeout"), 31);
        requests->setRoundTripMs(20);
        QCOMPARE(intProperty(jitterBuffer.get(), "rtx-retry-timeout"), 50);
        requests->setRoundTripMs(22);  // too small a change to touch the buffers
        QCOMPARE(intProperty(jitterBuffer.get(), "rtx-retry-timeout"), 50);
        QCOMPARE(requests->roundTripMs(), 22);

        // Upstream of it, a pad that records the requests it is sent.
        GstPtr<GstPad> upstream(GST_PAD(gst_object_ref_sink(gst_pad_new("src", GST_PAD_SRC))));
        gst_pad_set_event_function(
            upstream.get(), +[](GstPad *, GstObject *, GstEvent *event) -> gboolean {
                if (gst_event_has_name(event, "GstRTPRetransmissionRequest")) {
                    received.append(averageOf(event));
                }
                gst_event_unref(event);
                return TRUE;
            });
        GstPtr<GstPad> sink(gst_element_get_static_pad(jitterBuffer.get(), "sink"));
        QCOMPARE(gst_pad_link(upstream.get(), sink.get()), GST_PAD_LINK_OK);
        QVERIFY(gst_pad_set_active(upstream.get(), TRUE));
        QVERIFY(gst_pad_set_active(sink.get(), TRUE));
        const auto storeCaps = [&](const char *caps) {
            GstEvent *event = gst_event_new_caps(GstCapsPtr(gst_caps_from_string(caps)).get());
            gst_pad_store_sticky_event(sink.get(), event);
            gst_event_unref(event);
        };

        received.clear();
        storeCaps("application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000");
        gst_pad_push_event(sink.get(), request(300));
        QCOMPARE(received, QList<guint>{22});
        storeCaps("application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000");
        gst_pad_push_event(sink.get(), request(300));
        QCOMPARE(received, QList<guint>{22});  // dropped
        gst_pad_set_active(sink.get(), FALSE);
        gst_pad_set_active(upstream.get(), FALSE);
    }
};

QTEST_GUILESS_MAIN(TestRetransmissionRequests)
#include "tst_retransmissionrequests.moc"
