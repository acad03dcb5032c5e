// libsoup 3.2 calls g_debug() for every WebSocket frame it queues, sends and receives, and GLib 2.74
// formats each such message (vasprintf, then getenv("G_MESSAGES_DEBUG")) before it finds that debug
// output is off: about a fifth of the bench's CPU per relayed message. This g_log() takes precedence
// over GLib's for every library in the process (ELF symbol interposition: libsoup calls it through
// its PLT) and drops debug messages at once unless G_MESSAGES_DEBUG is set. Everything else goes on
// to g_logv() exactly as before. The server under test is not affected: it is another process.
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
