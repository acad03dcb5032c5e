// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/DeviceFinder.h"

#include "util/GLibPtr.h"
#include "util/GstPtr.h"
#include "util/Logging.h"

namespace confab {

namespace {

// Quoted as gst_parse_launch reads a property back: backslashes and quotes escaped.
QString quoted(const QString &text) {
    QString escaped = text;
    escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    return u'"' + escaped + u'"';
}

// The property's value as launch-description text; empty when it would not come back the same
// (an object, a pointer, a boxed type without a serializer).
QString launchValue(GParamSpec *spec, const GValue *value) {
    if (G_VALUE_HOLDS_STRING(value)) {
        const char *text = g_value_get_string(value);
        return text ? quoted(QString::fromUtf8(text)) : QString();
    }
    if (G_TYPE_IS_OBJECT(spec->value_type) || G_TYPE_IS_INTERFACE(spec->value_type) ||
        spec->value_type == G_TYPE_POINTER) {
        return {};
    }
    GCharPtr text(gst_value_serialize(value));
    if (!text) {
        return {};
    }
    GValue back = G_VALUE_INIT;
    g_value_init(&back, spec->value_type);
    const bool same = gst_value_deserialize_with_pspec(&back, text.get(), spec) &&
                      gst_value_compare(value, &back) == GST_VALUE_EQUAL;
    g_value_unset(&back);
    return same ? quoted(QString::fromUtf8(text.get())) : QString();
}

}  // namespace

// Every property the device set, not only `device`: a device is often more than a path (a
// PipeWire node, a libcamera name, a live test source), and an element made from the factory alone
// is another device, or not live at all. A camera that is not live runs as fast as it can, its
// timestamps race ahead of the clock, and every sink synchronised to the clock (the self-view, the
// sender's pacing) waits for pictures from minutes ahead.
QString DeviceFinder::describe(GstDevice *device) {
    GstPtr<GstElement> element(gst_device_create_element(device, nullptr));
    if (!element) {
        return {};
    }
    gst_object_ref_sink(element.get());
    GstElementFactory *factory = gst_element_get_factory(element.get());
    QString description = QString::fromUtf8(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)));
    guint count = 0;
    GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(element.get()), &count);
    for (guint i = 0; i < count; ++i) {
        GParamSpec *spec = specs[i];
        constexpr auto kReadWrite = GParamFlags(G_PARAM_READABLE | G_PARAM_WRITABLE);
        // name and parent (GstObject's) belong to the pipeline, not the device.
        if ((spec->flags & kReadWrite) != kReadWrite || (spec->flags & G_PARAM_CONSTRUCT_ONLY) ||
            spec->owner_type == GST_TYPE_OBJECT) {
            continue;
        }
        GValue value = G_VALUE_INIT;
        g_value_init(&value, spec->value_type);
        g_object_get_property(G_OBJECT(element.get()), spec->name, &value);
        if (!g_param_value_defaults(spec, &value)) {
            if (const QString text = launchValue(spec, &value); !text.isEmpty()) {
                description += QStringLiteral(" %1=%2").arg(QString::fromUtf8(spec->name), text);
            }
        }
        g_value_unset(&value);
    }
    g_free(specs);
    return description;
}

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
        description = describe(device);
        if (description.isEmpty()) {
            continue;
        }
        GCharPtr displayName(gst_device_get_display_name(device));
        qCInfo(lcMedia).noquote() << "using" << QString::fromUtf8(displayName.get()) << "as" << description;
    }
    g_list_free_full(devices, gst_object_unref);
    return description;
}

}  // namespace confab
