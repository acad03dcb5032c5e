// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

#include <chrono>

namespace confab {

// Makes a busy GLib main loop serve several clients' input per iteration instead of one.
//
// Every iteration of a GLib main loop walks all of its sources twice and polls all of their
// descriptors: with a thousand WebSocket connections (libsoup keeps a source and a keep-alive timer
// for each) that is ~70 µs before the first message is read. At a steady 10,000 messages a second
// each message then arrives on a wake-up of its own, and the walks, not the messages, keep the
// server near a full core, where queueing makes the slowest messages wait for milliseconds. Before
// blocking in poll() this waits as long as recent iterations took, up to `maxDelay`, so that what
// arrives meanwhile is served by one walk: at most that much latency, and only when iterations are
// costly enough for it to matter. An idle loop, or one whose iterations are cheap, blocks at once.
class WakeupCoalescer {
public:
    // Installs the poll function on `context`, which only the calling thread may iterate while
    // this object lives. `maxDelay` 0 leaves the context alone.
    WakeupCoalescer(GMainContext *context, std::chrono::microseconds maxDelay);
    ~WakeupCoalescer();
    WakeupCoalescer(const WakeupCoalescer &) = delete;
    WakeupCoalescer &operator=(const WakeupCoalescer &) = delete;

    // The policy, apart from the clock so that it can be tested: the microseconds to wait before
    // a poll entered at `now` (monotonic µs) with GLib's `timeoutMs`, and the poll's return.
    gint64 delayBeforePoll(gint64 now, gint timeoutMs);
    void pollReturned(gint64 now) { lastWake_ = now; }

    // Iterations cheaper than this are not worth delaying anything for.
    static constexpr gint64 kWorthWaitingMicroseconds = 20;

private:
    static gint poll(GPollFD *fds, guint count, gint timeoutMs);

    GMainContext *context_;
    GPollFunc previous_ = nullptr;
    gint64 maxDelay_;
    gint64 lastWake_ = 0;     // when the last poll returned
    gint64 averageWork_ = 0;  // of the time from a poll's return to the next poll: the iteration
};

}  // namespace confab
