// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace confab {

// Finds the user's camera and microphone through GstDeviceMonitor. Returns a launch description
// for the first device of a kind, or an empty string when there is none (no camera is not an error).
class DeviceFinder {
public:
    enum class Kind { Camera = 1, Microphone, Speaker };
    // `preferredName` (a display name) picks that device when present, else the first one.
    static QString launchDescription(Kind kind, const QString &preferredName = {});
};

}  // namespace confab
