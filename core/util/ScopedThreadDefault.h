// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

namespace confab {

// Makes `context` the thread-default main context for a scope, so that the sources GLib and
// libsoup create meanwhile attach to it (ContextShardSet). Null leaves the thread as it is.
class ScopedThreadDefault {
public:
    explicit ScopedThreadDefault(GMainContext *context) : context_(context) {
        if (context_) {
            g_main_context_push_thread_default(context_);
        }
    }
    ~ScopedThreadDefault() {
        if (context_) {
            g_main_context_pop_thread_default(context_);
        }
    }
    ScopedThreadDefault(const ScopedThreadDefault &) = delete;
    ScopedThreadDefault &operator=(const ScopedThreadDefault &) = delete;

private:
    GMainContext *context_;
};

}  // namespace confab
