// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <gst/gst.h>

namespace confab {

// Sorts an error a call's pipeline posts on its bus by what it means for the call.
class BusErrorTriage {
public:
    enum class Kind {
        // The screen share's capture failed (display gone, portal stream closed): the share ends,
        // the camera goes out again and the call goes on.
        ScreenShare = 1,
        // sctpenc/sctpdec: a browser's RTCPeerConnection.close() aborts the data channels' SCTP
        // association, which webrtcbin 1.22 posts as an error, often before the peer's leave
        // arrives by the server. That is the peer going, not our media failing: only chat is
        // lost; the leave (or the silence watch) ends the call.
        ChatTransport,
        // Anything else: our media failed and the call cannot go on.
        Fatal,
    };

    struct Error {
        Kind kind = Kind::Fatal;
        QString source;   // the posting element's name
        QString message;  // GError's message
        QString debug;    // GStreamer's debug detail, may be empty
    };

    // `message` must be a GST_MESSAGE_ERROR.
    static Error classify(GstMessage *message);
};

}  // namespace confab
