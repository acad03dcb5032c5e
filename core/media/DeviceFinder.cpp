// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/DeviceFinder.h"

#include "util/GLibPtr.h"
#include "util/GstPtr.h"
#include "util/Logging.h"

namespace confab {

QString DeviceFinder::launchDescription(Kind kind, const QString &preferredName) {
    GstPtr<GstDeviceMonitor> monitor(gst_device_monitor_new());
    const char *deviceClass = kind == Kind::Camera       ? "Video/Source"
                              : kind == Kind::Microphone ? "Audio/Source"
                                                         : "Audio/Sink";
    gst_device_monitor_add_filter(monitor.get(), deviceClass, nullptr);
    if (!gst_device_monitor_start(monitor.get())) {
        return {};
    }
    GList *devices = gst_device_monitor_get_devices(monitor.get());
    gst_device_monitor_stop(monitor.get());
    if (!preferredName.isEmpty()) {
        // Put the chosen device first; when it is gone (unplugged), the first one found serves.
        for (GList *item = devices; item; item = item->next) {
            GCharPtr name(gst_device_get_display_name(GST_DEVICE(item->data)));
            if (QString::fromUtf8(name.get()) == preferredName) {
                devices = g_list_remove_link(devices, item);
                devices = g_list_concat(item, devices);
                break;
            }
        }
    }
    QString description;
    for (GList *item = devices; item && description.isEmpty(); item = item->next) {
        auto *device = GST_DEVICE(item->data);
        // Skip sound servers' monitor sources: they capture what we play, not a microphone.
        GstStructurePtr properties(gst_device_get_properties(device));
        const char *deviceClassName = properties ? gst_structure_get_string(properties.get(), "device.class") : nullptr;
        if (deviceClassName && g_strcmp0(deviceClassName, "monitor") == 0) {
            continue;
        }
        GstPtr<GstElement> element(gst_device_create_element(device, nullptr));
        if (!element) {
            continue;
        }
        GstElementFactory *factory = gst_element_get_factory(element.get());
        description = QString::fromUtf8(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)));
        GCharPtr deviceName;
        if (g_object_class_find_property(G_OBJECT_GET_CLASS(element.get()), "device")) {
            gchar *value = nullptr;
            g_object_get(element.get(), "device", &value, nullptr);
            deviceName.reset(value);
        }
        if (deviceName) {
            description += QStringLiteral(" device=\"%1\"").arg(QString::fromUtf8(deviceName.get()));
        }
        GCharPtr displayName(gst_device_get_display_name(device));
        qCInfo(lcMedia).noquote() << "using" << QString::fromUtf8(displayName.get()) << "as" << description;
    }
    g_list_free_full(devices, gst_object_unref);
    return description;
}

}  // namespace confab
