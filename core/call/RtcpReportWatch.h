// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <QtGlobal>

#include <atomic>
#include <memory>

namespace confab {

// Checks the assumption WebRtcBinSetup::reportEverySecond's RTCP settings rest on: that the regular
// RTCP reports keep going out about once a second beside the early feedback packets (NACKs,
// transport-wide feedback). Only regular reports carry report blocks, and the peer measures the
// round trip and the loss from them. rtpsession 1.22 sends an early packet, without report blocks,
// in place of a regular report that falls due while an early one is pending, and then waits a whole
// reporting interval again; so while early packets are pending most of the time, the regular reports
// stop. Shared by the call (main thread) and rtpsession's signal handler (its RTCP thread).
class RtcpReportWatch {
public:
    // Watches what `rtpSession` (an RTPSession: a gstrtpsession's internal-session) sends from now on.
    static void watch(GObject *rtpSession, const std::shared_ptr<RtcpReportWatch> &watch);

    // A compound RTCP packet going out at monotonic time `nowUs` (g_get_monotonic_time()).
    void noteSent(GstBuffer *buffer, gint64 nowUs);
    // Milliseconds at `nowUs` since the last packet with report blocks went out, or since the watch
    // began when none has; -1 while nothing is watched.
    qint64 msSinceReport(gint64 nowUs) const;
    // Packets without report blocks sent since the last one with.
    quint64 packetsSinceReport() const { return packetsSinceReport_.load(); }

    // Whether a compound RTCP packet carries report blocks (an SR or RR with at least one).
    static bool carriesReportBlocks(GstBuffer *buffer);

    // What check() saw change: reports missing for longer than kMissingAfterMs, or going out again.
    enum class Change { None, Stopped, Resumed };
    static constexpr qint64 kMissingAfterMs = 5000;
    // Looks at `nowUs` (the call does once a second, from one thread) and logs a warning when the
    // reports stop, since the round trip and the loss figures then go stale, and a line when they
    // resume.
    Change check(gint64 nowUs);

private:
    bool missing_ = false;  // check()'s own state
    std::atomic<gint64> lastReportUs_{-1};
    std::atomic<quint64> packetsSinceReport_{0};
};

}  // namespace confab
