// SPDX-License-Identifier: GPL-3.0-or-later
// Run by tst_peerfailure, not by ctest: test functions that must fail, each waiting with a bound of
// two minutes for something that does not come while one of its TestPeers goes wrong. Each must
// fail at once (PeerFailureWatch), saying what went wrong, instead of at the bound.
#include "InProcessCall.h"
#include "ServerTestCase.h"
#include "TestPeer.h"
#include "TestTime.h"

#include "util/GstPtr.h"

#include <QTest>

using namespace confab;

namespace {

// Scaled, as tst_callflows' (the sanitized run is several times slower).
const int kTimeoutMs = scaled(15000);
const int kBoundMs = scaled(120000);

// The video sink of `peer`'s calls posts an error on its first frame.
void breakVideoSinkOf(TestPeer &peer) {
    const RemoteMedia::SinkFactory sinks = peer.controller->settings().sinks;
    peer.controller->settings().sinks = [sinks](MediaKind kind) -> GstElement * {
        GstElement *bin = sinks(kind);
        if (kind == MediaKind::Video) {
            GstPtr<GstElement> sink(gst_bin_get_by_name(GST_BIN(bin), "sink"));
            GstPtr<GstPad> pad(gst_element_get_static_pad(sink.get(), "sink"));
            gst_pad_add_probe(
                pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
                [](GstPad *p, GstPadProbeInfo *, gpointer) {
                    GstPtr<GstElement> element(gst_pad_get_parent_element(p));
                    GST_ELEMENT_ERROR(element.get(), STREAM, FAILED, ("the sink broke on purpose"),
                                      (nullptr));
                    return GST_PAD_PROBE_REMOVE;
                },
                nullptr, nullptr);
        }
        return bin;
    };
}

}  // namespace

class FailingPeerWaits : public ServerTestCase {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        startServer();
    }

    void pipelineErrorDuringACall() {
        TestPeer alice(QStringLiteral("alice"), url());
        TestPeer bob(QStringLiteral("bob"), url());
        breakVideoSinkOf(alice);
        QVERIFY(InProcessCall::waitSignedIn(alice, kTimeoutMs) &&
                InProcessCall::waitSignedIn(bob, kTimeoutMs));
        QVERIFY(InProcessCall::connect(alice, bob, kTimeoutMs));
        QTRY_VERIFY_WITH_TIMEOUT(alice.videoFrames > 1000000, kBoundMs);
    }

    void nameRefusedByTheServer() {
        TestPeer alice(QStringLiteral("alice"), url());
        QVERIFY(InProcessCall::waitSignedIn(alice, kTimeoutMs));
        TestPeer another(QStringLiteral("alice"), url());
        QTRY_COMPARE_WITH_TIMEOUT(another.client.state(), SignalingClient::State::LoggedIn, kBoundMs);
    }
};

QTEST_GUILESS_MAIN(FailingPeerWaits)
#include "FailingPeerWaits.moc"
