// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <mutex>

namespace confab {

// The share of the peer's audio that was never heard as sent: packets lost on the way or too late
// for the jitter buffer, which the decoder had to conceal (Opus PLC). Counted from the Opus RTP
// packets that leave the jitter buffer for the decoder: the time their RTP timestamps span against
// the time their payloads hold (each packet's duration read from its Opus TOC byte, RFC 6716 §3.1).
// A packet that carries in-band FEC (LBRR, §4.2.4) after a gap gives back the frame before it:
// opusdec with use-inband-fec (RemoteMedia) decodes that frame from it, so it is heard, not
// concealed, as in Chromium's concealedSamples / totalSamplesReceived, which this approximates.
// Fed on a streaming thread, read on any.
class AudioConcealment {
public:
    // One RTP packet: its timestamp (48 kHz clock) and payload.
    void packet(quint32 rtpTimestamp, const quint8 *payload, qsizetype size);
    // Percent of the span since the first packet that was concealed; 0 before two packets.
    double concealedPercent() const;
    // The duration, in 48 kHz samples, of one Opus packet; 0 when the payload is not Opus.
    static int opusSamples(const quint8 *payload, qsizetype size);
    // Whether an Opus packet carries in-band FEC for the frame before it (its first channel's
    // LBRR flag); false for CELT-only packets, which cannot.
    static bool carriesFec(const quint8 *payload, qsizetype size);

private:
    mutable std::mutex mutex_;
    bool started_ = false;
    quint32 firstTimestamp_ = 0;
    qint64 lastExtended_ = 0;  // the newest timestamp, unwrapped, relative to the first
    int lastSamples_ = 0;
    qint64 receivedSamples_ = 0;
};

}  // namespace confab
