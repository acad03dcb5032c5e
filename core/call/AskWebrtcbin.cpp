// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/AskWebrtcbin.h"

namespace confab {

void askWebrtcbin(GstElement *webrtc, const char *signal, gpointer argument,
                  std::function<void(const GstStructure *reply)> onReply) {
    using Handler = std::function<void(const GstStructure *)>;
    GstPromise *promise = gst_promise_new_with_change_func(
        [](GstPromise *p, gpointer handler) { (*static_cast<Handler *>(handler))(gst_promise_get_reply(p)); },
        new Handler(std::move(onReply)), [](gpointer handler) { delete static_cast<Handler *>(handler); });
    g_signal_emit_by_name(webrtc, signal, argument, promise);
    gst_promise_unref(promise);
}

}  // namespace confab
