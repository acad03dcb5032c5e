// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/ReconnectBackoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace confab {

ReconnectBackoff::ReconnectBackoff(Milliseconds first, Milliseconds max) : first_(first), max_(max) {}

ReconnectBackoff::Milliseconds ReconnectBackoff::next() {
    const int shift = std::min(attempt_, 16);
    ++attempt_;
    const auto base = std::min<Milliseconds::rep>(first_.count() << shift, max_.count());
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    return Milliseconds(static_cast<Milliseconds::rep>(base * jitter));
}

}  // namespace confab
