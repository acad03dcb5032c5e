// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/BandwidthEstimator.h"
#include "call/RetransmissionBudget.h"
#include "util/GstPtr.h"

#include <QObject>

#include <memory>
#include <vector>

namespace confab {

// Transport-wide congestion control feedback as webrtcbin 1.22 hands it to the sender. The peer's
// rtpsession reports which of our packets arrived and when (RTCP transport-cc); ours turns each
// report into an upstream custom event, "RTPTWCCPackets", pushed out of its send sink pad. The
// element webrtcbin asks for with `request-aux-sender` (new in 1.22) sits right before that pad:
// ours is an `identity` with a probe on its source pad that copies every report and posts it to the
// main thread. Nothing arrives unless both sides negotiated the transport-cc header extension
// (TransportCcExtension on our payloaders, the peer's on theirs).
class TransportFeedback : public QObject {
    Q_OBJECT
public:
    explicit TransportFeedback(QObject *parent = nullptr);
    ~TransportFeedback() override;

    // Before webrtcbin makes its sessions: connects to `request-aux-sender`. The same element
    // holds back retransmissions over `budget` (they pass it on their way to the session).
    void attach(GstElement *webrtc, std::shared_ptr<RetransmissionBudget> budget);
    // After the pipeline is at NULL.
    void detach();

    // The packets of one RTPTWCCPackets structure, in its order; empty when it is not one.
    static std::vector<BandwidthEstimator::Packet> packetsOf(const GstStructure *structure);

Q_SIGNALS:
    void reportArrived(const std::vector<confab::BandwidthEstimator::Packet> &packets);

private:
    static GstElement *onRequestAuxSender(GstElement *webrtc, GObject *transport, gpointer self);
    static GstPadProbeReturn onUpstreamEvent(GstPad *, GstPadProbeInfo *info, gpointer self);

    GstPtr<GstElement> webrtc_;
    std::shared_ptr<RetransmissionBudget> budget_;
};

}  // namespace confab
