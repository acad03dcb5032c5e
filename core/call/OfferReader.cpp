// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/OfferReader.h"

#include "media/TransportCcExtension.h"

#include <QString>

namespace confab {

namespace {

struct Format {
    int payloadType = -1;
    QString name;
    QString fmtp;
};

QList<Format> formats(const GstSDPMedia *media) {
    QList<Format> result;
    for (guint i = 0;; ++i) {
        const char *rtpmap = gst_sdp_media_get_attribute_val_n(media, "rtpmap", i);
        if (!rtpmap) {
            break;
        }
        const QString value = QString::fromUtf8(rtpmap);
        const qsizetype space = value.indexOf(QLatin1Char(' '));
        Format format;
        format.payloadType = value.left(space).toInt();
        format.name = value.mid(space + 1).section(QLatin1Char('/'), 0, 0).toUpper();
        result.append(format);
    }
    for (guint i = 0;; ++i) {
        const char *fmtp = gst_sdp_media_get_attribute_val_n(media, "fmtp", i);
        if (!fmtp) {
            break;
        }
        const QString value = QString::fromUtf8(fmtp);
        const int payloadType = value.section(QLatin1Char(' '), 0, 0).toInt();
        for (Format &format : result) {
            if (format.payloadType == payloadType) {
                format.fmtp = value.section(QLatin1Char(' '), 1);
            }
        }
    }
    return result;
}

bool peerWillNotReceive(const GstSDPMedia *media) {
    // Port 0 rejects an m-line, except with bundle-only (max-bundle offers from webrtcbin do that).
    const bool rejected = gst_sdp_media_get_port(media) == 0 && !gst_sdp_media_get_attribute_val(media, "bundle-only");
    return rejected || gst_sdp_media_get_attribute_val(media, "sendonly") ||
           gst_sdp_media_get_attribute_val(media, "inactive");
}

int findPayloadType(const QList<Format> &list, const char *name, const char *fmtpMust = nullptr) {
    for (const Format &format : list) {
        if (format.name == QLatin1StringView(name) &&
            (!fmtpMust || format.fmtp.contains(QLatin1StringView(fmtpMust)))) {
            return format.payloadType;
        }
    }
    return -1;
}

}  // namespace

std::optional<SendFormat> OfferReader::sendFormat(const GstSDPMessage *offer, VideoCodec preferred) {
    SendFormat format;
    format.sendAudio = false;
    format.sendVideo = false;
    for (guint i = 0; i < gst_sdp_message_medias_len(offer); ++i) {
        const GstSDPMedia *media = gst_sdp_message_get_media(offer, i);
        const QList<Format> list = formats(media);
        if (g_strcmp0(gst_sdp_media_get_media(media), "audio") == 0 && !format.sendAudio) {
            const int opus = findPayloadType(list, "OPUS");
            if (opus >= 0 && !peerWillNotReceive(media)) {
                format.opusPayloadType = opus;
                format.sendAudio = true;
                format.audioTransportCcId = TransportCcExtension::idIn(media);
            }
        } else if (g_strcmp0(gst_sdp_media_get_media(media), "video") == 0 && !format.sendVideo) {
            if (peerWillNotReceive(media)) {
                continue;
            }
            const int vp8 = findPayloadType(list, "VP8");
            // Constrained baseline in packetization mode 1 is what every browser decodes.
            int h264 = findPayloadType(list, "H264", "packetization-mode=1;profile-level-id=42e01f");
            if (h264 < 0) {
                h264 = findPayloadType(list, "H264", "profile-level-id=42e01f");
            }
            if (h264 < 0) {
                h264 = findPayloadType(list, "H264", "42e0");
            }
            const bool useH264 = h264 >= 0 && (preferred == VideoCodec::H264 || vp8 < 0);
            if (useH264 || vp8 >= 0) {
                format.videoCodec = useH264 ? VideoCodec::H264 : VideoCodec::VP8;
                format.videoPayloadType = useH264 ? h264 : vp8;
                format.sendVideo = true;
                format.videoTransportCcId = TransportCcExtension::idIn(media);
            }
        }
    }
    if (!format.sendAudio && !format.sendVideo) {
        return std::nullopt;
    }
    return format;
}

QStringList OfferReader::mids(const GstSDPMessage *sdp) {
    QStringList result;
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
        const char *mid = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, i), "mid");
        result.append(QString::fromUtf8(mid ? mid : ""));
    }
    return result;
}

}  // namespace confab
