// SPDX-License-Identifier: GPL-3.0-or-later
#include "MediaWireCheck.h"

#include <algorithm>

namespace {

// A stream with at least this many packets is judged; a first payload byte shared by more than
// this share of them is structure, not ciphertext (random bytes: about 1/256 each, a few % at most
// by chance with these counts).
constexpr int kMinStreamPackets = 50;
constexpr double kConstantShare = 0.25;

quint8 byteAt(const QByteArray &bytes, qsizetype i) {
    return quint8(bytes.at(i));
}

// Where the payload of an RTP packet starts (after CSRCs and any header extension), or -1.
qsizetype rtpPayloadOffset(const QByteArray &packet) {
    if (packet.size() < 12) {
        return -1;
    }
    qsizetype offset = 12 + 4 * (byteAt(packet, 0) & 0x0f);
    if (byteAt(packet, 0) & 0x10) {  // X: a header extension, its length in 32-bit words
        if (packet.size() < offset + 4) {
            return -1;
        }
        offset += 4 + 4 * ((byteAt(packet, offset + 2) << 8) | byteAt(packet, offset + 3));
    }
    return offset < packet.size() ? offset : -1;
}

// RFC 7741: the VP8 payload descriptor, then (first packet of a frame) the VP8 frame header: a
// 3-byte frame tag whose low bit is 0 for a keyframe, then the start code 9d 01 2a.
bool isVp8KeyframeStart(const QByteArray &packet, qsizetype payload) {
    const qsizetype size = packet.size();
    const quint8 first = byteAt(packet, payload);
    const bool startOfPartition = first & 0x10;
    const int partitionIndex = first & 0x07;
    qsizetype i = payload + 1;
    if (first & 0x80) {  // X: extended control bits
        if (i >= size) {
            return false;
        }
        const quint8 extension = byteAt(packet, i++);
        if (extension & 0x80) {  // I: picture id, 7 or 15 bits
            if (i >= size) {
                return false;
            }
            i += (byteAt(packet, i) & 0x80) ? 2 : 1;
        }
        if (extension & 0x40) {  // L: TL0PICIDX
            ++i;
        }
        if (extension & 0x30) {  // T or K: TID/KEYIDX
            ++i;
        }
    }
    if (!startOfPartition || partitionIndex != 0 || i + 6 > size) {
        return false;
    }
    return (byteAt(packet, i) & 0x01) == 0 && byteAt(packet, i + 3) == 0x9d &&
           byteAt(packet, i + 4) == 0x01 && byteAt(packet, i + 5) == 0x2a;
}

}  // namespace

MediaWireCheck::MediaWireCheck(const QList<UdpDatagram> &datagrams, const QSet<quint16> &ports) {
    for (const UdpDatagram &datagram : datagrams) {
        if (!ports.isEmpty() && !ports.contains(datagram.sourcePort) &&
            !ports.contains(datagram.destinationPort)) {
            continue;
        }
        clientHello_ = clientHello_ || datagram.dtlsHandshakeTypes.contains(1);
        serverHello_ = serverHello_ || datagram.dtlsHandshakeTypes.contains(2);
        if (datagram.payload.isEmpty()) {
            ++unclassified_;
            continue;
        }
        // RFC 7983's demultiplexing by the first byte.
        const quint8 first = byteAt(datagram.payload, 0);
        if (first <= 3) {
            ++stun_;
        } else if (first >= 20 && first <= 63) {
            ++dtls_;
        } else if (first >= 128 && first <= 191 && datagram.payload.size() >= 12) {
            // RFC 5761: payload types 64–95 with the marker bit are RTCP packet types 192–223.
            const int type = byteAt(datagram.payload, 1) & 0x7f;
            if (type >= 64 && type <= 95) {
                ++rtcp_;
            } else {
                ++rtp_;
                rtpPacket(datagram.payload);
            }
        } else {
            ++unclassified_;
        }
    }
}

void MediaWireCheck::rtpPacket(const QByteArray &packet) {
    const qsizetype payload = rtpPayloadOffset(packet);
    if (payload < 0) {
        return;
    }
    if (isVp8KeyframeStart(packet, payload)) {
        ++vp8Keyframes_;
    }
    const quint32 ssrc = (quint32(byteAt(packet, 8)) << 24) | (quint32(byteAt(packet, 9)) << 16) |
                         (quint32(byteAt(packet, 10)) << 8) | byteAt(packet, 11);
    Stream &stream = streams_[ssrc];
    stream.payloadType = byteAt(packet, 1) & 0x7f;
    ++stream.packets;
    ++stream.firstByteCounts[byteAt(packet, payload)];
}

QStringList MediaWireCheck::cleartextFindings() const {
    QStringList findings;
    if (vp8Keyframes_ > 0) {
        findings << QStringLiteral("%1 RTP packets start a VP8 keyframe in clear (start code 9d 01 2a)")
                        .arg(vp8Keyframes_);
    }
    for (auto it = streams_.begin(); it != streams_.end(); ++it) {
        const Stream &stream = it.value();
        if (stream.packets < kMinStreamPackets) {
            continue;
        }
        const int *most =
            std::max_element(std::begin(stream.firstByteCounts), std::end(stream.firstByteCounts));
        if (*most > kConstantShare * stream.packets) {
            findings << QStringLiteral(
                            "SSRC %1 (payload type %2): payload byte 0 is 0x%3 in %4 of %5 packets")
                            .arg(it.key(), 8, 16, QLatin1Char('0'))
                            .arg(stream.payloadType)
                            .arg(int(most - std::begin(stream.firstByteCounts)), 2, 16, QLatin1Char('0'))
                            .arg(*most)
                            .arg(stream.packets);
        }
    }
    return findings;
}

QString MediaWireCheck::summary() const {
    QStringList judged;
    for (auto it = streams_.begin(); it != streams_.end(); ++it) {
        judged << QStringLiteral("%1×pt%2").arg(it.value().packets).arg(it.value().payloadType);
    }
    return QStringLiteral("STUN %1, DTLS %2 (ClientHello %3, ServerHello %4), RTP %5 [%6], RTCP %7, other %8")
        .arg(stun_)
        .arg(dtls_)
        .arg(clientHello_ ? QStringLiteral("yes") : QStringLiteral("no"))
        .arg(serverHello_ ? QStringLiteral("yes") : QStringLiteral("no"))
        .arg(rtp_)
        .arg(judged.join(QStringLiteral(", ")))
        .arg(rtcp_)
        .arg(unclassified_);
}
