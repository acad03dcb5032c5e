// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace confab {

// What a call sends. "None" sends no track of that kind (the call can still receive it). "File"
// loops a media file (videoFile/audioFile) as if it were a camera or microphone (FileSource).
enum class VideoSourceKind { None = 1, Test, Camera, Echo, File };
enum class AudioSourceKind { None = 1, Test, Microphone, Echo, File };
enum class VideoCodec { VP8 = 1, H264 };
// What a test video source draws. Ball: a ball bouncing on a flat background (the default).
// ScrollingBars: SMPTE colour bars scrolling sideways, which costs a quarter of the ball to draw at
// 720p (videotestsrc draws the ball pixel by pixel: ~3.8 ms a frame, ~1 ms for the bars) and gives
// the encoder edges in motion to code (a 720p call then costs more in all: ~0.38 instead of ~0.33
// of a core per peer at cpu-used=8), closer to a camera's work than a flat background.
enum class TestPattern { Ball = 1, ScrollingBars };

struct MediaOptions {
    VideoSourceKind video = VideoSourceKind::Test;
    AudioSourceKind audio = AudioSourceKind::Test;
    int width = 640;
    int height = 480;
    int fps = 30;
    VideoCodec codec = VideoCodec::VP8;  // what the caller sends; the callee follows the offer
    TestPattern testPattern = TestPattern::Ball;  // for VideoSourceKind::Test and a missing camera
    // The video encoder's rate: where a call starts, and how far BandwidthEstimator may move it.
    int startBitrateKbps = 300;
    int minBitrateKbps = 50;
    int maxBitrateKbps = 2500;
    // Echo sources replay what this call receives; the channel names which call's sinks feed them.
    QString echoChannel;
    // Devices the user chose, by the name GstDeviceMonitor shows; empty or absent: the first found.
    QString cameraDevice;
    QString microphoneDevice;
    QString speakerDevice;  // for the host's audio sink; core itself plays nothing
    // For VideoSourceKind::File and AudioSourceKind::File: any file GStreamer can decode.
    QString videoFile;
    QString audioFile;
    // webrtcdsp on the microphone with webrtcechoprobe before the playback sink (same pipeline).
    // Off by default: the sound server may cancel echo already, and doing it twice hurts.
    bool echoCancellation = false;
    // Writes the capture time into every sent video frame (FrameStamp) for glass-to-glass latency
    // measurements; the picture then carries a row of black and white blocks along its top.
    bool stampCaptureTime = false;
};

}  // namespace confab
