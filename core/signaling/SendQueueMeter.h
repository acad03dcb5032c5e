// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace confab {

// How many bytes the server holds for one WebSocket client that is not reading them: in the
// kernel's send queue (sent, not yet acknowledged) and, once that is full, in libsoup's queue,
// which has no limit and no API that tells its size (libsoup 3.2 has no buffered-amount call).
// Owned by ServerConnection.
//
// What the server handed libsoup is counted here; the kernel tells what the peer acknowledged and
// what is still in the socket's send queue (TCP_INFO's tcpi_bytes_acked, SIOCOUTQ). Their sum is
// what libsoup wrote; the difference from what it was handed is libsoup's queue, give or take
// bytes libsoup wrote of its own (pings, pongs, TLS records' overhead), which only make it look
// smaller. When the socket has room libsoup's queue is empty (libsoup writes a frame as soon as it
// is queued, and whenever the socket can take more), so that count starts from zero again then:
// what libsoup adds of its own never builds up over a connection's life.
//
// The system calls are made only when the bytes sent since the last look could have taken the
// total over `limit`: once per `limit` bytes sent, at most, for a client that reads.
class SendQueueMeter {
public:
    // `fd` is the connection's TCP socket. `limit` > 0.
    SendQueueMeter(int fd, qint64 limit);

    // False when the kernel cannot tell (then nothing is metered).
    bool isValid() const { return valid_; }
    // `bytes` more were handed to libsoup (a frame, header included). True when what the server
    // holds for the client (the kernel's queue and libsoup's) is over the limit.
    bool sentOverLimit(qint64 bytes);
    // What the server held for the client at the last measure (0 before any measure).
    qint64 lastHeld() const { return held_; }

    // The size on the wire of a text frame the server sends (unmasked) with `payload` bytes.
    static qint64 frameSize(qint64 payload);

private:
    // Bytes the kernel has taken from libsoup so far, or -1; *unacknowledged what of it the peer
    // has not acknowledged yet, *hasRoom whether a write would succeed now.
    qint64 takenByKernel(qint64 *unacknowledged, bool *hasRoom) const;

    int fd_;
    qint64 limit_;
    bool valid_ = false;
    qint64 sent_ = 0;          // handed to libsoup, in all
    qint64 base_ = 0;          // takenByKernel() - sent_ when libsoup's queue was last empty
    qint64 held_ = 0;          // at the last measure
    qint64 sinceMeasure_ = 0;  // sent since then
};

}  // namespace confab
