// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include <memory>

// Owners for GStreamer references, so no function has two unref paths.
namespace confab {

struct GstObjectUnref {
    void operator()(gpointer object) const { gst_object_unref(object); }
};
struct GstCapsUnref {
    void operator()(GstCaps *caps) const { gst_caps_unref(caps); }
};
struct GstPromiseUnref {
    void operator()(GstPromise *promise) const { gst_promise_unref(promise); }
};
struct GstStructureFree {
    void operator()(GstStructure *structure) const { gst_structure_free(structure); }
};
struct GstSdpMessageFree {
    void operator()(GstSDPMessage *message) const { gst_sdp_message_free(message); }
};
struct GstSessionDescriptionFree {
    void operator()(GstWebRTCSessionDescription *description) const {
        gst_webrtc_session_description_free(description);
    }
};

template <typename T>
using GstPtr = std::unique_ptr<T, GstObjectUnref>;
using GstCapsPtr = std::unique_ptr<GstCaps, GstCapsUnref>;
using GstPromisePtr = std::unique_ptr<GstPromise, GstPromiseUnref>;
using GstStructurePtr = std::unique_ptr<GstStructure, GstStructureFree>;
using GstSdpMessagePtr = std::unique_ptr<GstSDPMessage, GstSdpMessageFree>;
using GstSessionDescriptionPtr = std::unique_ptr<GstWebRTCSessionDescription, GstSessionDescriptionFree>;

// Takes a new reference to an object we are handed but do not own.
template <typename T>
GstPtr<T> gstRetained(T *object) {
    return GstPtr<T>(static_cast<T *>(gst_object_ref(object)));
}

}  // namespace confab
