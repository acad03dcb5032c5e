// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallStats.h"
#include "media/AudioConcealment.h"
#include "media/FreezeCounter.h"
#include "util/GstPtr.h"

#include <QSize>
#include <QString>

#include <atomic>
#include <functional>

namespace confab {

enum class MediaKind { Audio = 1, Video };

// The receive side of one call (onTrack style): each stream webrtcbin exposes is depayloaded,
// decoded and handed to a sink the host supplies — the desktop app's video widget, a frame counter
// in confab-call, or the echo service's loop back into the sender.
class RemoteMedia {
public:
    // Returns a new (floating) element taking raw audio or video, or nullptr for a fakesink.
    using SinkFactory = std::function<GstElement *(MediaKind kind)>;
    // Called on a streaming thread; must only copy data and post it on.
    using FirstBufferCallback = std::function<void(MediaKind kind)>;

    RemoteMedia(SinkFactory sinks, FirstBufferCallback firstBuffer);

    // Echo cancellation: a webrtcechoprobe already in the pipeline (LocalMedia::echoProbe()),
    // linked between the first audio decoder and its sink. Set before the pipeline plays.
    void setEchoProbe(GstElement *probe) { echoProbe_ = probe ? gstRetained(probe) : nullptr; }

    // Links one incoming webrtcbin src pad. Runs on a streaming thread (pad-added): it only adds
    // and links elements and syncs their state; it never changes the pipeline's state.
    bool link(GstBin *pipeline, GstPad *pad, QString *error);

    quint64 videoFrames() const { return videoFrames_.load(); }
    quint64 audioBuffers() const { return audioBuffers_.load(); }
    QSize videoSize() const { return QSize(width_.load(), height_.load()); }
    QString videoCodec() const;
    QString audioCodec() const;
    ReceiveCounters counters() const;
    // The freezes that ended since the last call (FreezeCounter::takeRecentFreezes).
    std::vector<double> takeRecentFreezes() { return freezes_.takeRecentFreezes(); }

private:
    static GstPadProbeReturn countBuffer(GstPad *pad, GstPadProbeInfo *info, gpointer self);
    static GstPadProbeReturn countAudioPacket(GstPad *pad, GstPadProbeInfo *info, gpointer self);
    void noteCodec(MediaKind kind, const char *encodingName);

    SinkFactory sinks_;
    FirstBufferCallback firstBuffer_;
    GstPtr<GstElement> echoProbe_;
    std::atomic<bool> echoProbeLinked_{false};
    std::atomic<quint64> videoFrames_{0};
    std::atomic<quint64> audioBuffers_{0};
    std::atomic<int> width_{0};
    std::atomic<int> height_{0};
    std::atomic<int> videoCodec_{0};  // 1 VP8, 2 H264
    std::atomic<bool> haveAudio_{false};
    FreezeCounter freezes_;
    AudioConcealment concealment_;
};

}  // namespace confab
