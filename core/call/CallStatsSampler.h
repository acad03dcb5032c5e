// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallStats.h"
#include "call/CandidateTypes.h"
#include "util/GstPtr.h"

#include <QObject>
#include <QTimer>

namespace confab {

class RemoteMedia;

// The call in figures, once a second: webrtcbin's `get-stats` (answered on webrtcbin's thread,
// copied into a RawStats and posted here) and what RemoteMedia counted, turned into CallStats.
// Main thread.
class CallStatsSampler : public QObject {
    Q_OBJECT
public:
    explicit CallStatsSampler(QObject *parent = nullptr);
    ~CallStatsSampler() override;

    // Starts sampling `webrtc`, with the receive side's counters from `remote` (which must outlive
    // the sampling: stop() first).
    void start(GstElement *webrtc, RemoteMedia *remote);
    void stop();

    // The candidates of the call, to name the selected pair's path.
    CandidateTypes &localCandidates() { return localCandidates_; }
    CandidateTypes &remoteCandidates() { return remoteCandidates_; }

    // One second's figures from two consecutive replies (`previous` null for the first).
    static CallStats between(const RawStats *previous, const RawStats &current, const ReceiveCounters *previousCounters,
                             const ReceiveCounters &counters);

Q_SIGNALS:
    // `stats` lacks what the send side decides (the target bitrate): CallSession adds it.
    void sampled(const confab::RawStats &raw, const confab::CallStats &stats);

private:
    void request();
    void arrived(RawStats raw);

    GstPtr<GstElement> webrtc_;
    RemoteMedia *remote_ = nullptr;
    QTimer timer_;
    bool havePrevious_ = false;
    RawStats previous_;
    ReceiveCounters previousCounters_;
    CandidateTypes localCandidates_;
    CandidateTypes remoteCandidates_;
};

}  // namespace confab
