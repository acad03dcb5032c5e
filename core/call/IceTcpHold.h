// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/Message.h"

#include <QObject>
#include <QTimer>

#include <vector>

namespace confab {

// Gives UDP a head start over ICE-TCP. libnice 0.1.21 (regular nomination, as webrtcbin 1.22 sets
// it up) nominates the best pair that is valid once a host-to-host pair is: when a UDP check or its
// answer is lost and a TCP pair's check gets through first, the call runs over TCP for good. Over a
// lossy path that is about one call in four in bench/network; TCP then repairs the loss below RTP,
// and every repair stalls the whole stream behind it. So the peer's TCP candidates wait: they are
// given to webrtcbin only if the call has not connected kHeadStartMs after the first of them
// arrived (UDP blocked: ICE-TCP is still the way through), and dropped once it has. Main thread.
class IceTcpHold : public QObject {
    Q_OBJECT
public:
    static constexpr int kHeadStartMs = 2000;

    explicit IceTcpHold(QObject *parent = nullptr);

    // Whether `candidate` (an a=candidate line, with or without "a=") is a TCP one.
    static bool isTcp(const QString &candidate);
    // A remote candidate: true when it is held (handed to release() later or dropped), false
    // when it may go to webrtcbin now.
    bool hold(const protocol::IceCandidate &candidate);
    // The call connected: what is still held is not needed.
    void connected();
    int heldCount() const { return int(held_.size()); }

Q_SIGNALS:
    // The head start is over and the call has not connected: these go to webrtcbin after all.
    void release(const protocol::IceCandidate &candidate);

private:
    void headStartOver();

    QTimer timer_;
    bool connected_ = false;
    bool headStartOver_ = false;
    std::vector<protocol::IceCandidate> held_;
};

}  // namespace confab
