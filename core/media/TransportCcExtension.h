// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GstPtr.h"

namespace confab {

// The transport-wide congestion control RTP header extension (draft-holmer-rmcat-transport-wide-cc-
// extensions-01): a sequence number across all of a call's streams in every packet we send, which
// the peer reports back (receive times, losses) for BandwidthEstimator. webrtcbin 1.22 advertises
// transport-cc feedback in every description but numbers nothing until the extension is on the
// payloader; its id must be the one in the offer when answering, or the answer turns recvonly.
class TransportCcExtension {
public:
    static constexpr char kUri[] = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    // What we offer (and what browsers use too).
    static constexpr int kOfferedId = 3;

    // Adds the extension with `id` to an RTP payloader; false (logged) when GStreamer lacks it.
    static bool addTo(GstElement *payloader, int id);
    // The extension's id in one m-line of a description; 0 when the m-line does not have it.
    static int idIn(const GstSDPMedia *media);
};

}  // namespace confab
