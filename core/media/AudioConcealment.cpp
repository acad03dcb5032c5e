// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/AudioConcealment.h"

#include <algorithm>
#include <array>

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

bool AudioConcealment::carriesFec(const quint8 *payload, qsizetype size) {
    if (size < 2) {
        return false;
    }
    const int config = payload[0] >> 3;
    const int code = payload[0] & 0x3;
    // Codes 0 and 1 start the first frame right after the TOC byte; 2 and 3 put lengths there.
    if (config >= 16 || code > 1) {
        return false;  // CELT only, or a frame layout this does not read
    }
    // The SILK layer (of SILK-only and hybrid frames) opens the range coder with one VAD flag per
    // 20 ms SILK frame and then the LBRR flag, each a bit of probability one half, which come out
    // as the first byte's bits from the top (RFC 6716 §4.2.3). SILK-only configurations 0-11 are
    // 10, 20, 40 and 60 ms frames; hybrid ones (12-15) 10 or 20 ms.
    const int vadFlags = config < 12 ? std::array{1, 1, 2, 3}[std::size_t(config % 4)] : 1;
    return (payload[1] >> (7 - vadFlags)) & 1;
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
    // What the gap before this packet leaves unheard, less the frame its FEC restores.
    const qint64 gap = qint64(offset) - lastSamples_;
    const qint64 restored = gap > 0 && carriesFec(payload, size) ? std::min<qint64>(gap, samples) : 0;
    lastExtended_ += offset;
    lastSamples_ = samples;
    receivedSamples_ += samples + restored;
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
