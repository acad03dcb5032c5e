// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/TransportFeedback.h"

#include "util/Logging.h"
#include "util/MainThread.h"
#include "util/SharedProbe.h"

namespace confab {

TransportFeedback::TransportFeedback(QObject *parent) : QObject(parent) {
    qRegisterMetaType<std::vector<BandwidthEstimator::Packet>>();
}

TransportFeedback::~TransportFeedback() {
    detach();
}

void TransportFeedback::attach(GstElement *webrtc, std::shared_ptr<RetransmissionBudget> budget) {
    webrtc_ = gstRetained(webrtc);
    budget_ = std::move(budget);
    g_signal_connect(webrtc, "request-aux-sender", G_CALLBACK(onRequestAuxSender), this);
}

void TransportFeedback::detach() {
    if (webrtc_) {
        g_signal_handlers_disconnect_by_data(webrtc_.get(), this);
        webrtc_.reset();
    }
}

GstElement *TransportFeedback::onRequestAuxSender(GstElement *, GObject *, gpointer self) {
    GstElement *tap = gst_element_factory_make("identity", nullptr);
    if (!tap) {
        return nullptr;
    }
    g_object_set(tap, "silent", TRUE, nullptr);
    GstPtr<GstPad> source(gst_element_get_static_pad(tap, "src"));
    gst_pad_add_probe(source.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &TransportFeedback::onUpstreamEvent, self,
                      nullptr);
    if (const auto &budget = static_cast<TransportFeedback *>(self)->budget_) {
        // The probe keeps its own reference: it may run on the send thread until the pipeline stops.
        GstPtr<GstPad> sink(gst_element_get_static_pad(tap, "sink"));
        addSharedProbe(sink.get(),
                       GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                       &RetransmissionBudget::probe, budget);
    }
    qCDebug(lcCall) << "transport-wide feedback tap in place";
    return tap;  // floating: webrtcbin sinks it
}

GstPadProbeReturn TransportFeedback::onUpstreamEvent(GstPad *, GstPadProbeInfo *info, gpointer self) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_UPSTREAM) {
        return GST_PAD_PROBE_OK;
    }
    std::vector<BandwidthEstimator::Packet> packets = packetsOf(gst_event_get_structure(event));
    if (!packets.empty()) {
        postTo(static_cast<TransportFeedback *>(self),
               [packets = std::move(packets)](TransportFeedback *feedback) { Q_EMIT feedback->reportArrived(packets); });
    }
    return GST_PAD_PROBE_OK;
}

std::vector<BandwidthEstimator::Packet> TransportFeedback::packetsOf(const GstStructure *structure) {
    std::vector<BandwidthEstimator::Packet> packets;
    if (!structure || !gst_structure_has_name(structure, "RTPTWCCPackets")) {
        return packets;
    }
    const GValue *list = gst_structure_get_value(structure, "packets");
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS  // rtpsession 1.22 builds the list as a GValueArray
    if (!list || !G_VALUE_HOLDS(list, g_value_array_get_type())) {
        return packets;
    }
    const GValueArray *array = static_cast<const GValueArray *>(g_value_get_boxed(list));
    for (guint i = 0; array && i < array->n_values; ++i) {
        const GValue *value = g_value_array_get_nth(const_cast<GValueArray *>(array), i);
        if (!GST_VALUE_HOLDS_STRUCTURE(value)) {
            continue;
        }
        const GstStructure *packet = gst_value_get_structure(value);
        guint64 localTs = GST_CLOCK_TIME_NONE;
        guint64 remoteTs = GST_CLOCK_TIME_NONE;
        guint size = 0;
        gboolean lost = FALSE;
        gst_structure_get(packet, "local-ts", G_TYPE_UINT64, &localTs, "remote-ts", G_TYPE_UINT64, &remoteTs, "size",
                          G_TYPE_UINT, &size, "lost", G_TYPE_BOOLEAN, &lost, nullptr);
        if (!GST_CLOCK_TIME_IS_VALID(localTs)) {
            continue;  // not one of ours, or sent before the session knew it: no send time
        }
        BandwidthEstimator::Packet p;
        p.sendUs = qint64(localTs / 1000);
        p.receiveUs = lost || !GST_CLOCK_TIME_IS_VALID(remoteTs) ? -1 : qint64(remoteTs / 1000);
        p.bytes = int(size);
        packets.push_back(p);
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    return packets;
}

}  // namespace confab
