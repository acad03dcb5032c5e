// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>

namespace confab {

// Delays between reconnection attempts: doubling from `first` up to `max`, with ±20% jitter so
// thousands of clients dropped by one server restart do not return in the same millisecond.
class ReconnectBackoff {
public:
    using Milliseconds = std::chrono::milliseconds;

    ReconnectBackoff(Milliseconds first = Milliseconds(250), Milliseconds max = Milliseconds(3000));

    Milliseconds next();
    void reset() { attempt_ = 0; }
    int attempts() const { return attempt_; }

private:
    Milliseconds first_;
    Milliseconds max_;
    int attempt_ = 0;
};

}  // namespace confab
