// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GstPtr.h"

#include <QList>
#include <QObject>
#include <QString>

namespace confab {

// The cameras, microphones and speakers GstDeviceMonitor sees, kept current as devices come and
// go (hot-plug). Runs on the main thread: the monitor's bus is watched on the default main context,
// which Qt's event loop runs. No devices at all (this build machine, a desktop without a webcam)
// is a normal, empty answer, not an error. For the settings dialog; a call picks its devices by
// name through DeviceFinder.
class DeviceMonitor : public QObject {
    Q_OBJECT
public:
    enum class Kind { Camera = 1, Microphone, Speaker };
    struct Device {
        Kind kind = Kind::Camera;
        QString name;               // the display name, which settings store
        QString launchDescription;  // e.g. `v4l2src device="/dev/video0"`; empty when unknown
        friend bool operator==(const Device &, const Device &) = default;
    };

    explicit DeviceMonitor(QObject *parent = nullptr);
    ~DeviceMonitor() override;

    // Starts listing and watching. False (with the reason in the log) when no device provider
    // could start at all; devices() is then empty and stays so.
    bool start();
    bool isRunning() const { return busWatch_ != 0; }
    QList<Device> devices(Kind kind) const;
    // The element that captures from or plays to `name`, or nullptr when it is not (or no longer)
    // present. Returns a floating reference.
    GstElement *createElement(Kind kind, const QString &name) const;

Q_SIGNALS:
    void devicesChanged();

private:
    void refresh();
    static gboolean onBusMessage(GstBus *, GstMessage *message, gpointer self);

    GstPtr<GstDeviceMonitor> monitor_;
    guint busWatch_ = 0;
    QList<Device> devices_;
};

}  // namespace confab
