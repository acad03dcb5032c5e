// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

typedef struct _GstDevice GstDevice;

namespace confab {

// Finds the user's camera and microphone through GstDeviceMonitor. Returns a launch description
// for the first device of a kind, or an empty string when there is none (no camera is not an error).
class DeviceFinder {
public:
    enum class Kind { Camera = 1, Microphone, Speaker };
    // `preferredName` (a display name) picks that device when present, else the first one.
    static QString launchDescription(Kind kind, const QString &preferredName = {});

    // A launch description that makes the element the device makes: its factory and every
    // property the device set on it, e.g. `v4l2src device="/dev/video0"` or
    // `pipewiresrc path="42"`. Empty when the device makes no element.
    static QString describe(GstDevice *device);
};

}  // namespace confab
