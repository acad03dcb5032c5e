// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/ScreenSource.h"
#include "util/GstPtr.h"

#include <QSize>
#include <QString>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace confab {

// One screen share inside a running call: the capture bin of a ScreenSource, added to the call's
// pipeline and linked to a new pad of the video input-selector in front of the encoder, which it
// makes the active pad. The camera branch keeps running on its own pad, so going back is one
// switch — no renegotiation, and the other side only sees the picture (and its size) change.
// Destroying the branch switches back and removes it. Main thread only; owned by LocalMedia.
//
// Starting is asynchronous past READY. pipewiresrc's READY→PAUSED waits up to 30 s for its
// stream to start (PipeWire 0.3's wait_started), which on the main thread froze the window for the
// whole wait whenever the portal's node never streamed. So the capture bin's state is locked (the
// pipeline's own state changes leave it alone) and taken to READY on the main thread, where a
// descriptor that cannot be used fails at once; a helper thread then takes it to PLAYING and only
// then makes it the selector's active pad. If that has not happened within kStartTimeoutMs, a
// flush-start to the capture ends the wait (basesrc's unlock); a capture that fails posts an error
// message from the bin, which the call's bus watch turns into the end of the share
// (isShareElement). Destroying the branch while it starts does the same flush-start and joins.
class ScreenShareBranch {
public:
    // Called on a streaming thread when the capture's stream ends (e.g. the portal's PipeWire
    // stream was stopped from the desktop); it must only post to the main thread.
    using EndedCallback = std::function<void()>;

    // Null with *error when the capture cannot be built or started.
    static std::unique_ptr<ScreenShareBranch> start(GstBin *pipeline, GstElement *selector,
                                                    const ScreenSource &source, QSize maxSize,
                                                    EndedCallback ended, QString *error);
    ~ScreenShareBranch();
    ScreenShareBranch(const ScreenShareBranch &) = delete;
    ScreenShareBranch &operator=(const ScreenShareBranch &) = delete;

    // True for the capture elements of any share, past or present: their errors end the share,
    // not the call. (A message can arrive after its branch is gone, hence by name.)
    static bool isShareElement(GstObject *object);

    // How long a capture may take to start streaming before the share fails.
    static constexpr int kStartTimeoutMs = 5000;

private:
    ScreenShareBranch(GstBin *container, GstElement *selector);
    static GstPadProbeReturn onEvent(GstPad *, GstPadProbeInfo *info, gpointer self);
    // Helper threads: the capture to PLAYING, then the switch (or an error message on the bus);
    // and the bound on how long that may take.
    void startPlaying(QString failure);
    void watchStart();
    // Ends a start still in progress and joins the helper threads (main thread).
    void stopStarting();
    void removeFromPipeline();

    GstBin *container_;  // not owned: the bin holding the selector, which outlives LocalMedia
    GstPtr<GstElement> selector_;
    GstPtr<GstPad> cameraPad_;  // the selector pad that was active before the share
    GstPtr<GstElement> bin_;
    GstPtr<GstPad> selectorPad_;  // our request pad on the selector
    EndedCallback ended_;

    std::mutex startMutex_;
    std::condition_variable startChanged_;
    bool started_ = false;    // the capture's PLAYING state change returned
    bool cancelled_ = false;  // the branch is being destroyed
    std::thread starter_;
    std::thread watchdog_;
};

}  // namespace confab
