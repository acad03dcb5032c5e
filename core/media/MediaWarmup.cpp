// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/MediaWarmup.h"

#include "util/GstPtr.h"
#include "util/Logging.h"
#include "util/MainThread.h"

#include <gst/gst.h>

#include <QElapsedTimer>
#include <QPointer>

#include <atomic>
#include <iterator>
#include <mutex>
#include <thread>
#include <vector>

namespace confab {

namespace {

// Every element a call creates (core/call, core/media), by what needs it; appsrc and appsink are
// webrtcbin's data channels (the chat). Missing optional ones (openh264) are skipped here and
// reported by the call that needs them.
constexpr const char *kCommon[] = {
    "webrtcbin",  "nicesrc",      "nicesink",      "dtlsenc",      "dtlsdec",         "srtpenc",
    "srtpdec",    "sctpenc",      "sctpdec",       "rtpbin",       "rtpjitterbuffer", "opusenc",
    "opusdec",    "rtpopuspay",   "rtpopusdepay",  "videotestsrc", "audiotestsrc",    "videoconvert",
    "videoscale", "audioconvert", "audioresample", "volume",       "queue",           "tee",
    "capsfilter", "fakesink",     "appsrc",        "appsink",
};
constexpr const char *kVp8[] = {"vp8enc", "vp8dec", "rtpvp8pay", "rtpvp8depay"};
constexpr const char *kH264[] = {"openh264enc", "openh264dec", "rtph264pay", "rtph264depay"};
constexpr const char *kEcho[] = {"intervideosrc", "intervideosink", "interaudiosrc", "interaudiosink"};

struct Waiter {
    QPointer<QObject> context;
    std::function<void()> then;
};

// Joins at exit, so a process that never called wait() ends normally rather than in
// std::terminate (a joinable std::thread's destructor aborts).
struct JoiningThread {
    std::thread thread;
    ~JoiningThread() {
        if (thread.joinable()) {
            thread.join();
        }
    }
};

std::mutex gMutex;
JoiningThread gWarm;
std::atomic<bool> gDone{false};
bool gStarted = false;                // guarded by gMutex
std::vector<const char *> gElements;  // set before the thread starts, read only by it
std::vector<Waiter> gWaiters;         // guarded by gMutex

// The waiter's context may be gone by the time the work is done: then there is nobody to tell.
void post(const Waiter &waiter) {
    if (QObject *context = waiter.context.data()) {
        postTo(context, [then = waiter.then](QObject *) { then(); });
    }
}

void warm() {
    QElapsedTimer timer;
    timer.start();
    for (const char *name : gElements) {
        // Creating the element loads its plugin; creating dtlsdec also makes the process's DTLS
        // certificate, which GStreamer keeps for every later call.
        GstElement *element = gst_element_factory_make(name, nullptr);
        if (element) {
            GstPtr<GstElement> owner(GST_ELEMENT(gst_object_ref_sink(element)));  // floating → ours
        }
    }
    qCDebug(lcMedia) << "media warm-up took" << timer.elapsed() << "ms";
    std::vector<Waiter> waiters;
    {
        std::lock_guard lock(gMutex);
        gDone = true;
        waiters.swap(gWaiters);
    }
    for (const Waiter &waiter : waiters) {
        post(waiter);
    }
}

}  // namespace

void MediaWarmup::start() {
    start(Only::Everything, VideoCodec::VP8);
}

void MediaWarmup::start(VideoCodec codec, bool echo) {
    start(echo ? Only::CodecAndEcho : Only::Codec, codec);
}

void MediaWarmup::start(Only only, VideoCodec codec) {
    std::lock_guard lock(gMutex);
    if (gStarted) {
        return;
    }
    gStarted = true;
    const auto add = [](const auto &names) {
        gElements.insert(gElements.end(), std::begin(names), std::end(names));
    };
    add(kCommon);
    // Each plugin loaded stays mapped for the life of the process: openh264's library alone is
    // 0.4 MB of resident pages that a VP8 call never touches (confab-call's idle RSS 37.6 -> 37.0 MB).
    // A call in the other codec loads its plugin when it starts, once.
    if (only == Only::Everything || codec == VideoCodec::VP8) {
        add(kVp8);
    }
    if (only == Only::Everything || codec == VideoCodec::H264) {
        add(kH264);
    }
    if (only != Only::Codec) {
        add(kEcho);
    }
    gWarm.thread = std::thread(warm);
}

void MediaWarmup::wait() {
    std::thread thread;
    {
        std::lock_guard lock(gMutex);
        thread.swap(gWarm.thread);  // the warm thread takes gMutex as it finishes: join outside it
    }
    if (thread.joinable()) {
        thread.join();
    }
}

bool MediaWarmup::done() {
    return gDone;
}

void MediaWarmup::whenDone(QObject *context, std::function<void()> then) {
    start();
    Waiter waiter{QPointer<QObject>(context), std::move(then)};
    {
        std::lock_guard lock(gMutex);
        if (!gDone) {
            gWaiters.push_back(std::move(waiter));
            return;
        }
    }
    post(waiter);
}

}  // namespace confab
