// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/HeapTrimmer.h"

#include <malloc.h>

namespace confab {

HeapTrimmer::HeapTrimmer(std::chrono::milliseconds quiet, std::chrono::milliseconds atMost, QObject *parent)
    : HeapTrimmer(
          quiet, atMost, [] { malloc_trim(0); }, parent) {}

HeapTrimmer::HeapTrimmer(std::chrono::milliseconds quiet, std::chrono::milliseconds atMost,
                         std::function<void()> trim, QObject *parent)
    : QObject(parent), atMost_(atMost), trim_(std::move(trim)) {
    timer_.setSingleShot(true);
    timer_.setInterval(quiet);
    connect(&timer_, &QTimer::timeout, this, [this] {
        firstRelease_.invalidate();
        trim_();
    });
}

void HeapTrimmer::released() {
    if (!firstRelease_.isValid()) {
        firstRelease_.start();
    }
    // Each release postpones the trim to `quiet` after it, unless the first untrimmed one is
    // already `atMost` old: then the pending trim is left to fire.
    if (!timer_.isActive() || firstRelease_.elapsed() < atMost_.count()) {
        timer_.start();
    }
}

}  // namespace confab
