// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QMutex>
#include <QObject>
#include <QSize>

#include <gst/gst.h>

typedef struct _GstAppSink GstAppSink;

#include <atomic>
#include <memory>
#include <vector>

namespace confab::ui {

// The hand-over point between a GStreamer streaming thread and the GUI thread for one video view.
// makeElement() builds a sink bin (videoconvertscale → BGRx no larger than setMaximumSize() →
// appsink max-buffers=1 drop=true): one pass converts, and shrinks frames larger than the view
// (nearest-neighbour, the cheapest), so no pixel is converted that will not be shown; frames
// smaller than the view are enlarged by the paint, which is cheaper than converting more pixels
// (figures in docs/performance.md, "Desktop render path"). Each
// decoded frame is wrapped, without copying, in a QImage that keeps the GstSample alive, and left
// in a one-frame mailbox. The streaming thread never waits for the GUI: it swaps the mailbox under
// a short lock and posts one wake-up unless one is already pending; frames the GUI has not taken
// yet are simply replaced. frameReady() is emitted on the GUI thread.
//
// Lifetime: held by std::shared_ptr (create()). Every appsink holds a reference too, so a pipeline
// that outlives the widget still delivers into a live object; the last owner deletes it with
// deleteLater() on the GUI thread.
class VideoFrameSink : public QObject, public std::enable_shared_from_this<VideoFrameSink> {
    Q_OBJECT
public:
    static std::shared_ptr<VideoFrameSink> create();

    // A new floating element taking raw video of any format. Safe to call on any thread.
    GstElement *makeElement();

    // The largest frame worth converting, in device pixels (GUI thread); invalid: no limit. Live
    // sinks renegotiate to it.
    void setMaximumSize(QSize size);

    // The newest frame not yet taken (GUI thread); null when none arrived since the last call.
    QImage takeFrame();

    // From now on, frames from every element made so far are dropped, as is the one waiting to be
    // taken (GUI thread). For a call that ended: its pipeline is destroyed a moment later, from the
    // event loop, and its last frames must not bring the ended call's picture back.
    void retireElements();

    quint64 framesReceived() const { return framesReceived_.load(); }

    struct Holder;  // what each element's appsink callbacks hold

Q_SIGNALS:
    void frameReady();

private:
    VideoFrameSink() = default;

public:
    ~VideoFrameSink() override;

private:
    void deliver(QImage image, quint64 generation);
    void wake();
    static GstFlowReturn onNewSample(GstAppSink *appsink, gpointer holder);

    static GstCaps *capsFor(QSize maximum);

    QMutex mutex_;
    QImage pending_;
    QSize maximumSize_;                               // under mutex_
    quint64 generation_ = 0;                          // under mutex_; elements made before differ
    std::vector<std::unique_ptr<GWeakRef>> fitters_;  // the live sinks' capsfilters, under mutex_
    std::atomic<bool> wakePending_{false};
    std::atomic<quint64> framesReceived_{0};
};

}  // namespace confab::ui
