// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/DeviceMonitor.h"

#include "media/DeviceFinder.h"

#include "util/GLibPtr.h"
#include "util/Logging.h"

namespace confab {

namespace {

constexpr const char *kClasses[] = {"Video/Source", "Audio/Source", "Audio/Sink"};

DeviceMonitor::Kind kindOf(GstDevice *device) {
    if (gst_device_has_classes(device, "Video/Source")) {
        return DeviceMonitor::Kind::Camera;
    }
    return gst_device_has_classes(device, "Audio/Source") ? DeviceMonitor::Kind::Microphone
                                                          : DeviceMonitor::Kind::Speaker;
}

// Sound servers list a "monitor" source per output: it records what we play, not a microphone.
bool isMonitorSource(GstDevice *device) {
    GstStructurePtr properties(gst_device_get_properties(device));
    const char *deviceClass =
        properties ? gst_structure_get_string(properties.get(), "device.class") : nullptr;
    return g_strcmp0(deviceClass, "monitor") == 0;
}

}  // namespace

DeviceMonitor::DeviceMonitor(QObject *parent) : QObject(parent), monitor_(gst_device_monitor_new()) {
    for (const char *deviceClass : kClasses) {
        gst_device_monitor_add_filter(monitor_.get(), deviceClass, nullptr);
    }
}

DeviceMonitor::~DeviceMonitor() {
    if (busWatch_) {
        g_source_remove(busWatch_);
        gst_device_monitor_stop(monitor_.get());
    }
}

bool DeviceMonitor::start() {
    if (busWatch_) {
        return true;
    }
    // Watch before starting, so no device-added between the first listing and the watch is lost.
    GstPtr<GstBus> bus(gst_device_monitor_get_bus(monitor_.get()));
    busWatch_ = gst_bus_add_watch(bus.get(), &DeviceMonitor::onBusMessage, this);
    if (!gst_device_monitor_start(monitor_.get())) {
        qCInfo(lcMedia) << "no device provider could start: no cameras, microphones or speakers to list";
        g_source_remove(busWatch_);
        busWatch_ = 0;
        return false;
    }
    refresh();
    return true;
}

QList<DeviceMonitor::Device> DeviceMonitor::devices(Kind kind) const {
    QList<Device> result;
    for (const Device &device : devices_) {
        if (device.kind == kind) {
            result.append(device);
        }
    }
    return result;
}

GstElement *DeviceMonitor::createElement(Kind kind, const QString &name) const {
    GList *devices = gst_device_monitor_get_devices(monitor_.get());
    GstElement *element = nullptr;
    for (GList *item = devices; item && !element; item = item->next) {
        auto *device = GST_DEVICE(item->data);
        GCharPtr displayName(gst_device_get_display_name(device));
        if (kindOf(device) == kind && QString::fromUtf8(displayName.get()) == name &&
            !isMonitorSource(device)) {
            element = gst_device_create_element(device, nullptr);
        }
    }
    g_list_free_full(devices, gst_object_unref);
    return element;
}

void DeviceMonitor::refresh() {
    QList<Device> current;
    GList *devices = gst_device_monitor_get_devices(monitor_.get());
    for (GList *item = devices; item; item = item->next) {
        auto *device = GST_DEVICE(item->data);
        if (isMonitorSource(device)) {
            continue;
        }
        GCharPtr displayName(gst_device_get_display_name(device));
        current.append(
            Device{kindOf(device), QString::fromUtf8(displayName.get()), DeviceFinder::describe(device)});
    }
    g_list_free_full(devices, gst_object_unref);
    if (current != devices_) {
        devices_ = current;
        Q_EMIT devicesChanged();
    }
}

// Main thread (the bus watch runs on the default main context).
gboolean DeviceMonitor::onBusMessage(GstBus *, GstMessage *message, gpointer self) {
    switch (GST_MESSAGE_TYPE(message)) {
        case GST_MESSAGE_DEVICE_ADDED:
        case GST_MESSAGE_DEVICE_REMOVED:
        case GST_MESSAGE_DEVICE_CHANGED:
            static_cast<DeviceMonitor *>(self)->refresh();
            break;
        default:
            break;
    }
    return G_SOURCE_CONTINUE;
}

}  // namespace confab
