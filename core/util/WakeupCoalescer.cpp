// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/WakeupCoalescer.h"

#include <algorithm>

namespace confab {

namespace {

// A GLib poll function has no user data: the coalescer of the context this thread iterates.
thread_local WakeupCoalescer *current = nullptr;

}  // namespace

WakeupCoalescer::WakeupCoalescer(GMainContext *context, std::chrono::microseconds maxDelay)
    : context_(context), maxDelay_(maxDelay.count()) {
    if (maxDelay_ <= 0 || current) {
        return;  // one per thread: a second would chain into itself
    }
    current = this;
    previous_ = g_main_context_get_poll_func(context_);
    g_main_context_set_poll_func(context_, &WakeupCoalescer::poll);
}

WakeupCoalescer::~WakeupCoalescer() {
    if (previous_) {
        g_main_context_set_poll_func(context_, previous_);
        current = nullptr;
    }
}

gint64 WakeupCoalescer::delayBeforePoll(gint64 now, gint timeoutMs) {
    if (lastWake_ > 0) {
        // Dispatching what the last poll found, then this iteration's walk over the sources.
        averageWork_ = (averageWork_ * 7 + (now - lastWake_)) / 8;
    }
    // timeoutMs 0: a source is ready already, so waiting gains nothing.
    const gint64 delay = std::min(averageWork_, maxDelay_);
    return timeoutMs != 0 && delay >= kWorthWaitingMicroseconds ? delay : 0;
}

gint WakeupCoalescer::poll(GPollFD *fds, guint count, gint timeoutMs) {
    WakeupCoalescer *self = current;
    if (!self) {
        return g_poll(fds, count, timeoutMs);
    }
    const GPollFunc previous = self->previous_;
    const gint64 delay = self->delayBeforePoll(g_get_monotonic_time(), timeoutMs);
    if (delay > 0) {
        g_usleep(gulong(delay));
        if (timeoutMs > 0) {  // a timer due meanwhile still fires on time, give or take the delay
            timeoutMs = std::max<gint>(0, timeoutMs - gint(delay / 1000));
        }
    }
    const gint result = previous(fds, count, timeoutMs);
    self->pollReturned(g_get_monotonic_time());
    return result;
}

}  // namespace confab
