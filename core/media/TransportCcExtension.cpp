// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/TransportCcExtension.h"

#include "util/Logging.h"

#include <gst/rtp/gstrtphdrext.h>

#include <QByteArray>
#include <QList>

namespace confab {

bool TransportCcExtension::addTo(GstElement *payloader, int id) {
    GstRTPHeaderExtension *extension = gst_rtp_header_extension_create_from_uri(kUri);
    if (!extension) {
        qCWarning(lcMedia) << "GStreamer has no transport-wide congestion control extension (rtphdrexttwcc);"
                              " the call cannot adapt to the network from its feedback";
        return false;
    }
    GstPtr<GstRTPHeaderExtension> owner(extension);
    gst_rtp_header_extension_set_id(extension, guint(id));
    g_signal_emit_by_name(payloader, "add-extension", extension);
    return true;
}

int TransportCcExtension::idIn(const GstSDPMedia *media) {
    for (guint i = 0;; ++i) {
        const char *extmap = gst_sdp_media_get_attribute_val_n(media, "extmap", i);
        if (!extmap) {
            return 0;
        }
        // "3 http://..." or "3/sendrecv http://..."
        const QList<QByteArray> fields = QByteArray(extmap).split(' ');
        if (fields.size() >= 2 && fields[1] == kUri) {
            bool ok = false;
            const int id = fields[0].split('/').first().toInt(&ok);
            return ok && id >= 1 && id <= 14 ? id : 0;
        }
    }
}

}  // namespace confab
