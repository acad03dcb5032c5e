// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/SdpText.h"

#include "util/GLibPtr.h"

namespace confab {

QString SdpText::toText(const GstWebRTCSessionDescription *description) {
    GCharPtr text(gst_sdp_message_as_text(description->sdp));
    return QString::fromUtf8(text.get());
}

GstSessionDescriptionPtr SdpText::parse(const QString &sdp, GstWebRTCSDPType type) {
    GstSDPMessage *message = nullptr;
    gst_sdp_message_new(&message);
    GstSdpMessagePtr owner(message);
    const QByteArray bytes = sdp.toUtf8();
    if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8 *>(bytes.constData()), guint(bytes.size()),
                                     message) != GST_SDP_OK ||
        gst_sdp_message_medias_len(message) == 0) {
        return nullptr;
    }
    return GstSessionDescriptionPtr(gst_webrtc_session_description_new(type, owner.release()));
}

}  // namespace confab
