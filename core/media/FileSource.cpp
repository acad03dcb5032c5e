// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/FileSource.h"

#include "media/Y4mFile.h"
#include "util/GLibPtr.h"
#include "util/Logging.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <gst/video/gstvideopool.h>
#include <gst/video/video-frame.h>

namespace confab {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("confab::FileSource", text);
}

// Long enough for a slow disk or a large container's index; a local clip prerolls in ~20 ms.
constexpr GstClockTime kPrerollTimeout = 10 * GST_SECOND;

// Audio between the decoder and the real-time sink, and how far ahead of its time it is handed over.
constexpr guint64 kAudioQueueNs = 500 * GST_MSECOND;
constexpr guint64 kAudioLeadNs = 100 * GST_MSECOND;

bool isKind(GstCaps *caps, FileSource::Kind kind) {
    if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) {
        return false;
    }
    const char *name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    return g_str_has_prefix(name, kind == FileSource::Kind::Video ? "video/" : "audio/");
}

}  // namespace

FileSource::FileSource(Kind kind, QString path) : kind_(kind), path_(std::move(path)) {
    static std::atomic<int> count{0};
    channel_ = QStringLiteral("confab-file-%1-%2")
                   .arg(++count)
                   .arg(kind == Kind::Video ? QStringLiteral("video") : QStringLiteral("audio"));
}

std::unique_ptr<FileSource> FileSource::start(const QString &path, Kind kind, int width, int height, int fps,
                                              QString *error) {
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable()) {
        *error = tr("Cannot read %1.").arg(path);
        return nullptr;
    }
    std::unique_ptr<FileSource> source(new FileSource(kind, info.absoluteFilePath()));
    if (!source->build(width, height, fps, error)) {
        return nullptr;
    }
    return source;
}

FileSource::~FileSource() {
    if (busWatch_) {
        g_source_remove(busWatch_);
    }
    if (pipeline_) {
        gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    }
    if (framePool_) {
        gst_buffer_pool_set_active(framePool_.get(), FALSE);
    }
}

QString FileSource::launchDescription() const {
    if (kind_ == Kind::Video) {
        // The frames keep coming at the call's rate whatever the file does: intervideosrc repeats
        // the last one, and goes black after a second without any (timeout, in ns).
        return QStringLiteral("intervideosrc channel=%1 timeout=1000000000 ! %2").arg(channel_, rawCaps_);
    }
    return QStringLiteral("interaudiosrc channel=%1 ! %2").arg(channel_, rawCaps_);
}

