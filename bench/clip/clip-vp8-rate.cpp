// SPDX-License-Identifier: GPL-3.0-or-later
// clip-vp8-rate: how many bits VP8 needs for a clip. Encodes the whole clip once per target bitrate
// with the real-time settings Confab's calls use (core/media/LocalMedia: CBR, no lookahead, one
// thread, cpu-used 16 above 640x480), decodes it again, and reports the rate the encoder really
// produced and the luma PSNR of every decoded frame against its original. Prints one JSON object.
#include <gst/gst.h>
#include <gst/video/video.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

namespace {

struct Run {
    std::mutex mutex;
    std::map<GstClockTime, std::vector<guint8>> originals;  // luma by PTS, until decoded
    std::vector<double> psnr;
    guint64 encodedBytes = 0;
    int width = 0;
    int height = 0;
};

std::vector<guint8> luma(GstPad *pad, GstBuffer *buffer, int *width, int *height) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    GstVideoInfo info;
    std::vector<guint8> plane;
    if (caps && gst_video_info_from_caps(&info, caps)) {
        GstVideoFrame frame;
        if (gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ)) {
            *width = GST_VIDEO_FRAME_WIDTH(&frame);
            *height = GST_VIDEO_FRAME_HEIGHT(&frame);
            const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
            const auto *data = static_cast<const guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
            plane.resize(size_t(*width) * *height);
            for (int row = 0; row < *height; ++row) {
                std::copy_n(data + row * stride, *width, plane.data() + size_t(row) * *width);
            }
            gst_video_frame_unmap(&frame);
        }
    }
    if (caps) {
        gst_caps_unref(caps);
    }
    return plane;
}

GstPadProbeReturn keepOriginal(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    auto *run = static_cast<Run *>(data);
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    std::vector<guint8> plane = luma(pad, buffer, &run->width, &run->height);
    const std::lock_guard lock(run->mutex);
    run->originals[GST_BUFFER_PTS(buffer)] = std::move(plane);
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn countEncoded(GstPad *, GstPadProbeInfo *info, gpointer data) {
    auto *run = static_cast<Run *>(data);
    const std::lock_guard lock(run->mutex);
    run->encodedBytes += gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn compareDecoded(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    auto *run = static_cast<Run *>(data);
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    int width = 0;
    int height = 0;
    const std::vector<guint8> decoded = luma(pad, buffer, &width, &height);
    const std::lock_guard lock(run->mutex);
    const auto original = run->originals.find(GST_BUFFER_PTS(buffer));
    if (original == run->originals.end() || original->second.size() != decoded.size() || decoded.empty()) {
        return GST_PAD_PROBE_OK;
    }
    double squared = 0;
    for (size_t i = 0; i < decoded.size(); ++i) {
        const double d = double(decoded[i]) - original->second[i];
        squared += d * d;
    }
    const double mse = squared / double(decoded.size());
    run->psnr.push_back(mse > 0 ? 10 * std::log10(255.0 * 255.0 / mse) : 99.0);
    run->originals.erase(run->originals.begin(), std::next(original));
    return GST_PAD_PROBE_OK;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) {
        return std::nan("");
    }
    std::sort(values.begin(), values.end());
    const double rank = p / 100.0 * double(values.size() - 1);
    const size_t low = size_t(std::floor(rank));
    const size_t high = std::min(values.size() - 1, low + 1);
    return values[low] + (values[high] - values[low]) * (rank - double(low));
}

double rounded(double value) {
    return std::round(value * 10) / 10;
}

QJsonObject encode(const QString &clip, int kbps, int fps) {
    // LocalMedia's kVp8Encoder, at the speed it picks above 640x480.
    const QString description =
        QStringLiteral(
            "filesrc name=file ! y4mdec ! videoconvert ! video/x-raw,format=I420 "
            "! vp8enc name=enc deadline=1 end-usage=cbr lag-in-frames=0 buffer-size=1000 "
            "buffer-initial-size=500 buffer-optimal-size=600 undershoot=100 overshoot=15 "
            "min-quantizer=2 max-quantizer=56 cpu-used=16 error-resilient=default "
            "keyframe-max-dist=3000 threads=1 target-bitrate=%1 "
            "! vp8dec name=dec ! fakesink name=out sync=false")
            .arg(kbps * 1000);
    GError *error = nullptr;
    GstElement *pipeline = gst_parse_launch(description.toUtf8().constData(), &error);
    if (!pipeline) {
        const QString message = QString::fromUtf8(error ? error->message : "unknown error");
        g_clear_error(&error);
        return {{QStringLiteral("error"), message}};
    }
    Run run;
    GstElement *file = gst_bin_get_by_name(GST_BIN(pipeline), "file");
    g_object_set(file, "location", clip.toUtf8().constData(), nullptr);
    gst_object_unref(file);
    const auto probe = [&](const char *element, const char *pad, GstPadProbeCallback callback) {
        GstElement *e = gst_bin_get_by_name(GST_BIN(pipeline), element);
        GstPad *p = gst_element_get_static_pad(e, pad);
        gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER, callback, &run, nullptr);
        gst_object_unref(p);
        gst_object_unref(e);
    };
    probe("enc", "sink", keepOriginal);
    probe("enc", "src", countEncoded);
    probe("out", "sink", compareDecoded);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *message = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
                                                     GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    QString failure;
    if (message && GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
        GError *gstError = nullptr;
        gst_message_parse_error(message, &gstError, nullptr);
        failure = QString::fromUtf8(gstError->message);
        g_clear_error(&gstError);
    }
    if (message) {
        gst_message_unref(message);
    }
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    if (!failure.isEmpty()) {
        return {{QStringLiteral("error"), failure}};
    }
    const double seconds = double(run.psnr.size()) / fps;
    double mean = 0;
    for (const double value : run.psnr) {
        mean += value / double(run.psnr.size());
    }
    return {{QStringLiteral("targetKbps"), kbps},
            {QStringLiteral("actualKbps"),
             seconds > 0 ? qRound(double(run.encodedBytes) * 8 / 1000 / seconds) : 0},
            {QStringLiteral("frames"), int(run.psnr.size())},
            {QStringLiteral("psnrYMeanDb"), rounded(mean)},
            {QStringLiteral("psnrYP10Db"), rounded(percentile(run.psnr, 10))},
            {QStringLiteral("psnrYMinDb"), rounded(percentile(run.psnr, 0))}};
}

}  // namespace

