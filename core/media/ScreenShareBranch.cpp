// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/ScreenShareBranch.h"

#include "util/GLibPtr.h"
#include "util/Logging.h"

#include <QCoreApplication>

#include <atomic>
#include <chrono>

namespace confab {

namespace {

constexpr char kBinPrefix[] = "screenshare";

QString tr(const char *text) {
    return QCoreApplication::translate("confab::ScreenShareBranch", text);
}

}  // namespace

ScreenShareBranch::ScreenShareBranch(GstBin *container, GstElement *selector)
    : container_(container), selector_(gstRetained(selector)) {}

std::unique_ptr<ScreenShareBranch> ScreenShareBranch::start(GstBin *pipeline, GstElement *selector,
                                                            const ScreenSource &source, QSize maxSize,
                                                            EndedCallback ended, QString *error) {
    const QString description = source.launchDescription(maxSize);
    qCInfo(lcMedia).noquote() << "screen share:" << description;
    GErrorPtr parseError;
    GstElement *bin = gst_parse_bin_from_description(description.toUtf8().constData(), TRUE, out(parseError));
    if (!bin) {
        *error = tr("Screen sharing is not available: %1").arg(QString::fromUtf8(parseError->message));
        qCWarning(lcMedia).noquote() << "screen share pipeline:" << parseError->message;
        return nullptr;
    }
    static std::atomic<int> count{0};
    gst_object_set_name(
        GST_OBJECT(bin),
        QStringLiteral("%1-%2").arg(QLatin1StringView(kBinPrefix)).arg(++count).toUtf8().constData());

    // Pads link only between siblings: the capture goes into the bin that holds the selector
    // (the video send branch inside the pipeline).
    GstBin *container = GST_OBJECT_PARENT(selector) ? GST_BIN(GST_OBJECT_PARENT(selector)) : pipeline;
    std::unique_ptr<ScreenShareBranch> branch(new ScreenShareBranch(container, selector));
    branch->ended_ = std::move(ended);
    GstElement *active = nullptr;
    g_object_get(selector, "active-pad", &active, nullptr);
    branch->cameraPad_.reset(reinterpret_cast<GstPad *>(active));
    if (!branch->cameraPad_) {
        // Before its first buffer the selector may not have chosen yet: the camera's is the first pad.
        branch->cameraPad_.reset(gst_element_get_static_pad(selector, "sink_0"));
    }
    branch->bin_ = gstRetained(bin);  // ours; the pipeline takes the floating one
    // Locked before it joins the pipeline, not after: a state change of the pipeline's own that is
    // under way (the bin_continue_func of a sink that just prerolled, on GStreamer's thread pool)
    // takes every child it finds to PLAYING, and a pipewiresrc taken there waits up to 30 s for its
    // stream with the bin's state lock held, which our READY below then waited for on the main
    // thread (seen in tst_screenpicker's Wayland case: the window stood still for 33 s).
    gst_element_set_locked_state(bin, TRUE);
    gst_bin_add(container, bin);
    branch->selectorPad_.reset(gst_element_request_pad_simple(selector, "sink_%u"));
    GstPtr<GstPad> sourcePad(gst_element_get_static_pad(bin, "src"));
    if (!branch->selectorPad_ || !sourcePad ||
        GST_PAD_LINK_FAILED(gst_pad_link(sourcePad.get(), branch->selectorPad_.get()))) {
        *error = tr("Screen sharing could not be connected to the call's video.");
        qCWarning(lcMedia) << "screen share: cannot link to the video input";
        return nullptr;  // the destructor takes the half-built branch out again
    }
    // An ended capture (EOS) must not reach the encoder: that would end the call's video track.
    gst_pad_add_probe(sourcePad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, &ScreenShareBranch::onEvent,
                      branch.get(), nullptr);
    // To READY here (pipewiresrc connects to the portal's PipeWire descriptor; a descriptor it
    // cannot use fails now, with the detail also as an error message on the bus, which
    // isShareElement tells apart). The rest of the way on a helper thread (see the class comment);
    // the pipeline's own state changes leave the bin alone (it is locked).
    if (gst_element_set_state(bin, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
        *error = source.kind() == ScreenSource::Kind::PipeWire
                     ? tr("The screen chosen in the desktop's dialog could not be captured.")
                     : tr("The screen could not be captured (no X11 display?).");
        qCWarning(lcMedia) << "screen share: the capture did not open";
        return nullptr;
    }
    const QString failure = source.kind() == ScreenSource::Kind::PipeWire
                                ? tr("the screen chosen in the desktop's dialog could not be captured.")
                                : tr("the screen capture did not start.");
    ScreenShareBranch *self = branch.get();
    self->starter_ = std::thread([self, failure] { self->startPlaying(failure); });
    self->watchdog_ = std::thread([self] { self->watchStart(); });
    return branch;
}

ScreenShareBranch::~ScreenShareBranch() {
    stopStarting();
    if (cameraPad_ && selector_) {
        g_object_set(selector_.get(), "active-pad", cameraPad_.get(), nullptr);
    }
    removeFromPipeline();
}

// Helper thread. Only the bin's state (locked, so the pipeline never changes it meanwhile) and the
// selector's active pad (a property, guarded by the selector) are touched here.
void ScreenShareBranch::startPlaying(QString failure) {
    const bool playing = gst_element_set_state(bin_.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
    bool cancelled = false;
    {
        std::lock_guard lock(startMutex_);
        started_ = true;
        cancelled = cancelled_;
    }
    startChanged_.notify_all();
    if (cancelled) {
        return;
    }
    if (playing) {
        g_object_set(selector_.get(), "active-pad", selectorPad_.get(), nullptr);
        qCInfo(lcMedia) << "screen share: the capture is streaming";
        return;
    }
    qCWarning(lcMedia).noquote() << "screen share: the capture did not start:" << failure;
    // To the main thread through the bus, as the capture's own errors go (isShareElement).
    const QByteArray text = failure.toUtf8();
    GError *gerror = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, text.constData());
    gst_element_post_message(bin_.get(), gst_message_new_error(GST_OBJECT(bin_.get()), gerror, nullptr));
    g_error_free(gerror);
}

// Helper thread: a capture that has not started in time (or a branch being destroyed) gets a
// flush-start on its source pad, which makes a waiting source give up (basesrc's unlock). Sent to
// the pad, not the element: gst_element_send_event() takes the state lock that the state change
// being ended holds.
void ScreenShareBranch::watchStart() {
    {
        std::unique_lock lock(startMutex_);
        if (startChanged_.wait_for(lock, std::chrono::milliseconds(kStartTimeoutMs),
                                   [this] { return started_ || cancelled_; }) &&
            started_) {
            return;
        }
        if (!cancelled_) {
            qCWarning(lcMedia) << "screen share: the capture has not started after" << kStartTimeoutMs
                               << "ms";
        }
    }
    GstIterator *sources = gst_bin_iterate_sources(GST_BIN(bin_.get()));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(sources, &item) == GST_ITERATOR_OK) {
        GstPtr<GstPad> pad(gst_element_get_static_pad(GST_ELEMENT(g_value_get_object(&item)), "src"));
        if (pad) {
            gst_pad_send_event(pad.get(), gst_event_new_flush_start());
        }
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(sources);
}

void ScreenShareBranch::stopStarting() {
    {
        std::lock_guard lock(startMutex_);
        cancelled_ = true;
    }
    startChanged_.notify_all();
    if (watchdog_.joinable()) {
        watchdog_.join();
    }
    if (starter_.joinable()) {
        starter_.join();
    }
}

void ScreenShareBranch::removeFromPipeline() {
    if (!bin_) {
        return;
    }
    // Stopped first (main thread: this joins the capture's streaming thread), then unlinked, so
    // the capture never pushes into a pad that is gone — that would be a not-linked error on the bus.
    // Its state is locked (from the start, and again here for a half-built branch): a capture
    // that never prerolled leaves its parent's state change pending, and the parent finishing it
    // would set this bin to PLAYING again right after our NULL, leaving its children READY.
    // Elements disposed in READY skip their cleanup, and their error message leaked.
    gst_element_set_locked_state(bin_.get(), TRUE);
    gst_element_set_state(bin_.get(), GST_STATE_NULL);
    GstPtr<GstPad> source(gst_element_get_static_pad(bin_.get(), "src"));
    if (source && selectorPad_) {
        gst_pad_unlink(source.get(), selectorPad_.get());
    }
    if (selectorPad_) {
        gst_element_release_request_pad(selector_.get(), selectorPad_.get());
    }
    gst_bin_remove(container_, bin_.get());
    bin_.reset();
    selectorPad_.reset();
}

bool ScreenShareBranch::isShareElement(GstObject *object) {
    for (GstObject *o = object; o; o = GST_OBJECT_PARENT(o)) {
        const gchar *name = GST_OBJECT_NAME(o);
        if (name && (g_str_has_prefix(name, kBinPrefix))) {
            return true;  // the bin ("screenshare-N") or the capture ("screenshare-capture")
        }
    }
    return false;
}

GstPadProbeReturn ScreenShareBranch::onEvent(GstPad *, GstPadProbeInfo *info, gpointer self) {
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS) {
        return GST_PAD_PROBE_OK;
    }
    qCInfo(lcMedia) << "screen share: the capture ended";
    if (auto *branch = static_cast<ScreenShareBranch *>(self); branch->ended_) {
        branch->ended_();
    }
    return GST_PAD_PROBE_DROP;
}

}  // namespace confab
