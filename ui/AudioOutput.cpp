// SPDX-License-Identifier: GPL-3.0-or-later
#include "AudioOutput.h"

#include "media/DeviceFinder.h"
#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <QLoggingCategory>
#include <QMutexLocker>

Q_LOGGING_CATEGORY(lcAudioOutput, "confab.ui")

namespace confab::ui {

void AudioOutput::setDevice(const QString &displayName) {
    // The monitor is asked here, on the main thread, not on the streaming thread that makes the sink.
    const QString description =
        displayName.isEmpty() ? QString()
                              : DeviceFinder::launchDescription(DeviceFinder::Kind::Speaker, displayName);
    QMutexLocker lock(&mutex_);
    launchDescription_ = description;
}

bool AudioOutput::playsToDevice() const {
    QMutexLocker lock(&mutex_);
    return playsToDevice_;
}

GstElement *AudioOutput::makeElement() {
    QString description;
    {
        QMutexLocker lock(&mutex_);
        description = launchDescription_;
    }
    GstElement *device = nullptr;
    if (!description.isEmpty()) {
        GErrorPtr error;
        device = gst_parse_launch(description.toUtf8().constData(), out(error));
    }
    if (!device) {
        device = gst_element_factory_make("autoaudiosink", nullptr);
    }
    // Open the device now, on this element alone (not the call's pipeline): a sink that cannot open
    // would otherwise fail the whole call when the pipeline syncs its state.
    bool opened = device && gst_element_set_state(device, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
    if (opened && GST_IS_BIN(device)) {
        // autoaudiosink falls back to a fakesink of its own when nothing opens; that is no device.
        GstIterator *children = gst_bin_iterate_sinks(GST_BIN(device));
        GValue item = G_VALUE_INIT;
        if (gst_iterator_next(children, &item) == GST_ITERATOR_OK) {
            auto *child = GST_ELEMENT(g_value_get_object(&item));
            GstElementFactory *factory = gst_element_get_factory(child);
            if (factory &&
                g_strcmp0(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)), "fakesink") == 0) {
                opened = false;
            }
            g_value_unset(&item);
        }
        gst_iterator_free(children);
    }
    if (!opened) {
        if (device) {
            gst_element_set_state(device, GST_STATE_NULL);
            gst_object_unref(gst_object_ref_sink(device));
        }
        qCInfo(lcAudioOutput) << "no sound output could be opened; the call's audio plays into a fakesink";
        device = gst_element_factory_make("fakesink", nullptr);
        g_object_set(device, "sync", TRUE, "async", FALSE, nullptr);
    }
    {
        QMutexLocker lock(&mutex_);
        playsToDevice_ = opened;
    }
    GstElement *bin = gst_bin_new(nullptr);
    GstElement *convert = gst_element_factory_make("audioconvert", nullptr);
    GstElement *resample = gst_element_factory_make("audioresample", nullptr);
    gst_bin_add_many(GST_BIN(bin), convert, resample, device, nullptr);
    gst_element_link_many(convert, resample, device, nullptr);
    GstPtr<GstPad> input(gst_element_get_static_pad(convert, "sink"));
    gst_element_add_pad(bin, gst_ghost_pad_new("sink", input.get()));
    return bin;
}

}  // namespace confab::ui
