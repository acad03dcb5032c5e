// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/LocalMedia.h"
#include "util/GstPtr.h"

#include <QStringList>

namespace confab {

// Reads what an answerer must follow from a remote offer: which kinds to send and with which
// payload types. Answering with other payload types makes webrtcbin 1.22 answer recvonly.
class OfferReader {
public:
    // Empty when the offer has neither Opus audio nor VP8/H.264 video we can send.
    static std::optional<SendFormat> sendFormat(const GstSDPMessage *offer, VideoCodec preferred);
    // The mid of each m-line, in order (for sdpMid on our candidates).
    static QStringList mids(const GstSDPMessage *sdp);
};

}  // namespace confab