bool FileSource::build(int width, int height, int fps, QString *error) {
    const bool video = kind_ == Kind::Video;
    rawCaps_ = video ? QStringLiteral(
                           "video/x-raw,format=I420,width=%1,height=%2,framerate=%3/1,"
                           "pixel-aspect-ratio=1/1")
                           .arg(width)
                           .arg(height)
                           .arg(fps)
                     : QStringLiteral("audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1");
    // videoscale keeps the picture's shape (black borders when the aspect ratios differ).
    // Video: no rate conversion and no queue here. intervideosrc already converts the rate (it
    // takes the latest frame at each of its ticks), and every 720p frame held costs 1.4 MB: a
    // videorate keeps the previous one and a queue one more, while y4mdec's next frame waits to
    // be pushed. The decoder's thread itself waits on the clock in intervideosink, so the file
    // pipeline holds one frame besides the one intervideosink hands over.
    // Audio: what covers the main loop's delay in answering a segment's end with the next seek
    // sits between the decoder and the real-time sink (half a second costs 48 kB).
    const QString convert =
        video ? QStringLiteral("videoconvert name=output ! videoscale")
              : QStringLiteral(
                    "queue name=output max-size-bytes=0 max-size-buffers=0 max-size-time=%1 "
                    "! audioconvert ! audioresample")
                    .arg(kAudioQueueNs);
    // The file side's caps leave the frame rate to intervideosrc.
    const QString fileCaps =
        video ? QStringLiteral("video/x-raw,format=I420,width=%1,height=%2,pixel-aspect-ratio=1/1")
                    .arg(width)
                    .arg(height)
              : rawCaps_;
    // Audio is handed over 100 ms ahead of its time (ts-offset): interaudiosrc fills what it lacks
    // with silence, and without a margin a few ms of lateness at a loop's seam (seen in 1 of ~40
    // seams) was 20 ms of it. The picture needs none: intervideosrc repeats the last frame.
    const QString sink = video ? QStringLiteral("intervideosink")
                               : QStringLiteral("interaudiosink ts-offset=%1").arg(-qint64(kAudioLeadNs));
    const QString tail = QStringLiteral("%1 ! %2 ! %3 channel=%4").arg(convert, fileCaps, sink, channel_);
    // A Y4M or WAV file (what Chromium's fake camera and microphone read) goes straight to its
    // parser: decodebin's type finding and autoplugging load plugins and build lists of every
    // decoder in the registry (about 1 MB a process) to find what the name already says. Anything
    // else, or such a file that its parser refuses, goes through decodebin.
    const QString suffix = QFileInfo(path_).suffix().toLower();
    const char *parser = video && suffix == QLatin1String("y4m")    ? "y4mdec"
                         : !video && suffix == QLatin1String("wav") ? "wavparse"
                                                                    : nullptr;
    bool opened = false;
    if (video && suffix == QLatin1String("y4m")) {
        frames_ = std::make_unique<Y4mFile>();
        description_ = QStringLiteral("appsrc name=file ! %1").arg(tail);
        QString readerError;
        opened = open(&readerError) && preroll(&readerError);
        if (!opened) {
            qCDebug(lcMedia).noquote()
                << path_ << "is not read directly:" << readerError << "; trying" << parser;
            frames_.reset();
        }
    }
    if (!opened && parser) {
        description_ = QStringLiteral("filesrc name=file ! %1 ! %2").arg(QLatin1String(parser), tail);
        QString parserError;
        opened = open(&parserError) && preroll(&parserError);
        if (!opened) {
            qCDebug(lcMedia).noquote()
                << path_ << "is not played by" << parser << parserError << "; trying decodebin";
        }
    }
    if (!opened) {
        description_ = QStringLiteral("filesrc name=file ! decodebin name=decode %1").arg(tail);
        // The file is opened, its streams found and the first frame decoded, or we know why not.
        if (!open(error) || !preroll(error)) {
            return false;
        }
    }
    // From the start, as a segment of its own: its end then posts SEGMENT_DONE instead of EOS,
    // and the next segment can be queued behind it without a flush (startOver()). Tried here,
    // before anything plays, because some demuxers claim to seek and then fail; y4mdec is not
    // even tried: in 1.22 its seeks fail only some of the time ("Failed to parse YUV4MPEG frame"
    // after a seek that prerolled), and a Y4M file is what Chromium's fake camera reads.
    // A Y4M file instead starts over at its end with a flushing seek in the same pipeline
    // (startOver()); the pipeline that prerolled is played as it is. One that Y4mFile reads needs
    // neither: its frames go on from the first after the last.
    if (frames_) {
        play();
        qCDebug(lcMedia).noquote() << "file source" << channel_ << "reading" << path_;
        return true;
    }
    const bool y4m = usesElement("y4mdec");
    seekAtEnd_ = y4m;
    QString seekError;
    segmentSeeks_ = !y4m &&
                    gst_element_seek(pipeline_.get(), 1.0, GST_FORMAT_TIME,
                                     GstSeekFlags(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_SEGMENT),
                                     GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE) &&
                    waitForPreroll(&seekError);
    if (!segmentSeeks_ && !y4m) {
        qCDebug(lcMedia).noquote() << path_ << "is not seeked" << seekError
                                   << "; it is played again from a new pipeline at its end";
        if (!open(error) || !preroll(error)) {
            return false;
        }
    }
    play();
    qCDebug(lcMedia).noquote() << "file source" << channel_ << "playing" << path_;
    return true;
}

bool FileSource::open(QString *error) {
    if (busWatch_) {
        g_source_remove(busWatch_);
        busWatch_ = 0;
    }
    if (pipeline_) {
        gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    }
    output_.reset();
    linked_ = false;
    endReachedEarly_ = false;
    GErrorPtr parseError;
    pipeline_.reset(gst_parse_launch(description_.toUtf8().constData(), out(parseError)));
    if (!pipeline_ || parseError) {
        *error = tr("Cannot build a player for %1: %2")
                     .arg(path_, parseError ? QString::fromUtf8(parseError->message) : QString());
        return false;
    }
    gst_object_ref_sink(pipeline_.get());
    GstPtr<GstElement> file(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "file"));
    GstPtr<GstElement> decode(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "decode"));
    output_.reset(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "output"));
    if (frames_) {
        return openFrameReader(file.get(), error);
    }
    g_object_set(file.get(), "location", path_.toUtf8().constData(), nullptr);
    if (!decode) {
        linked_ = true;  // a parser linked by the description itself
        return true;
    }
    g_signal_connect(decode.get(), "autoplug-continue", G_CALLBACK(&FileSource::continueAutoplug), this);
    g_signal_connect(decode.get(), "pad-added", G_CALLBACK(&FileSource::onPadAdded), this);
    g_signal_connect(decode.get(), "no-more-pads", G_CALLBACK(&FileSource::onNoMorePads), this);
    return true;
}

