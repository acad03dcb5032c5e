// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GstPtr.h"

#include <QString>

namespace confab {

// Session descriptions between the wire's text and webrtcbin's structures.
class SdpText {
public:
    static QString toText(const GstWebRTCSessionDescription *description);
    // Null when `sdp` does not parse or has no media section.
    static GstSessionDescriptionPtr parse(const QString &sdp, GstWebRTCSDPType type);
};

}  // namespace confab
