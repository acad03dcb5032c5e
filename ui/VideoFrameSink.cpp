// SPDX-License-Identifier: GPL-3.0-or-later
#include "VideoFrameSink.h"

#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <QMetaObject>
#include <QMutexLocker>

namespace confab::ui {

namespace {

// Keeps a sample mapped for as long as the QImage wrapping its pixels lives.
struct MappedFrame {
    GstSample *sample = nullptr;
    GstVideoFrame frame{};
};

void releaseMappedFrame(void *info) {
    auto *mapped = static_cast<MappedFrame *>(info);
    gst_video_frame_unmap(&mapped->frame);
    gst_sample_unref(mapped->sample);
    delete mapped;
}

}  // namespace

// What each appsink's callbacks hold: the sink, and which generation of elements it belongs to.
struct VideoFrameSink::Holder {
    std::shared_ptr<VideoFrameSink> sink;
    quint64 generation = 0;
};

namespace {

void deleteHolder(gpointer holder) {
    delete static_cast<VideoFrameSink::Holder *>(holder);
}

}  // namespace

std::shared_ptr<VideoFrameSink> VideoFrameSink::create() {
    // deleteLater: the last reference may be dropped on a streaming thread (pipeline teardown).
    return std::shared_ptr<VideoFrameSink>(new VideoFrameSink,
                                           [](VideoFrameSink *sink) { sink->deleteLater(); });
}

GstCaps *VideoFrameSink::capsFor(QSize maximum) {
    // BGRx is QImage::Format_RGB32 byte for byte on little-endian machines: the GUI wraps it as is.
    if (!maximum.isValid()) {
        return gst_caps_from_string("video/x-raw,format=BGRx,pixel-aspect-ratio=1/1");
    }
    // Ranges, not a size: the converter keeps the input size when it fits and otherwise shrinks it
    // keeping the display aspect ratio.
    return gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "BGRx", "width", GST_TYPE_INT_RANGE, 1,
                               std::max(maximum.width(), 1), "height", GST_TYPE_INT_RANGE, 1,
                               std::max(maximum.height(), 1), "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                               nullptr);
}

GstElement *VideoFrameSink::makeElement() {
    GErrorPtr error;
    GstElement *bin = gst_parse_bin_from_description(
        "videoconvertscale name=convert method=nearest-neighbour ! capsfilter name=fit ! appsink name=frames "
        "max-buffers=1 drop=true "
        "sync=true qos=false enable-last-sample=false",
        TRUE, out(error));
    if (!bin) {
        return nullptr;
    }
    GstPtr<GstElement> fit(gst_bin_get_by_name(GST_BIN(bin), "fit"));
    quint64 generation = 0;
    {
        QMutexLocker lock(&mutex_);
        generation = generation_;
        GstCapsPtr caps(capsFor(maximumSize_));
        g_object_set(fit.get(), "caps", caps.get(), nullptr);
        // Forget the capsfilters of pipelines that are gone, remember this one.
        std::erase_if(fitters_, [](const std::unique_ptr<GWeakRef> &ref) {
            GObject *alive = static_cast<GObject *>(g_weak_ref_get(ref.get()));
            if (alive) {
                g_object_unref(alive);
                return false;
            }
            g_weak_ref_clear(ref.get());
            return true;
        });
        auto ref = std::make_unique<GWeakRef>();
        g_weak_ref_init(ref.get(), fit.get());
        fitters_.push_back(std::move(ref));
    }
    GstPtr<GstElement> appsink(gst_bin_get_by_name(GST_BIN(bin), "frames"));
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = &VideoFrameSink::onNewSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink.get()), &callbacks,
                               new Holder{shared_from_this(), generation}, &deleteHolder);
    return bin;
}

void VideoFrameSink::setMaximumSize(QSize size) {
    std::vector<GstPtr<GstElement>> live;
    {
        QMutexLocker lock(&mutex_);
        if (size == maximumSize_) {
            return;
        }
        maximumSize_ = size;
        for (const std::unique_ptr<GWeakRef> &ref : fitters_) {
            if (auto *fit = static_cast<GstElement *>(g_weak_ref_get(ref.get()))) {
                live.emplace_back(fit);
            }
        }
    }
    // Setting caps on a running capsfilter asks upstream to renegotiate; no state change. Done
    // outside the lock the streaming thread takes for each frame.
    GstCapsPtr caps(capsFor(size));
    for (const GstPtr<GstElement> &fit : live) {
        g_object_set(fit.get(), "caps", caps.get(), nullptr);
    }
}

VideoFrameSink::~VideoFrameSink() {
    for (const std::unique_ptr<GWeakRef> &ref : fitters_) {
        g_weak_ref_clear(ref.get());
    }
}

// Streaming thread: wrap the sample's pixels and leave them in the mailbox. Never waits for the GUI.
GstFlowReturn VideoFrameSink::onNewSample(GstAppSink *appsink, gpointer holder) {
    const Holder *held = static_cast<const Holder *>(holder);
    GstSample *sample = gst_app_sink_pull_sample(appsink);
    if (!sample) {
        return GST_FLOW_EOS;
    }
    GstVideoInfo info;
    auto *mapped = new MappedFrame;
    mapped->sample = sample;
    if (!gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) ||
        !gst_video_frame_map(&mapped->frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
        gst_sample_unref(sample);
        delete mapped;
        return GST_FLOW_OK;
    }
    QImage image(static_cast<const uchar *>(GST_VIDEO_FRAME_PLANE_DATA(&mapped->frame, 0)),
                 GST_VIDEO_FRAME_WIDTH(&mapped->frame), GST_VIDEO_FRAME_HEIGHT(&mapped->frame),
                 GST_VIDEO_FRAME_PLANE_STRIDE(&mapped->frame, 0), QImage::Format_RGB32, &releaseMappedFrame,
                 mapped);
    held->sink->deliver(std::move(image), held->generation);
    return GST_FLOW_OK;
}

void VideoFrameSink::deliver(QImage image, quint64 generation) {
    framesReceived_.fetch_add(1, std::memory_order_relaxed);
    QImage replaced;  // released outside the lock: unmapping is not free
    {
        QMutexLocker lock(&mutex_);
        if (generation != generation_) {
            replaced = std::move(image);  // from a retired element: dropped
            return;
        }
        replaced = std::exchange(pending_, std::move(image));
    }
    if (!wakePending_.exchange(true)) {
        QMetaObject::invokeMethod(this, &VideoFrameSink::wake, Qt::QueuedConnection);
    }
}

void VideoFrameSink::wake() {
    wakePending_.store(false);
    Q_EMIT frameReady();
}

QImage VideoFrameSink::takeFrame() {
    QMutexLocker lock(&mutex_);
    return std::exchange(pending_, QImage());
}

void VideoFrameSink::retireElements() {
    QImage dropped;  // released outside the lock
    QMutexLocker lock(&mutex_);
    ++generation_;
    dropped = std::exchange(pending_, QImage());
}

}  // namespace confab::ui
