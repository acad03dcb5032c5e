#pragma once

#include <QString>

namespace confab {

// Finds the user's camera and microphone through GstDeviceMonitor. Returns a launch description
// for the first device of a kind, or an empty string when there is none (no camera is not an error).
class DeviceFinder {
public:
    enum class Kind { Camera = 1, Microphone };
    static QString launchDescription(Kind kind);
};

}  // namespace confab
