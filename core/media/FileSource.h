// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GstPtr.h"

#include <QString>

#include <gst/video/video-info.h>

#include <atomic>
#include <memory>

namespace confab {

class Y4mFile;

// A media file played in a loop as a live source for a call (confab-call --video file:PATH,
// --audio file:PATH): benchmarks send the same natural clip as a browser's fake camera.
//
// A file is not a live source, and a call's pipeline is: so the file is decoded in a pipeline of
// its own (a Y4M or WAV file by its parser alone, anything else through decodebin), converted to
// the call's format (size; mono 48 kHz audio) and played in real time into an
// intervideosink/interaudiosink; the call's branch starts with the matching
// intervideosrc/interaudiosrc (launchDescription()), which stays live whatever the file does: it
// sends frames at the call's rate (the latest one at each tick, so it also converts the rate),
// then black (silence) if decoding stops. The loop has no gap: segment seeks, each new segment
// queued behind the last without a flush. A 4:2:0 Y4M file (what Chromium's fake camera reads)
// is not decoded by GStreamer at all: Y4mFile reads its frames into a buffer pool's, pushed by
// an appsrc with timestamps that run on across the loop, so a 720p clip holds three or four
// frames and allocates none while it plays. Another Y4M file is not seeked in segments
// (GStreamer 1.22's y4mdec fails on seeks some of the time): at its end, a flushing seek takes
// the same pipeline back to the start (a few ms in which the last frame repeats). A file whose
// demuxer cannot seek, or a Y4M file whose seek failed, is played again from a fresh pipeline at
// its end instead: build() tries a seek once before playing.
//
// Owned by the LocalMedia of one call; created and destroyed on the main thread (its bus watch
// runs there).
class FileSource {
public:
    enum class Kind { Video, Audio };

    // Decodes `path` and starts playing it; null with *error (a sentence) when the file cannot be
    // read or holds no stream of that kind. Waits up to a few seconds for the first frame.
    static std::unique_ptr<FileSource> start(const QString &path, Kind kind, int width, int height, int fps,
                                             QString *error);
    ~FileSource();
    FileSource(const FileSource &) = delete;
    FileSource &operator=(const FileSource &) = delete;

    // The source end for the call's branch, ending in raw caps (I420 at the size and rate asked
    // for; or S16LE mono 48 kHz audio).
    QString launchDescription() const;
    // Whether Y4mFile reads the file (a 4:2:0 Y4M file), not a GStreamer parser (for tests and logs).
    bool readsFramesItself() const { return frames_ != nullptr; }
    // How many times the file has started over (for tests and logs).
    int loops() const { return loops_.load(); }

private:
    FileSource(Kind kind, QString path);
    bool build(int width, int height, int fps, QString *error);
    // Makes a new decoding pipeline for the file, in NULL state; false with *error.
    bool open(QString *error);
    // Pauses the new pipeline and waits for its first frame; false with *error.
    bool preroll(QString *error);
    // Waits for the pipeline to preroll (or fail, with the reason in *error) after a state change
    // or a flushing seek.
    bool waitForPreroll(QString *error);
    void play();
    bool usesElement(const char *factoryName) const;
    // A stream reached the first element after the parser or decodebin.
    bool outputHasCaps() const;
    static void onNoMorePads(GstElement *decodebin, gpointer self);
    static gboolean onBusMessage(GstBus *bus, GstMessage *message, gpointer self);
    // Plays the file again from its start; false when that made a new pipeline (and bus watch).
    bool startOver();
    static void onPadAdded(GstElement *decodebin, GstPad *pad, gpointer self);
    static gboolean continueAutoplug(GstElement *, GstPad *, GstCaps *caps, gpointer self);
    // Sets up the appsrc named "file" and the pool for Y4mFile's frames; false with *error.
    bool openFrameReader(GstElement *appsrc, QString *error);
    // The appsrc's streaming thread: the next frame of the Y4M file, or the end of the stream.
    static void onNeedData(GstElement *appsrc, guint length, gpointer self);

    Kind kind_;
    QString path_;
    QString channel_;
    QString rawCaps_;
    QString description_;
    GstPtr<GstElement> pipeline_;
    GstPtr<GstElement> output_;  // the first element after decodebin: where the wanted stream goes
    guint busWatch_ = 0;
    std::atomic<bool> linked_{false};  // decodebin gave us a stream of our kind (set on a streaming thread)
    bool segmentSeeks_ = false;        // else each loop seeks back at the end, or reopens the file
    bool seekAtEnd_ = false;           // a Y4M file: a flushing seek to the start at its end
    bool seekedAtEnd_ = false;         // the last start over was such a seek
    bool endReachedEarly_ = false;     // the first segment ended while prerolling
    std::atomic<int> loops_{0};
    // A Y4M file read by Y4mFile (null otherwise); used by the streaming thread while playing.
    std::unique_ptr<Y4mFile> frames_;
    GstPtr<GstBufferPool> framePool_;
    GstVideoInfo frameInfo_{};
    guint64 framesPushed_ = 0;
};

}  // namespace confab
