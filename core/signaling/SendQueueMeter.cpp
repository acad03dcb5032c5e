// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/SendQueueMeter.h"

#include <algorithm>
#include <cstddef>

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace confab {

SendQueueMeter::SendQueueMeter(int fd, qint64 limit) : fd_(fd), limit_(limit) {
    qint64 unacknowledged = 0;
    bool hasRoom = false;
    const qint64 taken = takenByKernel(&unacknowledged, &hasRoom);
    valid_ = taken >= 0;
    base_ = taken;
}

qint64 SendQueueMeter::frameSize(qint64 payload) {
    return payload + (payload < 126 ? 2 : payload <= 0xffff ? 4 : 10);
}

qint64 SendQueueMeter::takenByKernel(qint64 *unacknowledged, bool *hasRoom) const {
    struct tcp_info info = {};
    socklen_t length = sizeof info;
    int unsent = 0;  // (and unacknowledged)
    if (getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
        length < offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked ||
        ioctl(fd_, SIOCOUTQ, &unsent) != 0) {
        return -1;
    }
    *unacknowledged = unsent;  // SIOCOUTQ: sent and not acknowledged, or not sent yet
    pollfd writable{fd_, POLLOUT, 0};
    *hasRoom = poll(&writable, 1, 0) == 1 && (writable.revents & POLLOUT);
    return static_cast<qint64>(info.tcpi_bytes_acked) + unsent;
}

bool SendQueueMeter::sentOverLimit(qint64 bytes) {
    if (!valid_) {
        return false;
    }
    sent_ += bytes;
    sinceMeasure_ += bytes;
    if (held_ + sinceMeasure_ <= limit_) {
        return false;  // even if the client acknowledged nothing since, it is within the limit
    }
    qint64 inKernel = 0;
    bool hasRoom = false;
    const qint64 taken = takenByKernel(&inKernel, &hasRoom);
    if (taken < 0) {
        return false;
    }
    sinceMeasure_ = 0;
    if (hasRoom) {
        base_ = taken - sent_;  // libsoup has written all it had
    }
    held_ = inKernel + std::max<qint64>(0, sent_ + base_ - taken);
    return held_ > limit_;
}

}  // namespace confab
