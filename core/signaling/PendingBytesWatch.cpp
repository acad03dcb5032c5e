// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/PendingBytesWatch.h"

namespace confab {

void PendingBytesWatch::unwatch(int fd, void *owner) {
    const auto it = owners_.constFind(fd);
    if (it != owners_.cend() && it.value() == owner) {
        owners_.erase(it);
    }
}

void PendingBytesWatch::bytesRead(int fd) const {
    // Looked up now: the check of another descriptor in the same run may have closed this one.
    if (void *owner = owners_.value(fd)) {
        onBytes_(owner);
    }
}

void PendingBytesWatch::checkAll() const {
    // By descriptor, each looked up when its turn comes: a check may close others.
    const QList<int> fds = owners_.keys();
    for (const int fd : fds) {
        bytesRead(fd);
    }
}

}  // namespace confab
