// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSize>
#include <QString>

#include <gst/gst.h>

namespace confab {

// One second of a call in figures, as shown in the statistics overlay and `confab-call --json`.
struct CallStats {
    double sendKbps = 0;
    double receiveKbps = 0;
    double roundTripMs = -1;  // -1: not known yet
    double lossPercent = 0;   // of the peer's packets over the last interval, lost on the way (repaired or not)
    double jitterMs = 0;
    QSize receivedResolution;
    double receivedFps = 0;
    QString videoCodec;
    QString audioCodec;
    QString path;  // "host", "srflx" (server-reflexive), "relay", or empty when unknown
    // The peer's candidate in the same selected pair: with a relay on one side only, the other side
    // sends from a host candidate to the relay, so `path` alone says "host" on that side.
    QString remotePath;
    // The selected pair's transport: "udp", or "tcp" when ICE chose a TCP pair (libnice offers
    // ICE-TCP candidates; over TCP the network's loss is repaired below RTP and shows as delay).
    QString transport;
    int sendBitrateKbps = 0;  // the video encoder's target
    quint64 videoFramesReceived = 0;  // decoded and handed to the picture: frames rendered
    quint64 audioBuffersReceived = 0;
    // What the person here saw and heard of the other side (since the call began): freezes as
    // webrtc-stats counts them (FreezeCounter), and the share of their audio that was concealed.
    quint64 freezeCount = 0;
    double totalFreezeMs = 0;
    QList<int> recentFreezesMs;  // each freeze that ended during the last interval

    double audioConcealedPercent = 0;
    // The send side: how much the network is estimated to carry (BandwidthEstimator), what the
    // peer reports losing of ours in the last interval (-1: not reported yet).
    int estimateKbps = 0;
    double remoteLossPercent = -1;
};

// What the receive side counted so far (RemoteMedia), read on the main thread.
struct ReceiveCounters {
    quint64 videoFrames = 0;
    quint64 audioBuffers = 0;
    QSize videoSize;
    QString videoCodec;  // "VP8", "H264", or empty before the first video
    quint64 freezes = 0;
    double totalFreezeMs = 0;
    double audioConcealedPercent = 0;
};

// Cumulative counters read from one webrtcbin `get-stats` reply (on webrtcbin's thread).
struct RawStats {
    qint64 monotonicMs = 0;
    quint64 bytesSent = 0;
    quint64 bytesReceived = 0;
    quint64 packetsReceived = 0;
    // webrtcbin 1.22's "packets-lost" is what its jitter buffer gave up on, after retransmissions;
    // the packets retransmissions repaired were lost on the way too.
    qint64 packetsLost = 0;
    quint64 packetsRepaired = 0;
    double jitterSeconds = 0;
    double roundTripSeconds = -1;
    double remoteFractionLost = -1;  // what the other side reports losing of ours
    QString localCandidateAddress;   // of the selected pair
    int localCandidatePort = 0;
    QString localCandidateProtocol;  // "udp", or "tcp" for an ICE-TCP pair
    QString remoteCandidateAddress;
    int remoteCandidatePort = 0;

    // rtpsession's own count of the peer's packets, all its streams (retransmissions too): those
    // that arrived and those that never did (RFC 3550's expected less received). -1: unknown.
    qint64 networkPacketsReceived = -1;
    qint64 networkPacketsLost = -1;

    static RawStats fromReply(const GstStructure *reply);
    // Adds the network counts from the RTP session of `webrtc` (bundled: session 0). Main thread.
    void addSessionCounts(GstElement *webrtc);
    // Takes the round trip and loss of the last report block one of the peer's sources sent about
    // our streams (an rtpsource's "stats"), where larger than what is known already.
    void takeReportBlock(const GstStructure *remoteSource);
};

}  // namespace confab