bool FileSource::openFrameReader(GstElement *appsrc, QString *error) {
    if (!frames_->open(path_, error)) {
        return false;
    }
    gst_video_info_set_format(&frameInfo_, GST_VIDEO_FORMAT_I420, guint(frames_->width()),
                              guint(frames_->height()));
    frameInfo_.fps_n = frames_->fpsNumerator();
    frameInfo_.fps_d = frames_->fpsDenominator();
    frameInfo_.par_n = frames_->parNumerator();
    frameInfo_.par_d = frames_->parDenominator();
    GstCapsPtr caps(gst_video_info_to_caps(&frameInfo_));
    if (framePool_) {  // a new pipeline for the same file: the frames of the last one are free again
        gst_buffer_pool_set_active(framePool_.get(), FALSE);
    }
    framePool_.reset(gst_video_buffer_pool_new());
    GstStructure *config = gst_buffer_pool_get_config(framePool_.get());
    // No upper bound: the pool grows to the frames in flight (three or four) and keeps them.
    gst_buffer_pool_config_set_params(config, caps.get(), guint(frameInfo_.size), 2, 0);
    if (!gst_buffer_pool_set_config(framePool_.get(), config) ||
        !gst_buffer_pool_set_active(framePool_.get(), TRUE)) {
        *error = tr("Cannot play %1: no memory for its frames.").arg(path_);
        return false;
    }
    framesPushed_ = 0;
    linked_ = true;
    // Pushed only when asked (need-data), so its queue holds one frame at most.
    g_object_set(appsrc, "caps", caps.get(), "format", GST_FORMAT_TIME, "emit-signals", TRUE, nullptr);
    g_signal_connect(appsrc, "need-data", G_CALLBACK(&FileSource::onNeedData), this);
    return true;
}

// The appsrc's streaming thread; the main thread touches frames_ and framePool_ only with the
// pipeline stopped.
void FileSource::onNeedData(GstElement *appsrc, guint, gpointer self) {
    auto *source = static_cast<FileSource *>(self);
    GstBuffer *buffer = nullptr;
    if (gst_buffer_pool_acquire_buffer(source->framePool_.get(), &buffer, nullptr) != GST_FLOW_OK) {
        return;  // stopping
    }
    GstVideoFrame frame;
    QString error;
    bool read = false;
    if (gst_video_frame_map(&frame, &source->frameInfo_, buffer, GST_MAP_WRITE)) {
        Y4mFile::Plane planes[3];
        for (guint p = 0; p < 3; ++p) {
            planes[p] = {static_cast<uint8_t *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p)),
                         GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p)};
        }
        const int loopsBefore = source->frames_->loops();
        read = source->frames_->readFrame(planes, &error);
        gst_video_frame_unmap(&frame);
        if (source->frames_->loops() != loopsBefore) {
            ++source->loops_;
        }
    } else {
        error = tr("Cannot play %1: no memory for its frames.").arg(source->path_);
    }
    GstFlowReturn flow = GST_FLOW_OK;
    if (!read) {
        gst_buffer_unref(buffer);
        // The call goes on: intervideosrc repeats the last frame, then sends black; the end of
        // the stream makes the bus watch try the file once more from a new pipeline.
        qCWarning(lcMedia).noquote() << "playing" << source->path_ << "failed:" << error;
        g_signal_emit_by_name(appsrc, "end-of-stream", &flow);
        return;
    }
    // Timestamps run on across the loop: the file side never seeks.
    const GstVideoInfo &info = source->frameInfo_;
    const auto at = [&info](guint64 n) {
        return gst_util_uint64_scale(n, GST_SECOND * guint64(info.fps_d), guint64(info.fps_n));
    };
    GST_BUFFER_PTS(buffer) = at(source->framesPushed_);
    GST_BUFFER_DURATION(buffer) = at(source->framesPushed_ + 1) - GST_BUFFER_PTS(buffer);
    ++source->framesPushed_;
    g_signal_emit_by_name(appsrc, "push-buffer", buffer, &flow);
    gst_buffer_unref(buffer);
}

