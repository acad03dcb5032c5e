// SPDX-License-Identifier: GPL-3.0-or-later
// A trickled ICE candidate string: inside a candidate message (the server's length check scans the
// inner object again; clients decode it) and as an `a=candidate:` line of a remote description.
#include "call/OfferReader.h"
#include "protocol/FrameScanner.h"
#include "protocol/MessageCodec.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include <cstddef>
#include <cstdint>

using namespace confab::protocol;

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
    gst_init(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const QByteArray candidate(reinterpret_cast<const char *>(data), qsizetype(size));
    const QByteArray frame = R"({"type":"candidate","name":"bob","candidate":{"candidate":")" + candidate +
                             R"(","sdpMid":"0","sdpMLineIndex":0}})";
    ProtocolError error;
    if (std::optional<FrameScanner> scanned = FrameScanner::scan(frame, JsonLimits{}, &error)) {
        if (const FrameScanner::Member *inner = scanned->member("candidate")) {
            if (inner->kind == FrameScanner::Kind::Object) {
                const QByteArrayView object = QByteArrayView(frame).sliced(inner->begin, inner->end - inner->begin);
                if (std::optional<FrameScanner> innerScan = FrameScanner::scan(object, JsonLimits{}, &error)) {
                    (void)innerScan->string("candidate");
                }
            }
        }
    }
    (void)MessageCodec::decode(frame);

    const QByteArray sdp = "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 97\r\n"
                           "a=mid:0\r\na=rtpmap:97 OPUS/48000/2\r\na=candidate:" +
                           candidate + "\r\n";
    GstSDPMessage *message = nullptr;
    gst_sdp_message_new(&message);
    if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8 *>(sdp.constData()), guint(sdp.size()), message) ==
        GST_SDP_OK) {
        (void)confab::OfferReader::mids(message);
        (void)confab::OfferReader::sendFormat(message, confab::VideoCodec::VP8);
    }
    gst_sdp_message_free(message);
    return 0;
}
