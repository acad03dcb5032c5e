// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMutex>
#include <QString>

#include <gst/gst.h>

namespace confab::ui {

// The speaker a call plays through, as the remote-audio half of the host's sink factory. The
// device is chosen on the main thread (setDevice) and the element made on a streaming thread
// (makeElement), hence the lock. When the chosen device — or, with none chosen, every sink
// autoaudiosink tries — cannot open (no sound server, no card: this build machine), the call plays
// into a fakesink instead of failing.
class AudioOutput {
public:
    // `displayName` as GstDeviceMonitor shows it; empty: the system default (autoaudiosink).
    void setDevice(const QString &displayName);
    // A new floating element taking raw audio. Any thread.
    GstElement *makeElement();
    // Whether the last element made plays into a real device (false after a fallback).
    bool playsToDevice() const;

private:
    mutable QMutex mutex_;
    QString launchDescription_;
    bool playsToDevice_ = false;
};

}  // namespace confab::ui
