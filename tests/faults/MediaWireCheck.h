// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

// One captured UDP datagram: its ports, its payload, and the DTLS handshake message types tshark
// found in it (1 ClientHello, 2 ServerHello, …).
struct UdpDatagram {
    quint16 sourcePort = 0;
    quint16 destinationPort = 0;
    QByteArray payload;
    QList<int> dtlsHandshakeTypes;
};

// What a call's UDP traffic shows to someone on the path, and whether any of it is media in clear.
//
// WebRTC multiplexes STUN, DTLS and (S)RTP/(S)RTCP on one port; RFC 7983 tells them apart by the
// first byte. SRTP keeps the 12-byte RTP header in clear and encrypts the payload, so "looks like
// RTP" proves nothing: the checks look inside the payload, where plain media has structure and
// ciphertext has none:
//  - a VP8 keyframe's start code 9d 01 2a, three bytes after the VP8 payload descriptor, in the
//    first packet of a frame (RFC 7741; every keyframe has it);
//  - per stream (SSRC), the payload's first byte: in clear it is nearly constant (the VP8 payload
//    descriptor, 0x90/0x80 with picture ids; the Opus TOC byte of a fixed encoder set-up), in
//    ciphertext it is uniform over 256 values.
// Either finding means plain RTP. The checks are meant to fail on plain RTP, and
// tst_mediaencryption shows that they do on a plain rtpvp8pay/rtpopuspay stream.
class MediaWireCheck {
public:
    // Only datagrams from or to `ports` count (all when empty).
    MediaWireCheck(const QList<UdpDatagram> &datagrams, const QSet<quint16> &ports = {});

    int stun() const { return stun_; }
    int dtls() const { return dtls_; }
    int rtp() const { return rtp_; }
    int rtcp() const { return rtcp_; }
    int unclassified() const { return unclassified_; }
    bool sawDtlsClientHello() const { return clientHello_; }
    bool sawDtlsServerHello() const { return serverHello_; }
    int vp8KeyframesInClear() const { return vp8Keyframes_; }
    // Each finding that some RTP payload travels in clear, as a sentence; empty: none.
    QStringList cleartextFindings() const;
    QString summary() const;

private:
    void rtpPacket(const QByteArray &packet);

    int stun_ = 0;
    int dtls_ = 0;
    int rtp_ = 0;
    int rtcp_ = 0;
    int unclassified_ = 0;
    bool clientHello_ = false;
    bool serverHello_ = false;
    int vp8Keyframes_ = 0;
    struct Stream {
        int payloadType = 0;
        int packets = 0;
        int firstByteCounts[256] = {};
    };
    QMap<quint32, Stream> streams_;
};
