// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/MediaOptions.h"

#include <functional>

class QObject;

namespace confab {

// Does, once per process and ahead of the first call, the slow first-use work a call would
// otherwise pay while the user waits: loading every GStreamer plugin a call uses, and generating
// the DTLS certificate. GStreamer 1.22's dtls plugin makes one RSA key per process, when the first
// `dtlsdec` is created (about 0.4 s on this project's machine), and keeps it for every later call.
//
// start() runs the work on a background thread and returns at once; a call that starts meanwhile
// simply waits inside GStreamer for the same one-time work (it is guarded by g_once there).
class MediaWarmup {
public:
    // Everything a call may use (the desktop app: either codec, the embedded echo).
    static void start();
    // What a call in `codec` uses (and the echo service's inter elements when `echo`): plugins
    // that stay loaded cost resident memory for the life of the process (docs/performance.md).
    static void start(VideoCodec codec, bool echo);
    // Waits for the background work; call before gst_deinit().
    static void wait();
    // True once the work has finished.
    static bool done();
    // Runs `then` on `context`'s thread once the work has finished (at once, queued, if it has),
    // unless `context` is gone by then.
    static void whenDone(QObject *context, std::function<void()> then);

private:
    enum class Only { Everything, Codec, CodecAndEcho };
    static void start(Only only, VideoCodec codec);
};

}  // namespace confab
