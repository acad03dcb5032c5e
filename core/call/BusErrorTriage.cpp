// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/BusErrorTriage.h"

#include "media/ScreenShareBranch.h"
#include "util/GLibPtr.h"

namespace confab {

BusErrorTriage::Error BusErrorTriage::classify(GstMessage *message) {
    Error error;
    GError *rawError = nullptr;
    gchar *rawDebug = nullptr;
    gst_message_parse_error(message, &rawError, &rawDebug);
    const GErrorPtr errorOwner(rawError);
    const GCharPtr debugOwner(rawDebug);
    error.message = QString::fromUtf8(rawError ? rawError->message : "unknown error");
    error.debug = QString::fromUtf8(rawDebug ? rawDebug : "");
    error.source = QString::fromUtf8(message->src ? GST_OBJECT_NAME(message->src) : "?");
    if (message->src && ScreenShareBranch::isShareElement(message->src)) {
        error.kind = Kind::ScreenShare;
    } else if (message->src && G_IS_OBJECT(message->src)) {
        const gchar *type = G_OBJECT_TYPE_NAME(message->src);
        if (g_str_equal(type, "GstSctpEnc") || g_str_equal(type, "GstSctpDec")) {
            error.kind = Kind::ChatTransport;
        }
    }
    return error;
}

}  // namespace confab
