// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace confab {

// A token bucket: the refill arithmetic shared by the server's message rate limit, the video
// pacer and the retransmission budget. It holds up to `capacity` units and refills at `rate`
// units per tick of the caller's clock (milliseconds for the server, microseconds for the media
// path); the caller passes the time in, so tests need no clock. take() is the limiter's question
// (does this fit?), charge() the pacer's (how long until this is paid for?). Not thread-safe:
// a user shared between threads holds its own lock around it.
class TokenBucket {
public:
    TokenBucket(double rate, double capacity);

    // Both may change at any time (a send target follows the bandwidth estimate). What has
    // accrued so far is kept; above a lowered capacity it is cut at the next refill.
    void setRate(double rate);
    void setCapacity(double capacity);

    // Takes `amount` at `now` if the bucket holds it; false (and nothing taken) otherwise. An
    // amount larger than the whole capacity would never fit, so it is let through once the
    // bucket is full and leaves a debt that later takes wait out.
    bool take(double amount, qint64 now);

    // Takes `amount` at `now` unconditionally, running into debt if need be; returns how many
    // ticks until the debt is paid off at the current rate (0: there was enough). With a rate
    // of 0 a debt is never paid: the largest qint64.
    qint64 charge(double amount, qint64 now);

private:
    // Adds what accrued since the last call. The bucket starts full at its first use; a clock
    // that stands still or steps back adds nothing (and is not remembered as the last time).
    void refill(qint64 now);

    double rate_;
    double capacity_;
    double level_ = 0;  // units; negative while in debt
    qint64 last_ = -1;  // -1 until the first use
};

}  // namespace confab
