// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace confab {

// A token bucket for one connection's message rate: it holds up to `burst` tokens, refills at
// `perSecond`, and each message takes one. A client may send a burst (trickled ICE candidates
// come in dozens at once) but not a sustained flood. Time is passed in, so tests need no clock.
class TokenBucket {
public:
    // perSecond <= 0 turns the limit off: take() always succeeds.
    TokenBucket(double perSecond, int burst);

    // Takes a token at `nowMs` (a monotonic clock); false when the bucket is empty.
    bool take(qint64 nowMs);

private:
    double perMs_;
    double capacity_;
    double tokens_;
    qint64 lastMs_ = -1;
};

}  // namespace confab
