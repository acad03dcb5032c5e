// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/ScreenSource.h"
#include "util/GstPtr.h"

#include <QSize>
#include <QString>

#include <functional>
#include <memory>

namespace confab {

// One screen share inside a running call: the capture bin of a ScreenSource, added to the call's
// pipeline and linked to a new pad of the video input-selector in front of the encoder, which it
// makes the active pad. The camera branch keeps running on its own pad, so going back is one
// switch — no renegotiation, and the other side only sees the picture (and its size) change.
// Destroying the branch switches back and removes it. Main thread only; owned by LocalMedia.
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

private:
    ScreenShareBranch(GstBin *container, GstElement *selector);
    static GstPadProbeReturn onEvent(GstPad *, GstPadProbeInfo *info, gpointer self);
    void removeFromPipeline();

    GstBin *container_;  // not owned: the bin holding the selector, which outlives LocalMedia
    GstPtr<GstElement> selector_;
    GstPtr<GstPad> cameraPad_;  // the selector pad that was active before the share
    GstPtr<GstElement> bin_;
    GstPtr<GstPad> selectorPad_;  // our request pad on the selector
    EndedCallback ended_;
};

}  // namespace confab
