// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

#include <QString>

namespace confab {

// Everything the server's main-loop shards (ContextShard) assume about GLib beyond its public API,
// in one place, checked once per process before any shard is made.
//
// A GMainContext wakes its poller through a descriptor of its own (GWakeup: an eventfd, or a pipe
// where there is none). The shards poll a context's descriptors from an epoll set instead of
// letting GLib poll them, and rely on GLib to signal that descriptor whenever something changes
// that the epoll set cannot see (G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING: a source attached, a
// descriptor added, a ready time changed); else a shard would sleep through it. They also read it
// empty themselves after a run (as g_wakeup_acknowledge() does), which halves the runs per
// message; for that they must know which descriptor it is, and GLib does not say: a context with
// no sources polls exactly one descriptor, and that is it. Finally, GLib aborts the process
// (g_error) when it cannot get that descriptor for a new context, so a shard is made only when a
// descriptor is free.
//
// check() tries each of these on a context of its own; if one does not hold (a GLib update), the
// server runs without shards (ContextShardSet says what that costs) and says why.
class GLibWakeup {
public:
    // Empty when this GLib behaves as described; otherwise the first assumption that failed, as a
    // sentence. Done once; later calls return the first answer.
    static QString check();

    // The wake-up descriptor of `context`, which must have no sources yet and be acquired by the
    // caller; -1 when it cannot be told.
    static int descriptorOf(GMainContext *context);
    // Reads the wake-up descriptor empty, as g_wakeup_acknowledge() does.
    static void acknowledge(int fd);
    // A new context for a shard (ownerless polling), or null when no descriptor is free for its
    // wake-up (where g_main_context_new() would abort the process).
    static GMainContext *newContext();
};

}  // namespace confab
