// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/EchoLoop.h"

#include "util/GLibPtr.h"
#include "util/Logging.h"

namespace confab {

RemoteMedia::SinkFactory EchoLoop::sinks(const MediaOptions &media) {
    return [media](MediaKind kind) -> GstElement * {
        // Square pixels on the way out make videoscale keep the picture's shape and fill the rest
        // with borders (add-borders); without them it would change the pixel aspect ratio instead,
        // which the encoder then ignores: the picture arrives stretched.
        const QString description =
            kind == MediaKind::Video
                ? QStringLiteral("videoconvert ! videoscale add-borders=true "
                                 "! video/x-raw,format=I420,width=%1,height=%2,pixel-aspect-ratio=1/1 "
                                 "! intervideosink channel=%3-video")
                      .arg(media.width)
                      .arg(media.height)
                      .arg(media.echoChannel)
                : QStringLiteral("audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 "
                                 "! interaudiosink channel=%1-audio")
                      .arg(media.echoChannel);
        GErrorPtr error;
        GstElement *bin = gst_parse_bin_from_description(description.toUtf8().constData(), TRUE, out(error));
        if (!bin) {
            qCWarning(lcMedia).noquote() << "echo sink:" << error->message;
        }
        return bin;
    };
}

}  // namespace confab
