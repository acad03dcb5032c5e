// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeDevices.h"

#include <gst/gst.h>

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QMutexLocker>

namespace {

// --- GstDevice whose element is a parsed launch line ---------------------------------------------
struct FakeDevice {
    GstDevice parent;
    gchar *launch;
};
struct FakeDeviceClass {
    GstDeviceClass parentClass;
};

G_DEFINE_TYPE(FakeDevice, fake_device, GST_TYPE_DEVICE)

GstElement *fakeDeviceCreateElement(GstDevice *device, const gchar *name) {
    GstElement *element = gst_parse_launch(reinterpret_cast<FakeDevice *>(device)->launch, nullptr);
    if (element && name) {
        gst_object_set_name(GST_OBJECT(element), name);
    }
    return element;
}

void fakeDeviceFinalize(GObject *object) {
    g_free(reinterpret_cast<FakeDevice *>(object)->launch);
    G_OBJECT_CLASS(fake_device_parent_class)->finalize(object);
}

void fake_device_class_init(FakeDeviceClass *klass) {
    GST_DEVICE_CLASS(klass)->create_element = fakeDeviceCreateElement;
    G_OBJECT_CLASS(klass)->finalize = fakeDeviceFinalize;
}

void fake_device_init(FakeDevice *) {}

// --- the provider ------------------------------------------------------------------------------
struct FakeProvider {
    GstDeviceProvider parent;
};
struct FakeProviderClass {
    GstDeviceProviderClass parentClass;
};

G_DEFINE_TYPE(FakeProvider, fake_provider, GST_TYPE_DEVICE_PROVIDER)

struct Plugged {
    QString name;
    QByteArray deviceClass;
    QString launch;
    QByteArray soundServerClass;
};

constexpr const char kProviderName[] = "confabtestdevices";

QMutex registryMutex;
QList<Plugged> plugged;
QList<GstDeviceProvider *> started;

GstDevice *makeDevice(const Plugged &device) {
    // Monitors filter by class and caps, as they do for real devices.
    GstCaps *caps =
        gst_caps_new_empty_simple(device.deviceClass.startsWith("Video") ? "video/x-raw" : "audio/x-raw");
    GstStructure *properties =
        device.soundServerClass.isEmpty()
            ? nullptr
            : gst_structure_new("fake-device-properties", "device.class", G_TYPE_STRING,
                                device.soundServerClass.constData(), nullptr);
    auto *made = static_cast<FakeDevice *>(
        g_object_new(fake_device_get_type(), "display-name", device.name.toUtf8().constData(), "device-class",
                     device.deviceClass.constData(), "caps", caps, "properties", properties, nullptr));
    gst_caps_unref(caps);
    if (properties) {
        gst_structure_free(properties);
    }
    made->launch = g_strdup(device.launch.toUtf8().constData());
    return GST_DEVICE(made);
}

gboolean fakeProviderStart(GstDeviceProvider *provider) {
    QMutexLocker lock(&registryMutex);
    started.append(provider);
    for (const Plugged &device : plugged) {
        gst_device_provider_device_add(provider, makeDevice(device));
    }
    return TRUE;
}

void fakeProviderStop(GstDeviceProvider *provider) {
    QMutexLocker lock(&registryMutex);
    started.removeAll(provider);
}

void fake_provider_class_init(FakeProviderClass *klass) {
    GstDeviceProviderClass *providerClass = GST_DEVICE_PROVIDER_CLASS(klass);
    providerClass->start = fakeProviderStart;
    providerClass->stop = fakeProviderStop;
    gst_device_provider_class_set_static_metadata(providerClass, "Confab test devices",
                                                  "Source/Sink/Audio/Video", "Devices for tests", "Confab");
}

void fake_provider_init(FakeProvider *) {}

}  // namespace

namespace FakeDevices {

void install() {
    static const bool registered =
        gst_device_provider_register(nullptr, kProviderName, GST_RANK_PRIMARY, fake_provider_get_type());
    Q_UNUSED(registered);
    GList *factories = gst_device_provider_factory_list_get_device_providers(GST_RANK_NONE);
    for (GList *item = factories; item; item = item->next) {
        auto *feature = GST_PLUGIN_FEATURE(item->data);
        if (g_strcmp0(gst_plugin_feature_get_name(feature), kProviderName) != 0) {
            gst_plugin_feature_set_rank(feature, GST_RANK_NONE);
        }
    }
    gst_plugin_feature_list_free(factories);
}

void plug(const QString &name, const char *deviceClass, const QString &launch, const char *soundServerClass) {
    QMutexLocker lock(&registryMutex);
    const Plugged device{name, QByteArray(deviceClass), launch, QByteArray(soundServerClass)};
    plugged.append(device);
    for (GstDeviceProvider *provider : std::as_const(started)) {
        gst_device_provider_device_add(provider, makeDevice(device));
    }
}

void unplug(const QString &name) {
    QMutexLocker lock(&registryMutex);
    plugged.removeIf([&](const Plugged &device) { return device.name == name; });
    for (GstDeviceProvider *provider : std::as_const(started)) {
        GList *devices = gst_device_provider_get_devices(provider);
        for (GList *item = devices; item; item = item->next) {
            gchar *displayName = gst_device_get_display_name(GST_DEVICE(item->data));
            if (QString::fromUtf8(displayName) == name) {
                gst_device_provider_device_remove(provider, GST_DEVICE(item->data));
            }
            g_free(displayName);
        }
        g_list_free_full(devices, gst_object_unref);
    }
}

}  // namespace FakeDevices
