#include "signaling/PresenceBatcher.h"

namespace confab {

PresenceBatcher::PresenceBatcher(int windowMs, QObject *parent) : QObject(parent) {
    timer_.setSingleShot(true);
    timer_.setInterval(windowMs);
    connect(&timer_, &QTimer::timeout, this, &PresenceBatcher::flush);
}

void PresenceBatcher::note(const QString &name, bool online) {
    pending_.insert(name, online);
    if (!timer_.isActive()) {
        timer_.start();
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
