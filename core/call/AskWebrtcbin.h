// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <functional>

namespace confab {

// Emits one of webrtcbin's action signals that answer through a GstPromise (`create-offer`,
// `create-answer`, `set-remote-description`, `get-stats`) with `argument` before the promise, and
// calls `onReply` with the reply on the thread that gives it (webrtcbin's own: copy what is needed
// and post it to the main thread).
//
// The promise is not ours to keep. webrtcbin 1.22 takes a reference of its own with the task, and
// when it is closed before the task runs (a call hung up while a stats request or an offer was
// queued) it drops the task without replying: a reply handler that owned the promise never ran,
// and the promise leaked (LeakSanitizer, tst_callflows::hangingUpAtAnyMomentNeverHangs). So our
// reference goes as soon as the signal is emitted, and `onReply` is destroyed with the promise,
// whether it ran or not.
void askWebrtcbin(GstElement *webrtc, const char *signal, gpointer argument,
                  std::function<void(const GstStructure *reply)> onReply);

}  // namespace confab
