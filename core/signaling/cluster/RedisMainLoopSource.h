// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

struct redisAsyncContext;

namespace confab {

// Drives a hiredis asynchronous context from a GMainContext (the thread's default one, which both
// libsoup and Qt's GLib event dispatcher run): reads and writes happen when its socket is ready.
//
// Not hiredis/adapters/glib.h: that adapter's dispatch calls redisAsyncHandleRead after
// redisAsyncHandleWrite even when the write found the connection broken and hiredis freed the
// context meanwhile, a use after free whenever Redis goes away with a command outstanding.
// Here hiredis's cleanup hook clears the context pointer, and dispatch checks it between the two.
class RedisMainLoopSource {
public:
    // Attaches `context` (before any command or connect callback is set, as hiredis then asks for
    // its first write event) and returns the source; the caller destroys and unrefs it (GSourcePtr)
    // once hiredis has freed the context.
    static GSource *attach(redisAsyncContext *context, GMainContext *main);
};

}  // namespace confab
