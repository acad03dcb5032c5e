// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

namespace confab {

// Hands memory freed by closed connections back to the system, once things have calmed down.
//
// glibc returns freed heap memory only from the top of the heap. When a burst of connections
// (a few thousand signing in at once) grows the heap, and one long-lived allocation made during the
// burst lands near its top, every freed page below it stays in the process for good: the 5-minute
// soak saw the server's RSS step up 7 MB once (39 -> 46 MB) and stay there, with nothing leaked.
// malloc_trim(0) also releases whole free pages inside the heap. It walks the heap (about a
// millisecond for tens of MB), so it runs once `quiet` after the last of a run of releases, and a
// server whose connections never stop closing still gets one every `atMost`.
class HeapTrimmer : public QObject {
    Q_OBJECT
public:
    HeapTrimmer(std::chrono::milliseconds quiet, std::chrono::milliseconds atMost, QObject *parent = nullptr);
    // For tests: what trimming does instead of malloc_trim(0).
    HeapTrimmer(std::chrono::milliseconds quiet, std::chrono::milliseconds atMost, std::function<void()> trim,
                QObject *parent = nullptr);

    // Something sizeable was freed (a connection closed).
    void released();

private:
    QTimer timer_;
    QElapsedTimer firstRelease_;  // of those not trimmed yet
    std::chrono::milliseconds atMost_;
    std::function<void()> trim_;
};

}  // namespace confab