int main(int argc, char *argv[]) {
    gst_init(&argc, &argv);
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("VP8's bitrate and quality on a Y4M clip."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("clip"), QStringLiteral("The .y4m clip."), QStringLiteral("file")},
        {QStringLiteral("rates"), QStringLiteral("Comma-separated target bitrates, kb/s."),
         QStringLiteral("list"), QStringLiteral("300,500,1000,1500,2500,4000")},
        {QStringLiteral("good-db"), QStringLiteral("Mean luma PSNR taken as good quality."),
         QStringLiteral("dB"), QStringLiteral("38")},
        {QStringLiteral("fps"), QStringLiteral("The clip's frame rate."), QStringLiteral("n"),
         QStringLiteral("30")},
    });
    parser.process(app);
    const QString clip = parser.value(QStringLiteral("clip"));
    const double good = parser.value(QStringLiteral("good-db")).toDouble();
    if (clip.isEmpty()) {
        std::fprintf(stderr, "clip-vp8-rate: needs --clip FILE.y4m\n");
        return 2;
    }
    QJsonArray runs;
    QJsonValue lowestGood;
    int floorKbps = 0;
    for (const QString &rate : parser.value(QStringLiteral("rates")).split(QLatin1Char(','))) {
        std::fprintf(stderr, "clip-vp8-rate: %s kb/s\n", qPrintable(rate));
        const QJsonObject run = encode(clip, rate.toInt(), parser.value(QStringLiteral("fps")).toInt());
        if (run.contains(QStringLiteral("error"))) {
            std::fprintf(stderr, "clip-vp8-rate: %s\n",
                         qPrintable(run.value(QStringLiteral("error")).toString()));
            return 1;
        }
        if (lowestGood.isNull() && run.value(QStringLiteral("psnrYMeanDb")).toDouble() >= good) {
            lowestGood = run.value(QStringLiteral("actualKbps"));
        }
        const int actual = run.value(QStringLiteral("actualKbps")).toInt();
        floorKbps = floorKbps == 0 ? actual : std::min(floorKbps, actual);
        runs.append(run);
    }
    const QJsonObject report{
        {QStringLiteral("bench"), QStringLiteral("clip-vp8-rate")},
        {QStringLiteral("clip"), clip},
        {QStringLiteral("encoder"), QStringLiteral("vp8enc real-time CBR, cpu-used=16, 1 thread")},
        {QStringLiteral("goodPsnrYDb"), good},
        {QStringLiteral("lowestKbpsWithGoodQuality"), lowestGood},
        // The least the encoder produced for any target: below it the real-time
        // encoder cannot go at this size (its quantizer is at its ceiling).
        {QStringLiteral("floorKbps"), floorKbps},
        {QStringLiteral("runs"), runs}};
    std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
    return 0;
}
