// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

// A GstDeviceProvider for tests: the edge of the machine (no camera, microphone or speaker here)
// replaced by devices whose elements are test sources. Registered once per process; devices can be
// plugged and unplugged while monitors run, which posts the same bus messages real hot-plug does.
namespace FakeDevices {

// Registers the provider (idempotent). Monitors started afterwards see its devices.
void install();
// `deviceClass` "Video/Source", "Audio/Source" or "Audio/Sink"; `launch` builds the element.
void plug(const QString &name, const char *deviceClass, const QString &launch);
void unplug(const QString &name);

}  // namespace FakeDevices
