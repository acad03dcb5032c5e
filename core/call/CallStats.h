// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSize>
#include <QString>

#include <gst/gst.h>

namespace confab {

// One second of a call in figures, as shown in the statistics overlay and `confab-call --json`.
struct CallStats {
    double sendKbps = 0;
    double receiveKbps = 0;
    double roundTripMs = -1;  // -1: not known yet
    double lossPercent = 0;   // of packets we should have received
    double jitterMs = 0;
    QSize receivedResolution;
    double receivedFps = 0;
    QString videoCodec;
    QString audioCodec;
    QString path;  // "host", "srflx" (server-reflexive), "relay", or empty when unknown
    // The peer's candidate in the same selected pair: with a relay on one side only, the other side
    // sends from a host candidate to the relay, so `path` alone says "host" on that side.
    QString remotePath;
    int sendBitrateKbps = 0;
    quint64 videoFramesReceived = 0;
    quint64 audioBuffersReceived = 0;
};

// Cumulative counters read from one webrtcbin `get-stats` reply (on webrtcbin's thread).
struct RawStats {
    qint64 monotonicMs = 0;
    quint64 bytesSent = 0;
    quint64 bytesReceived = 0;
    quint64 packetsReceived = 0;
    qint64 packetsLost = 0;
    double jitterSeconds = 0;
    double roundTripSeconds = -1;
    double remoteFractionLost = -1;  // what the other side reports losing of ours
    QString localCandidateAddress;   // of the selected pair
    int localCandidatePort = 0;
    QString remoteCandidateAddress;
    int remoteCandidatePort = 0;

    static RawStats fromReply(const GstStructure *reply);
};

}  // namespace confab
