// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <utility>

namespace confab {

// Hands work from a GStreamer thread (webrtcbin's own, or a streaming thread) to the thread of
// `owner`, normally the main thread. The callback runs only if `owner` still exists then; the
// caller must have copied everything it needs out of GStreamer's data before posting.
template <typename Owner, typename Function>
void postTo(Owner *owner, Function &&function) {
    QPointer<Owner> guard(owner);
    QMetaObject::invokeMethod(
        owner,
        [guard, function = std::forward<Function>(function)]() mutable {
            if (guard) {
                function(guard.data());
            }
        },
        Qt::QueuedConnection);
}

}  // namespace confab
