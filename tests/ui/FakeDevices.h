// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

// A GstDeviceProvider for tests: the edge of the machine replaced by devices whose elements are
// test sources. Registered once per process; devices can be plugged and unplugged while monitors
// run, which posts the same bus messages real hot-plug does.
namespace FakeDevices {

// Registers the provider (idempotent) and takes the machine's own device providers (PulseAudio,
// PipeWire, ALSA, V4L2, ...) out of this process: GstDeviceMonitor only uses providers ranked above
// GST_RANK_NONE, and theirs are set to it. Monitors made afterwards see exactly the devices plugged
// here, on a build server and on a desktop with a webcam alike.
void install();
// `deviceClass` "Video/Source", "Audio/Source" or "Audio/Sink"; `launch` builds the element.
// `soundServerClass` is the device's "device.class" property, as PulseAudio and PipeWire set it
// (e.g. "monitor" for the source that records an output); none when null.
void plug(const QString &name, const char *deviceClass, const QString &launch,
          const char *soundServerClass = nullptr);
void unplug(const QString &name);

}  // namespace FakeDevices