bool FileSource::preroll(QString *error) {
    gst_element_set_state(pipeline_.get(), GST_STATE_PAUSED);
    return waitForPreroll(error);
}

bool FileSource::waitForPreroll(QString *error) {
    GstPtr<GstBus> bus(gst_element_get_bus(pipeline_.get()));
    // A clip shorter than the output queue is read to its end while the sink prerolls: its
    // SEGMENT_DONE comes before ASYNC_DONE and must not be lost, or it would never start over.
    const auto wanted = GstMessageType(GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR | GST_MESSAGE_SEGMENT_DONE |
                                       GST_MESSAGE_EOS | GST_MESSAGE_APPLICATION);
    QString reason;
    for (;;) {
        GstMessage *message = gst_bus_timed_pop_filtered(bus.get(), kPrerollTimeout, wanted);
        if (!message) {
            reason = tr("it did not start within %1 s").arg(kPrerollTimeout / GST_SECOND);
            break;
        }
        const GstMessageType type = GST_MESSAGE_TYPE(message);
        if (type == GST_MESSAGE_ERROR) {
            GErrorPtr gstError;
            gst_message_parse_error(message, out(gstError), nullptr);
            reason = QString::fromUtf8(gstError->message);
        } else if (type == GST_MESSAGE_APPLICATION ||
                   (type == GST_MESSAGE_ASYNC_DONE && (!linked_ || !outputHasCaps()))) {
            // onNoMorePads() found nothing of our kind; without it the sink would wait for ever.
            // Or the file ended before its parser found a stream (the sink prerolls on EOS).
            reason = kind_ == Kind::Video ? tr("it has no video that can be decoded")
                                          : tr("it has no audio that can be decoded");
        } else if (type == GST_MESSAGE_SEGMENT_DONE || type == GST_MESSAGE_EOS) {
            endReachedEarly_ = true;
            gst_message_unref(message);
            continue;
        }
        gst_message_unref(message);
        break;
    }
    if (reason.isEmpty()) {
        return true;
    }
    *error = tr("Cannot play %1: %2.").arg(path_, reason);
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    return false;
}

bool FileSource::outputHasCaps() const {
    GstPtr<GstPad> sink(gst_element_get_static_pad(output_.get(), "sink"));
    return sink && gst_pad_has_current_caps(sink.get());
}

