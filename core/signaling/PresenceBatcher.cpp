// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/PresenceBatcher.h"

#include <algorithm>

namespace confab {

PresenceBatcher::PresenceBatcher(int baseWindowMs, std::function<qsizetype()> audience, QObject *parent)
    : QObject(parent), baseWindowMs_(baseWindowMs), audience_(std::move(audience)) {
    timer_.setSingleShot(true);
    connect(&timer_, &QTimer::timeout, this, &PresenceBatcher::flush);
}

int PresenceBatcher::windowFor(int baseWindowMs, qsizetype audience) {
    const qsizetype scaled = audience / kAudiencePerMs;
    return int(std::clamp<qsizetype>(scaled, baseWindowMs, std::max(baseWindowMs, kMaxWindowMs)));
}

void PresenceBatcher::note(const QString &name, bool online) {
    pending_.insert(name, online);
    if (!timer_.isActive()) {
        timer_.start(windowFor(baseWindowMs_, audience_ ? audience_() : 0));
    }
}

void PresenceBatcher::flush() {
    protocol::PresenceMessage change;
    for (auto it = pending_.cbegin(); it != pending_.cend(); ++it) {
        (it.value() ? change.online : change.offline).append(it.key());
    }
    pending_.clear();
    change.online.sort();
    change.offline.sort();
    Q_EMIT changed(change);
}

}  // namespace confab
