// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/RetransmissionRequests.h"

#include "util/GstPtr.h"
#include "util/Logging.h"
#include "util/SharedProbe.h"

#include <algorithm>
#include <cstdlib>

namespace confab {

namespace {

constexpr char kRequest[] = "GstRTPRetransmissionRequest";
// A new round trip is applied to the jitter buffers when it differs by at least this much.
constexpr int kRoundTripStepMs = 5;

bool isAudio(GstPad *pad) {
    GstCapsPtr caps(gst_pad_get_current_caps(pad));
    if (!caps || gst_caps_is_empty(caps.get())) {
        return false;
    }
    const gchar *media = gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "media");
    return media && g_str_equal(media, "audio");
}

}  // namespace

int RetransmissionRequests::retryTimeoutMs(int roundTripMs) {
    // A round trip of seconds (one early report gave 1,526 s) would stop the requests altogether.
    return std::min(roundTripMs < 0 ? kUnknownRoundTripMs : roundTripMs, kLongestRoundTripMs) + kRetryMarginMs;
}

void RetransmissionRequests::applyRetryTimeout(GstElement *jitterBuffer, int roundTripMs) {
    // rtx-min-retry-timeout would otherwise be the packet spacing (a frame interval for video).
    g_object_set(jitterBuffer, "rtx-retry-timeout", gint(retryTimeoutMs(roundTripMs)),
                 "rtx-min-retry-timeout", gint(kRetryMarginMs / 3), nullptr);
}

void RetransmissionRequests::watch(GstElement *jitterBuffer) {
    GObjectClass *type = G_OBJECT_GET_CLASS(jitterBuffer);
    for (const char *property : {"rtx-delay", "rtx-retry-timeout", "rtx-min-retry-timeout"}) {
        if (!g_object_class_find_property(type, property)) {
            qCWarning(lcCall) << "jitter buffer without" << property
                              << "- its own retransmission timing stays";
            return;
        }
    }
    g_object_set(jitterBuffer, "rtx-delay", gint(kFirstRequestMs), nullptr);
    {
        std::lock_guard guard(lock_);
        applyRetryTimeout(jitterBuffer, roundTripMs_.load());
        jitterBuffers_.push_back(std::make_unique<Watched>(jitterBuffer));
    }
    GstPtr<GstPad> sink(gst_element_get_static_pad(jitterBuffer, "sink"));
    if (!sink) {
        qCWarning(lcCall) << "jitter buffer without a sink pad: its requests go out as it makes them";
        return;
    }
    addSharedProbe(sink.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &RetransmissionRequests::probe,
                   shared_from_this());
}

void RetransmissionRequests::setRoundTripMs(int roundTripMs) {
    roundTripMs_ = roundTripMs;
    std::lock_guard guard(lock_);
    // appliedRoundTripMs_ < 0: the buffers still wait kUnknownRoundTripMs, which any measured round
    // trip replaces (a LAN's 1-3 ms once never differed enough from -1, and with the unknown timing
    // a 131 ms buffer had room for one request only).
    if (roundTripMs < 0 ||
        (appliedRoundTripMs_ >= 0 && std::abs(roundTripMs - appliedRoundTripMs_) < kRoundTripStepMs)) {
        return;
    }
    appliedRoundTripMs_ = roundTripMs;
    for (const std::unique_ptr<Watched> &watched : jitterBuffers_) {
        if (GstPtr<GstElement> jitterBuffer(static_cast<GstElement *>(g_weak_ref_get(&watched->ref)));
            jitterBuffer) {
            applyRetryTimeout(jitterBuffer.get(), roundTripMs);
        }
    }
}

bool RetransmissionRequests::rewrite(GstEvent **event, bool audio, int roundTripMs) {
    if (GST_EVENT_TYPE(*event) != GST_EVENT_CUSTOM_UPSTREAM || !gst_event_has_name(*event, kRequest)) {
        return true;
    }
    if (audio) {
        return false;
    }
    guint averageMs = 0;
    if (roundTripMs < 0 || !gst_structure_get_uint(gst_event_get_structure(*event), "avg-rtt", &averageMs) ||
        averageMs <= guint(roundTripMs)) {
        return true;
    }
    *event = gst_event_make_writable(*event);
    gst_structure_set(gst_event_writable_structure(*event), "avg-rtt", G_TYPE_UINT, guint(roundTripMs),
                      nullptr);
    return true;
}

GstPadProbeReturn RetransmissionRequests::probe(GstPad *pad, GstPadProbeInfo *info, gpointer self) {
    const auto &requests = *static_cast<std::shared_ptr<RetransmissionRequests> *>(self);
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_UPSTREAM) {
        return GST_PAD_PROBE_OK;
    }
    if (!rewrite(&event, gst_event_has_name(event, kRequest) && isAudio(pad), requests->roundTripMs())) {
        return GST_PAD_PROBE_DROP;
    }
    GST_PAD_PROBE_INFO_DATA(info) = event;
    return GST_PAD_PROBE_OK;
}

}  // namespace confab
