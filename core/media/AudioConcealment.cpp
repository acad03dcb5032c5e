// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/AudioConcealment.h"

#include <algorithm>

namespace confab {

int AudioConcealment::opusSamples(const quint8 *payload, qsizetype size) {
    if (size < 1) {
        return 0;
    }
    const int config = payload[0] >> 3;
    // Frame sizes in 48 kHz samples: SILK 10/20/40/60 ms, hybrid 10/20 ms, CELT 2.5/5/10/20 ms.
    int frame = 0;
    if (config < 12) {
        static constexpr int kSilk[] = {480, 960, 1920, 2880};
        frame = kSilk[config % 4];
    } else if (config < 16) {
        frame = config % 2 == 0 ? 480 : 960;
    } else {
        static constexpr int kCelt[] = {120, 240, 480, 960};
        frame = kCelt[config % 4];
    }
    int frames = 1;
    switch (payload[0] & 0x3) {
        case 0:
            frames = 1;
            break;
        case 1:
        case 2:
            frames = 2;
            break;
        default:
            if (size < 2) {
                return 0;
            }
            frames = payload[1] & 0x3f;
            break;
    }
    return frame * frames;
}

void AudioConcealment::packet(quint32 rtpTimestamp, const quint8 *payload, qsizetype size) {
    const int samples = opusSamples(payload, size);
    if (samples <= 0) {
        return;
    }
    const std::lock_guard lock(mutex_);
    if (!started_) {
        started_ = true;
        firstTimestamp_ = rtpTimestamp;
        lastExtended_ = 0;
        lastSamples_ = samples;
        receivedSamples_ = samples;
        return;
    }
    // The jitter buffer hands packets on in order; a difference past half the range is a wrap.
    const auto offset = qint32(rtpTimestamp - quint32(firstTimestamp_ + quint32(lastExtended_)));
    if (offset <= 0) {
        return;  // a duplicate or a packet from before: not new audio
    }
    lastExtended_ += offset;
    lastSamples_ = samples;
    receivedSamples_ += samples;
}

double AudioConcealment::concealedPercent() const {
    const std::lock_guard lock(mutex_);
    const qint64 span = lastExtended_ + lastSamples_;
    if (!started_ || span <= 0 || lastExtended_ == 0) {
        return 0;
    }
    return 100.0 * double(std::max<qint64>(0, span - receivedSamples_)) / double(span);
}

}  // namespace confab