bool FileSource::usesElement(const char *factoryName) const {
    GstIterator *elements = gst_bin_iterate_recurse(GST_BIN(pipeline_.get()));
    bool found = false;
    GValue item = G_VALUE_INIT;
    while (!found && gst_iterator_next(elements, &item) == GST_ITERATOR_OK) {
        auto *element = GST_ELEMENT(g_value_get_object(&item));
        GstElementFactory *factory = gst_element_get_factory(element);
        found = factory && g_strcmp0(GST_OBJECT_NAME(factory), factoryName) == 0;
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(elements);
    return found;
}

void FileSource::play() {
    GstPtr<GstBus> bus(gst_element_get_bus(pipeline_.get()));
    busWatch_ = gst_bus_add_watch(bus.get(), &FileSource::onBusMessage, this);
    if (segmentSeeks_ && endReachedEarly_) {
        endReachedEarly_ = false;
        startOver();  // queued behind the segment still in the output queue
    }
    gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
}

gboolean FileSource::continueAutoplug(GstElement *, GstPad *, GstCaps *caps, gpointer self) {
    // A stream of the other kind is not decoded at all: it ends, still encoded, in a fakesink.
    const Kind other = static_cast<FileSource *>(self)->kind_ == Kind::Video ? Kind::Audio : Kind::Video;
    return isKind(caps, other) ? FALSE : TRUE;
}

// Streaming thread. The first raw stream of our kind goes to the output; anything else (a second
// video stream, the other kind, subtitles) to a fakesink of its own, so that the demuxer never
// sees "not linked".
void FileSource::onPadAdded(GstElement *decodebin, GstPad *pad, gpointer self) {
    auto *source = static_cast<FileSource *>(self);
    GstCapsPtr caps(gst_pad_get_current_caps(pad));
    if (!caps) {
        caps.reset(gst_pad_query_caps(pad, nullptr));
    }
    const char *rawName = source->kind_ == Kind::Video ? "video/x-raw" : "audio/x-raw";
    const bool wanted = caps && !gst_caps_is_empty(caps.get()) &&
                        gst_structure_has_name(gst_caps_get_structure(caps.get(), 0), rawName);
    if (wanted && !source->linked_.exchange(true)) {
        GstPtr<GstPad> sink(gst_element_get_static_pad(source->output_.get(), "sink"));
        if (GST_PAD_LINK_FAILED(gst_pad_link(pad, sink.get()))) {
            qCWarning(lcMedia).noquote() << "cannot link the decoded stream of" << source->path_;
            source->linked_ = false;
        }
        return;
    }
    GstElement *bin = GST_ELEMENT(gst_element_get_parent(decodebin));
    GstElement *discard = gst_element_factory_make("fakesink", nullptr);
    g_object_set(discard, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(GST_BIN(bin), discard);
    gst_element_sync_state_with_parent(discard);
    GstPtr<GstPad> sink(gst_element_get_static_pad(discard, "sink"));
    gst_pad_link(pad, sink.get());
    gst_object_unref(bin);
}

// Streaming thread: every stream of the file is exposed. None of our kind means the sink will never
// preroll; tell waitForPreroll().
void FileSource::onNoMorePads(GstElement *decodebin, gpointer self) {
    auto *source = static_cast<FileSource *>(self);
    if (!source->linked_) {
        gst_element_post_message(
            decodebin,
            gst_message_new_application(GST_OBJECT(decodebin), gst_structure_new_empty("confab-no-stream")));
    }
}

gboolean FileSource::onBusMessage(GstBus *, GstMessage *message, gpointer self) {
    auto *source = static_cast<FileSource *>(self);
    switch (GST_MESSAGE_TYPE(message)) {
        case GST_MESSAGE_SEGMENT_DONE:
        case GST_MESSAGE_EOS:
            // Unless startOver() made a new pipeline (with a new watch on its bus), the watch stays.
            return source->startOver() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
        case GST_MESSAGE_ERROR: {
            GErrorPtr error;
            gchar *rawDebug = nullptr;
            gst_message_parse_error(message, out(error), &rawDebug);
            const GCharPtr debug(rawDebug);
            // The call goes on: the inter source repeats the last frame, then sends black.
            qCWarning(lcMedia).noquote()
                << "playing" << source->path_ << "failed:" << error->message << (debug ? debug.get() : "");
            if (source->seekedAtEnd_) {
                // The seek back to the start is what failed: from now on a new pipeline each time.
                qCWarning(lcMedia).noquote() << "playing" << source->path_ << "again from a new pipeline";
                source->seekAtEnd_ = false;
                return source->startOver() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
            }
            break;
        }
        default:
            break;
    }
    return G_SOURCE_CONTINUE;
}

bool FileSource::startOver() {
    ++loops_;
    qCDebug(lcMedia).noquote() << "file source" << channel_ << "starts over:" << loops_;
    seekedAtEnd_ = false;
    if (segmentSeeks_) {
        // Queued behind the segment now ending, no flush: its running time goes on seamlessly.
        if (!gst_element_seek(pipeline_.get(), 1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_SEGMENT, GST_SEEK_TYPE_SET,
                              0, GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE)) {
            qCWarning(lcMedia).noquote() << "cannot start" << path_ << "over; it stays on its last frame";
        }
        return true;
    }
    // At its end y4mdec holds no partial frame, so a flushing seek back to the first frame works
    // (y4mdec keeps what it has buffered across a flush: a seek in the middle of the file can
    // fail, which is why the file is not seeked in segments). Staying in one pipeline matters
    // for memory: a new pipeline decodes its frames on a new streaming thread, which glibc may
    // serve from another arena while the old frames' memory stays resident in the first one (up
    // to 17 MB more for a 720p clip, docs/performance.md).
    if (seekAtEnd_ && gst_element_seek_simple(pipeline_.get(), GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH, 0)) {
        seekedAtEnd_ = true;
        return true;
    }
    busWatch_ = 0;  // removed by returning G_SOURCE_REMOVE from the watch that called us
    QString error;
    if (!open(&error)) {
        qCWarning(lcMedia).noquote() << error;
        return false;
    }
    play();
    return false;
}

}  // namespace confab
