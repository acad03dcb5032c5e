// SPDX-License-Identifier: GPL-3.0-or-later
#include "RingTone.h"

#include "UiLogging.h"
#include "util/GLibPtr.h"

#include <array>
#include <memory>

namespace confab::ui {

namespace {
// Milliseconds of each phase, alternately tone and silence: a British-style double ring.
constexpr std::array<int, 4> kCadenceMs = {400, 200, 400, 2000};
}  // namespace

RingTone::RingTone(QString sinkDescription, QObject *parent)
    : QObject(parent), sinkDescription_(std::move(sinkDescription)) {
    cadence_.setSingleShot(true);
    connect(&cadence_, &QTimer::timeout, this, &RingTone::step);
}

RingTone::~RingTone() {
    release();
}

void RingTone::start() {
    if (ringing_) {
        return;
    }
    ringing_ = true;
    phase_ = 0;
    GError *rawError = nullptr;
    const QByteArray description =
        QStringLiteral(
            "audiotestsrc wave=sine freq=440 volume=0.25 is-live=true ! volume name=cadence mute=false"
            " ! audioconvert ! audioresample ! %1 name=out")
            .arg(sinkDescription_)
            .toUtf8();
    GstElement *pipeline = gst_parse_launch(description.constData(), &rawError);
    const GErrorPtr error(rawError);
    if (pipeline) {
        pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(pipeline)));
    }
    if (error) {
        qCWarning(lcUi).noquote() << "no ring tone:" << error->message;
        release();
    } else {
        volume_.reset(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "cadence"));
        if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
            qCWarning(lcUi) << "no ring tone: the sound output could not start (no sound device?)";
            release();
        } else if (playsIntoFakeSink()) {
            qCInfo(lcUi) << "no ring tone: no sound output could be opened";
            release();
        }
    }
    cadence_.start(kCadenceMs[0]);
}

// autoaudiosink picks a fakesink of its own when no sound output opens (no card, no sound
// server): that is no ring tone, and the pipeline need not run.
bool RingTone::playsIntoFakeSink() const {
    GstPtr<GstElement> out(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "out"));
    if (!out || !GST_IS_BIN(out.get())) {
        return false;
    }
    bool fake = false;
    GstIterator *sinks = gst_bin_iterate_sinks(GST_BIN(out.get()));
    GValue item = G_VALUE_INIT;
    if (gst_iterator_next(sinks, &item) == GST_ITERATOR_OK) {
        GstElementFactory *factory = gst_element_get_factory(GST_ELEMENT(g_value_get_object(&item)));
        fake =
            factory && g_strcmp0(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)), "fakesink") == 0;
        g_value_unset(&item);
    }
    gst_iterator_free(sinks);
    return fake;
}

void RingTone::stop() {
    ringing_ = false;
    cadence_.stop();
    release();
}

void RingTone::step() {
    checkBus();
    phase_ = (phase_ + 1) % int(kCadenceMs.size());
    if (volume_) {
        // Even phases ring, odd ones are silent. Muting keeps the sink running, so no click or
        // device reopen at each ring.
        g_object_set(volume_.get(), "mute", phase_ % 2 == 1, nullptr);
    }
    cadence_.start(kCadenceMs[size_t(phase_)]);
}

// Errors (a sound server that went away, no device after all) are read here, from the main thread,
// so the tone needs no bus watch and no callback on a GStreamer thread.
void RingTone::checkBus() {
    if (!pipeline_) {
        return;
    }
    GstPtr<GstBus> bus(gst_element_get_bus(pipeline_.get()));
    struct MessageUnref {
        void operator()(GstMessage *message) const { gst_message_unref(message); }
    };
    const std::unique_ptr<GstMessage, MessageUnref> message(
        gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
    if (message) {
        GError *rawError = nullptr;
        gst_message_parse_error(message.get(), &rawError, nullptr);
        const GErrorPtr error(rawError);
        qCWarning(lcUi).noquote() << "ring tone stopped:" << (error ? error->message : "unknown error");
        release();
    }
}

void RingTone::release() {
    if (pipeline_) {
        gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    }
    volume_.reset();
    pipeline_.reset();
}

}  // namespace confab::ui
