// SPDX-License-Identifier: GPL-3.0-or-later
// The small parts CallSession is made of, each on its own: the webrtcbin it makes, how a bus
// error is sorted, the candidate types behind a path, SDP text, and one second's figures.
#include "call/AskWebrtcbin.h"
#include "call/BusErrorTriage.h"
#include "call/CallStatsSampler.h"
#include "call/CandidateTypes.h"
#include "call/IceTcpHold.h"
#include "call/RtcpReportWatch.h"
#include "call/SdpText.h"
#include "call/WebRtcBinSetup.h"
#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <QSignalSpy>
#include <QTest>

#include <gst/rtp/gstrtcpbuffer.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using namespace confab;

namespace {

struct BufferUnref {
    void operator()(GstBuffer *buffer) const { gst_buffer_unref(buffer); }
};
using BufferPtr = std::unique_ptr<GstBuffer, BufferUnref>;

GstMessage *errorFrom(GstElement *element, const char *text) {
    GError *error = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, text);
    GstMessage *message = gst_message_new_error(GST_OBJECT(element), error, "some detail");
    g_error_free(error);
    return message;
}

constexpr char kOffer[] =
    "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 OPUS/48000/2\r\n";

}  // namespace

class TestCallSessionParts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void webrtcbinIsBundledWithTheJitterBufferAndServersAsked() {
        protocol::IceServer stun{{QStringLiteral("stun:stun.example.org:3478")}, {}, {}};
        QString error;
        GstPtr<GstElement> webrtc = WebRtcBinSetup::make(85, {stun}, nullptr, &error);
        QVERIFY2(webrtc, qPrintable(error));
        guint latency = 0;
        GstWebRTCBundlePolicy policy = GST_WEBRTC_BUNDLE_POLICY_NONE;
        gchar *stunServer = nullptr;
        g_object_get(webrtc.get(), "latency", &latency, "bundle-policy", &policy, "stun-server", &stunServer, nullptr);
        const GCharPtr stunOwner(stunServer);
        QCOMPARE(latency, 85u);
        QCOMPARE(policy, GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE);
        QCOMPARE(QString::fromUtf8(stunServer), QStringLiteral("stun://stun.example.org:3478"));
    }

    void rtcpReportsAreAskedForAboutOnceASecond() {
        QString error;
        GstPtr<GstElement> webrtc = WebRtcBinSetup::make(85, {}, nullptr, &error);
        QVERIFY2(webrtc, qPrintable(error));
        const auto watch = std::make_shared<RtcpReportWatch>();
        QCOMPARE(WebRtcBinSetup::reportEverySecond(webrtc.get(), watch), 0);  // no RTP session yet
        QCOMPARE(watch->msSinceReport(g_get_monotonic_time()), -1);           // nothing watched
        QCOMPARE(gst_element_set_state(webrtc.get(), GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
        GstCapsPtr caps(gst_caps_from_string(
            "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"));
        GstWebRTCRTPTransceiver *transceiver = nullptr;
        g_signal_emit_by_name(webrtc.get(), "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV,
                              caps.get(), &transceiver);
        GstPtr<GstWebRTCRTPTransceiver> transceiverOwner(transceiver);
        // The session exists once a description is set: the offer, set as the local one.
        GstPromisePtr created(gst_promise_new());
        g_signal_emit_by_name(webrtc.get(), "create-offer", nullptr, created.get());
        QCOMPARE(gst_promise_wait(created.get()), GST_PROMISE_RESULT_REPLIED);
        GstWebRTCSessionDescription *offer = nullptr;
        gst_structure_get(gst_promise_get_reply(created.get()), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                          &offer, nullptr);
        GstSessionDescriptionPtr offerOwner(offer);
        QVERIFY(offer);
        GstPromisePtr set(gst_promise_new());
        g_signal_emit_by_name(webrtc.get(), "set-local-description", offer, set.get());
        gst_promise_wait(set.get());

        QCOMPARE(WebRtcBinSetup::reportEverySecond(webrtc.get(), watch), 1);  // bundled: one session
        QVERIFY(watch->msSinceReport(g_get_monotonic_time()) >= 0);           // watched from now
        GstPtr<GstElement> rtpbin(gst_bin_get_by_name(GST_BIN(webrtc.get()), "rtpbin"));
        QVERIFY(rtpbin);
        GstElement *session = nullptr;
        g_signal_emit_by_name(rtpbin.get(), "get-session", 0u, &session);
        GstPtr<GstElement> sessionOwner(session);
        QVERIFY(session);
        guint64 interval = 0;
        g_object_get(session, "rtcp-min-interval", &interval, nullptr);
        QCOMPARE(interval, guint64(GST_SECOND));  // rtpsession's default is 5 s
        gdouble rtcpBandwidth = 0;
        g_object_get(session, "rtcp-fraction", &rtcpBandwidth, nullptr);
        QVERIFY(rtcpBandwidth > 1);  // bits per second, not a share of the media rate
        gst_element_set_state(webrtc.get(), GST_STATE_NULL);
    }

    void rtcpReportWatchTellsRegularReportsFromEarlyFeedback() {
        const BufferPtr reportOwner(gst_rtcp_buffer_new(1400));
        const BufferPtr earlyOwner(gst_rtcp_buffer_new(1400));
        GstBuffer *report = reportOwner.get();
        GstBuffer *early = earlyOwner.get();
        {
            GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
            GstRTCPPacket packet;
            QVERIFY(gst_rtcp_buffer_map(report, GST_MAP_READWRITE, &rtcp));
            QVERIFY(gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_RR, &packet));
            gst_rtcp_packet_rr_set_ssrc(&packet, 1);
            QVERIFY(gst_rtcp_packet_add_rb(&packet, 2, 0, 0, 100, 0, 0, 0));
            gst_rtcp_buffer_unmap(&rtcp);
            // An early packet: a sender report without report blocks, then a NACK.
            QVERIFY(gst_rtcp_buffer_map(early, GST_MAP_READWRITE, &rtcp));
            QVERIFY(gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_SR, &packet));
            gst_rtcp_packet_sr_set_sender_info(&packet, 1, 0, 0, 0, 0);
            QVERIFY(gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_RTPFB, &packet));
            gst_rtcp_packet_fb_set_type(&packet, GST_RTCP_RTPFB_TYPE_NACK);
            gst_rtcp_buffer_unmap(&rtcp);
        }
        QVERIFY(RtcpReportWatch::carriesReportBlocks(report));
        QVERIFY(!RtcpReportWatch::carriesReportBlocks(early));

        RtcpReportWatch watch;
        watch.noteSent(report, 1'000'000);
        watch.noteSent(early, 2'000'000);
        watch.noteSent(early, 3'000'000);
        QCOMPARE(watch.msSinceReport(7'000'000), 6000);
        QCOMPARE(watch.packetsSinceReport(), 2u);
        watch.noteSent(report, 8'000'000);
        QCOMPARE(watch.msSinceReport(8'500'000), 500);
        QCOMPARE(watch.packetsSinceReport(), 0u);

        // check(): once when the reports stop for over 5 s, once when they go out again.
        QCOMPARE(watch.check(13'000'000), RtcpReportWatch::Change::None);
        QCOMPARE(watch.check(13'100'000), RtcpReportWatch::Change::Stopped);
        QCOMPARE(watch.check(14'000'000), RtcpReportWatch::Change::None);
        watch.noteSent(report, 14'500'000);
        QCOMPARE(watch.check(15'000'000), RtcpReportWatch::Change::Resumed);
        QCOMPARE(watch.check(16'000'000), RtcpReportWatch::Change::None);
        QCOMPARE(RtcpReportWatch().check(100'000'000), RtcpReportWatch::Change::None);  // nothing watched
    }

    void jitterBuffersStartEarlyAndAskAgainOnlyForGaps() {
        GstElement *made = gst_element_factory_make("rtpjitterbuffer", nullptr);
        QVERIFY(made);
        GstPtr<GstElement> jitterBuffer(GST_ELEMENT(gst_object_ref_sink(made)));
        gboolean nextSeqnum = FALSE;
        g_object_get(jitterBuffer.get(), "rtx-next-seqnum", &nextSeqnum, nullptr);
        QVERIFY(nextSeqnum);  // rtpjitterbuffer's default, which WebRtcBinSetup turns off
        WebRtcBinSetup::configureJitterBuffer(jitterBuffer.get());
        guint minPackets = 0;
        g_object_get(jitterBuffer.get(), "rtx-next-seqnum", &nextSeqnum, "faststart-min-packets", &minPackets,
                     nullptr);
        QVERIFY(!nextSeqnum);
        QCOMPARE(minPackets, 2u);
    }

    void iceServerUrlsBecomeWebrtcbinsWithTurnCredentialsEncoded() {
        const protocol::IceServer turn{{QStringLiteral("turn:relay.example.org:3478?transport=udp")},
                                       QStringLiteral("17000:ali ce"),
                                       QStringLiteral("p@ss/word")};
        QCOMPARE(WebRtcBinSetup::webrtcbinUrl(turn.urls.first(), turn),
                 QStringLiteral("turn://17000%3Aali%20ce:p%40ss%2Fword@relay.example.org:3478?transport=udp"));
        const protocol::IceServer stun{{QStringLiteral("stun://stun.example.org")}, {}, {}};
        QCOMPARE(WebRtcBinSetup::webrtcbinUrl(stun.urls.first(), stun), QStringLiteral("stun://stun.example.org"));
        QVERIFY(WebRtcBinSetup::hasRelay({stun, turn}));
        QVERIFY(!WebRtcBinSetup::hasRelay({stun}));
    }

    void aFailedScreenCaptureOnlyEndsTheShare() {
        GstElement *capture = gst_element_factory_make("fakesrc", "screenshare-capture");
        GstPtr<GstElement> owner(GST_ELEMENT(gst_object_ref_sink(capture)));
        GstMessage *message = errorFrom(capture, "display went away");
        const BusErrorTriage::Error error = BusErrorTriage::classify(message);
        gst_message_unref(message);
        QCOMPARE(error.kind, BusErrorTriage::Kind::ScreenShare);
        QCOMPARE(error.message, QStringLiteral("display went away"));
        QCOMPARE(error.source, QStringLiteral("screenshare-capture"));
        QCOMPARE(error.debug, QStringLiteral("some detail"));
    }

    void anAbortedChatAssociationOnlyLosesChat() {
        GstElement *sctp = gst_element_factory_make("sctpenc", nullptr);
        QVERIFY2(sctp, "sctpenc (gstreamer1.0-plugins-bad) is missing");
        GstPtr<GstElement> owner(GST_ELEMENT(gst_object_ref_sink(sctp)));
        GstMessage *message = errorFrom(sctp, "association aborted");
        QCOMPARE(BusErrorTriage::classify(message).kind, BusErrorTriage::Kind::ChatTransport);
        gst_message_unref(message);
    }

    void anyOtherErrorEndsTheCall() {
        GstElement *encoder = gst_element_factory_make("fakesink", "venc");
        GstPtr<GstElement> owner(GST_ELEMENT(gst_object_ref_sink(encoder)));
        GstMessage *message = errorFrom(encoder, "encoder broke");
        QCOMPARE(BusErrorTriage::classify(message).kind, BusErrorTriage::Kind::Fatal);
        gst_message_unref(message);
    }

    void candidateTypesAreFoundByAddressAndPort() {
        CandidateTypes types;
        types.remember(QStringLiteral("candidate:1 1 UDP 2015363327 192.0.2.7 45123 typ host"));
        types.remember(QStringLiteral("candidate:2 1 UDP 1677729535 198.51.100.9 61000 typ srflx raddr 0.0.0.0 rport 0"));
        types.remember(QStringLiteral("garbage"));
        types.remember(QString());
        QCOMPARE(types.typeOf(QStringLiteral("192.0.2.7"), 45123), QStringLiteral("host"));
        QCOMPARE(types.typeOf(QStringLiteral("198.51.100.9"), 61000), QStringLiteral("srflx"));
        QCOMPARE(types.typeOf(QStringLiteral("192.0.2.7"), 45124), QString());
    }

    void sdpTextRoundTripsAndRefusesWhatIsNotADescription() {
        GstSessionDescriptionPtr offer = SdpText::parse(QString::fromLatin1(kOffer), GST_WEBRTC_SDP_TYPE_OFFER);
        QVERIFY(offer);
        QCOMPARE(offer->type, GST_WEBRTC_SDP_TYPE_OFFER);
        QVERIFY(SdpText::toText(offer.get()).contains(QStringLiteral("a=rtpmap:111 OPUS/48000/2")));
        QVERIFY(!SdpText::parse(QStringLiteral("hello"), GST_WEBRTC_SDP_TYPE_OFFER));
        QVERIFY(!SdpText::parse(QStringLiteral("v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"),
                                GST_WEBRTC_SDP_TYPE_ANSWER));  // no media section
    }

    void oneSecondsFiguresComeFromTwoReplies() {
        RawStats first;
        first.monotonicMs = 1000;
        first.bytesSent = 10'000;
        first.bytesReceived = 20'000;
        first.packetsReceived = 90;
        first.packetsLost = 10;
        first.roundTripSeconds = 0.042;
        first.jitterSeconds = 0.003;
        ReceiveCounters firstCounters{100, 50, QSize(640, 360), QStringLiteral("VP8")};
        CallStats stats = CallStatsSampler::between(nullptr, first, nullptr, firstCounters);
        QCOMPARE(stats.sendKbps, 0.0);  // no rate from one reply
        QCOMPARE(stats.lossPercent, 10.0);
        QCOMPARE(stats.roundTripMs, 42.0);
        QCOMPARE(stats.jitterMs, 3.0);
        QCOMPARE(stats.receivedResolution, QSize(640, 360));

        RawStats second = first;
        second.monotonicMs = 3000;  // two seconds later
        second.bytesSent += 250'000;
        second.bytesReceived += 500'000;
        second.packetsReceived += 95;
        second.packetsLost += 1;      // given up on
        second.packetsRepaired += 4;  // lost, then retransmitted
        ReceiveCounters secondCounters{160, 100, QSize(640, 360), QStringLiteral("VP8")};
        stats = CallStatsSampler::between(&first, second, &firstCounters, secondCounters);
        QCOMPARE(stats.sendKbps, 1000.0);
        QCOMPARE(stats.receiveKbps, 2000.0);
        QCOMPARE(stats.receivedFps, 30.0);
        QCOMPARE(stats.videoFramesReceived, quint64(160));
        QCOMPARE(stats.lossPercent, 5.0);  // of this interval's 100 packets

        RawStats unknownRtt = second;
        unknownRtt.roundTripSeconds = -1;
        unknownRtt.bytesSent = 0;  // counters that went backwards never make a negative rate
        QCOMPARE(CallStatsSampler::between(&second, unknownRtt, &secondCounters, firstCounters).roundTripMs, -1.0);
        QCOMPARE(CallStatsSampler::between(&second, unknownRtt, &secondCounters, firstCounters).sendKbps, 0.0);
        QCOMPARE(CallStatsSampler::between(&second, unknownRtt, &secondCounters, firstCounters).receivedFps, 0.0);
    }

    void theRoundTripComesFromAReportBlockAboutAnyOfOurStreams() {
        // A peer's source whose last report block was about our retransmission stream: webrtcbin
        // 1.22 makes no remote-inbound-rtp of it, rtpsession's stats still hold the block.
        GstStructurePtr source(gst_structure_new(
            "application/x-rtp-source-stats", "internal", G_TYPE_BOOLEAN, FALSE, "have-rb", G_TYPE_BOOLEAN, TRUE,
            "rb-ssrc", G_TYPE_UINT, 1234u, "rb-lsr", G_TYPE_UINT, 0x12345678u, "rb-round-trip", G_TYPE_UINT,
            0x0c00u, "rb-fractionlost", G_TYPE_UINT, 64u, nullptr));
        RawStats stats;
        stats.takeReportBlock(source.get());
        QCOMPARE(stats.roundTripSeconds, 0x0c00 / 65536.0);  // 16.16 fixed point: 46.9 ms
        QCOMPARE(stats.remoteFractionLost, 0.25);

        RawStats larger;
        larger.roundTripSeconds = 0.2;  // another stream's block measured more: the larger stays
        larger.takeReportBlock(source.get());
        QCOMPARE(larger.roundTripSeconds, 0.2);

        // Before the peer had one of our sender reports, a block has no round trip in it.
        gst_structure_set(source.get(), "rb-lsr", G_TYPE_UINT, 0u, nullptr);
        RawStats early;
        early.takeReportBlock(source.get());
        QCOMPARE(early.roundTripSeconds, -1.0);
        QCOMPARE(early.remoteFractionLost, -1.0);

        gst_structure_set(source.get(), "rb-lsr", G_TYPE_UINT, 0x12345678u, "have-rb", G_TYPE_BOOLEAN, FALSE,
                          nullptr);
        RawStats none;
        none.takeReportBlock(source.get());
        QCOMPARE(none.roundTripSeconds, -1.0);
    }

    void theSelectedPairsTransportIsRead() {
        // A get-stats reply cut down to the selected pair and its local candidate (as webrtcbin
        // 1.22 names them): an ICE-TCP pair says "tcp".
        GstStructurePtr local(gst_structure_new("local", "type", GST_TYPE_WEBRTC_STATS_TYPE,
                                                GST_WEBRTC_STATS_LOCAL_CANDIDATE, "address", G_TYPE_STRING,
                                                "192.0.2.7", "port", G_TYPE_UINT, 9u, "protocol", G_TYPE_STRING,
                                                "tcp", nullptr));
        GstStructurePtr pair(gst_structure_new("pair", "type", GST_TYPE_WEBRTC_STATS_TYPE,
                                               GST_WEBRTC_STATS_CANDIDATE_PAIR, "local-candidate-id", G_TYPE_STRING,
                                               "ice-candidate-local_0_192.0.2.7_9", nullptr));
        GstStructurePtr reply(gst_structure_new_empty("application/x-webrtc-stats"));
        gst_structure_set(reply.get(), "ice-candidate-pair_0", GST_TYPE_STRUCTURE, pair.get(),
                          "ice-candidate-local_0_192.0.2.7_9", GST_TYPE_STRUCTURE, local.get(), nullptr);
        RawStats stats = RawStats::fromReply(reply.get());
        QCOMPARE(stats.localCandidateAddress, QStringLiteral("192.0.2.7"));
        QCOMPARE(stats.localCandidatePort, 9);
        QCOMPARE(stats.localCandidateProtocol, QStringLiteral("tcp"));

        gst_structure_set(local.get(), "protocol", G_TYPE_STRING, "UDP", nullptr);
        gst_structure_set(reply.get(), "ice-candidate-local_0_192.0.2.7_9", GST_TYPE_STRUCTURE, local.get(), nullptr);
        QCOMPARE(RawStats::fromReply(reply.get()).localCandidateProtocol, QStringLiteral("udp"));
    }

    void aQuestionToWebrtcbinIsFreedWhetherAnsweredOrNot() {
        // Each handler owns a token, which must be destroyed once webrtcbin answered and also when
        // webrtcbin goes away with the question still queued: 1.22 then drops it unanswered, and
        // the promise, owned by its handler before askWebrtcbin, leaked.
        GstElement *made = gst_element_factory_make("webrtcbin", nullptr);
        QVERIFY(made);
        GstPtr<GstElement> webrtc(GST_ELEMENT(gst_object_ref_sink(made)));
        // In NULL, webrtcbin answers at once that it is closed; from READY its own thread answers.
        QCOMPARE(gst_element_set_state(webrtc.get(), GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
        auto token = std::make_shared<int>(0);
        std::atomic<int> answers = 0;
        std::atomic<bool> firstRunning = false;
        std::atomic<bool> closing = false;
        // The first answer holds webrtcbin's thread until its owner lets go, so that the second
        // question is still queued when webrtcbin closes.
        auto holdThenAnswer = [token, &answers, &firstRunning, &closing](const GstStructure *) {
            firstRunning = true;
            while (!closing) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(300));  // webrtcbin is marked closed meanwhile
            ++answers;
        };
        askWebrtcbin(webrtc.get(), "get-stats", nullptr, std::move(holdThenAnswer));
        QTRY_VERIFY(firstRunning.load());
        askWebrtcbin(webrtc.get(), "get-stats", nullptr, [token, &answers](const GstStructure *) { ++answers; });
        QCOMPARE(token.use_count(), 3L);
        closing = true;
        // Stops webrtcbin's thread, which waits for the first answer to return.
        QCOMPARE(gst_element_set_state(webrtc.get(), GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
        QCOMPARE(answers.load(), 1);
        QTRY_COMPARE(token.use_count(), 1L);
    }

    void tcpCandidatesAreTheOnesHeld() {
        QVERIFY(IceTcpHold::isTcp(
            QStringLiteral("candidate:4 1 TCP 1015022079 192.0.2.2 9 typ host tcptype active")));
        QVERIFY(IceTcpHold::isTcp(
            QStringLiteral("a=candidate:5 1 tcp 1010827775 192.0.2.2 40437 typ host tcptype passive")));
        QVERIFY(!IceTcpHold::isTcp(QStringLiteral("candidate:1 1 UDP 2015363327 192.0.2.2 45123 typ host")));
        QVERIFY(!IceTcpHold::isTcp(QStringLiteral("candidate:1 1 udp 2015363327 192.0.2.2 45123 typ host")));
        QVERIFY(!IceTcpHold::isTcp(QString()));
        QVERIFY(!IceTcpHold::isTcp(QStringLiteral("tcp")));
    }

    // UDP gets IceTcpHold::kHeadStartMs; then the peer's TCP candidates go to webrtcbin after all.
    void tcpCandidatesWaitForTheHeadStartWhenTheCallHasNotConnected() {
        IceTcpHold hold;
        QSignalSpy released(&hold, &IceTcpHold::release);
        const protocol::IceCandidate udp{
            QStringLiteral("candidate:1 1 UDP 2015363327 192.0.2.2 45123 typ host"), QStringLiteral("0"), 0};
        const protocol::IceCandidate tcp{
            QStringLiteral("candidate:5 1 TCP 1010827775 192.0.2.2 40437 typ host tcptype passive"),
            QStringLiteral("0"), 0};
        QVERIFY(!hold.hold(udp));
        QVERIFY(hold.hold(tcp));
        QCOMPARE(hold.heldCount(), 1);
        QTest::qWait(IceTcpHold::kHeadStartMs / 2);
        QCOMPARE(released.size(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(released.size(), 1, IceTcpHold::kHeadStartMs);
        QCOMPARE(released.at(0).at(0).value<protocol::IceCandidate>().candidate, tcp.candidate);
        QCOMPARE(hold.heldCount(), 0);
        QVERIFY(!hold.hold(tcp));  // after the head start, straight through
    }

    void tcpCandidatesAreDroppedOnceTheCallConnects() {
        IceTcpHold hold;
        QSignalSpy released(&hold, &IceTcpHold::release);
        const protocol::IceCandidate tcp{
            QStringLiteral("candidate:5 1 TCP 1010827775 192.0.2.2 40437 typ host tcptype passive"),
            QStringLiteral("0"), 0};
        QVERIFY(hold.hold(tcp));
        hold.connected();
        QCOMPARE(hold.heldCount(), 0);
        QVERIFY(hold.hold(tcp));  // held for good: not needed
        QCOMPARE(hold.heldCount(), 0);
        QTest::qWait(IceTcpHold::kHeadStartMs + 200);
        QCOMPARE(released.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCallSessionParts)
#include "tst_callsessionparts.moc"
