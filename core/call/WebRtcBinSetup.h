// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/RetransmissionRequests.h"
#include "call/RtcpReportWatch.h"
#include "protocol/Message.h"
#include "util/GstPtr.h"

#include <QList>
#include <QString>

#include <memory>

namespace confab {

// Makes and configures the webrtcbin of one call: bundling, the jitter buffers, libnice's agent,
// and the STUN and TURN servers.
class WebRtcBinSetup {
public:
    // Null with *error when webrtcbin is missing. `jitterBufferMs` is webrtcbin's `latency`;
    // `requests` (may be null) times each jitter buffer's retransmission requests.
    static GstPtr<GstElement> make(int jitterBufferMs, const QList<protocol::IceServer> &iceServers,
                                   std::shared_ptr<RetransmissionRequests> requests, QString *error);

    // An RTCIceServer URL as webrtcbin takes it: "stun:host:port" → "stun://host:port", and a TURN
    // server's username and credential percent-encoded into the URL ("turn://user:pass@host:port").
    static QString webrtcbinUrl(const QString &url, const protocol::IceServer &server);
    // Whether any of the servers is a TURN relay.
    static bool hasRelay(const QList<protocol::IceServer> &iceServers);
    // Makes libnice gather its host candidates on 127.0.0.1, which it otherwise never does: for a
    // computer with no other interface up, where a call to a peer on the same computer (the app's
    // own `echo` contact) can still connect. Before ICE gathers; false (and a log line) when it
    // cannot be done here.
    static bool gatherOnLoopback(GstElement *webrtc);
    // What each jitter buffer webrtcbin makes is set to (make() arranges it): it starts once a
    // couple of packets are in, and asks for a packet again only when a gap shows it lost.
    static void configureJitterBuffer(GstElement *jitterBuffer);
    // Regular RTCP reports about once a second (as libwebrtc sends them for video) instead of
    // rtpsession's 2.5 to 7.5 s: the round trip, the peer's loss figure and the jitter buffer's
    // latency come from them, and a bandwidth estimate that learns of loss 5 s late has cut too
    // late. Early feedback (NACKs) may go out a few milliseconds apart, without holding the regular
    // reports back. Once the RTP sessions exist (connected); `watch` (may be null) is told of
    // every RTCP packet sent. The number of sessions it set.
    static int reportEverySecond(GstElement *webrtc, const std::shared_ptr<RtcpReportWatch> &watch);
};

}  // namespace confab
