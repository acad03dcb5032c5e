// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSize>
#include <QtGlobal>

namespace confab {

// What SendRateControl needs of the video encoder: its target rate, the format it codes and what
// it has put out. LocalMedia is the real one; tests drive a fake without a pipeline.
class VideoEncoderControl {
public:
    virtual ~VideoEncoderControl() = default;

    virtual int videoBitrateKbps() const = 0;
    virtual void setVideoBitrateKbps(int kbps) = 0;
    // `size` invalid: as the source delivers it (a screen share keeps its own).
    virtual void setVideoFormat(QSize size, int fps) = 0;
    // Frames and bytes coded so far.
    virtual quint64 encodedFrames() const = 0;
    virtual quint64 encodedBytes() const = 0;
};

}  // namespace confab
