// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <gst/gst.h>

#include <atomic>

namespace confab {

// Notices that the peer's media stopped arriving. A peer that vanished (killed, network cut) says
// no goodbye, and webrtcbin 1.22 has no ICE consent freshness: what is left is that nothing at all
// comes in. Every RTP buffer that leaves webrtcbin towards our decoders (decrypted, out of the
// jitter buffer) counts, on its streaming thread, as an atomic increment; a main-thread timer
// looks at the count every 250 ms. Silence counts only once media has flowed.
class PeerMediaWatch : public QObject {
    Q_OBJECT
public:
    explicit PeerMediaWatch(int silentAfterMs, QObject *parent = nullptr);

    // Counts the buffers leaving `pad` (a webrtcbin src pad). Any thread (pad-added).
    void watch(GstPad *pad);
    // Also callable directly: one more buffer arrived. Any thread.
    void count() { arrived_.fetch_add(1, std::memory_order_relaxed); }

    void start() { timer_.start(); }
    void stop() { timer_.stop(); }
    // Milliseconds since the last buffer, once one has arrived; -1 before.
    qint64 silentForMs() const;

Q_SIGNALS:
    // Nothing for silentAfterMs (once per silence).
    void silent(qint64 ms);
    // Media came back after silent().
    void resumed();

private:
    void check();

    const int silentAfterMs_;
    std::atomic<quint64> arrived_{0};
    quint64 seen_ = 0;
    QElapsedTimer sinceLast_;
    bool reportedSilent_ = false;
    QTimer timer_;
};

}  // namespace confab
