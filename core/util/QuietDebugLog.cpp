// SPDX-License-Identifier: GPL-3.0-or-later
// libsoup 3.2 calls g_debug() for every WebSocket frame it queues, sends and receives, and GLib 2.74
// formats each such message (vasprintf, then getenv("G_MESSAGES_DEBUG")) before it finds that debug
// output is off: about a fifth of the signaling bench's CPU per relayed message, and as much work
// again in the server, which receives and sends each message too. This g_log() takes precedence over
// GLib's for every library in the process (ELF symbol interposition: libsoup calls it through its
// PLT) and drops debug messages at once unless G_MESSAGES_DEBUG is set. Everything else goes on to
// g_logv() exactly as before.
//
// Not part of confab-core: interposition needs the definition in the executable itself, so
// confab-server and bench/signaling-load list this file among their own sources.
#include <glib.h>

#include <cstdarg>
#include <cstdlib>

extern "C" void g_log(const gchar *domain, GLogLevelFlags level, const gchar *format, ...) {
    static const bool debugWanted = std::getenv("G_MESSAGES_DEBUG") != nullptr;
    if ((level & G_LOG_LEVEL_MASK) == G_LOG_LEVEL_DEBUG && !debugWanted) {
        return;
    }
    va_list args;
    va_start(args, format);
    g_logv(domain, level, format, args);
    va_end(args);
}
