// SPDX-License-Identifier: GPL-3.0-or-later
// A remote session description as CallSession reads it: GStreamer's SDP parser, then OfferReader
// (what to send, the mids) and SafetyCode's fingerprint reading.
#include "call/OfferReader.h"
#include "call/SafetyCode.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
    gst_init(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const std::optional<QByteArray> fingerprint = confab::SafetyCode::fingerprint(text);
    if (fingerprint && fingerprint->size() != 32) {
        __builtin_trap();
    }
    (void)confab::SafetyCode::compute(text, text);

    GstSDPMessage *message = nullptr;
    gst_sdp_message_new(&message);
    if (gst_sdp_message_parse_buffer(data, guint(size), message) == GST_SDP_OK) {
        (void)confab::OfferReader::mids(message);
        (void)confab::OfferReader::sendFormat(message, confab::VideoCodec::VP8);
        (void)confab::OfferReader::sendFormat(message, confab::VideoCodec::H264);
    }
    gst_sdp_message_free(message);
    return 0;
}
