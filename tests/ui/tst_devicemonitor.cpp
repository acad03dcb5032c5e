// SPDX-License-Identifier: GPL-3.0-or-later
// DeviceMonitor: lists what GstDeviceMonitor sees and follows hot-plug; DeviceFinder: describes
// the device a call uses. The first test runs against whatever this machine has (nothing on a build
// server, a webcam and a headset on a desktop) and asserts only what holds everywhere; the others
// take the machine's providers out and plug test devices through a fake GstDeviceProvider
// (FakeDevices), the one fake at the edge of the machine, so they see exactly what they plug. Test
// functions run in order: the first must come before FakeDevices::install().
#include "FakeDevices.h"

#include "media/DeviceFinder.h"
#include "media/DeviceMonitor.h"
#include "util/GstPtr.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab;

namespace {
constexpr int kTimeoutMs = 10000;
constexpr DeviceMonitor::Kind kKinds[] = {DeviceMonitor::Kind::Camera, DeviceMonitor::Kind::Microphone,
                                          DeviceMonitor::Kind::Speaker};

GstElement *parse(const QString &description) {
    GstElement *element = gst_parse_launch(description.toUtf8().constData(), nullptr);
    return element ? GST_ELEMENT(gst_object_ref_sink(element)) : nullptr;
}

// The element the description makes is a live test source drawing red.
bool isLiveRedTestSource(const QString &description) {
    GstPtr<GstElement> element(parse(description));
    if (!element) {
        qWarning().noquote() << "cannot parse" << description;
        return false;
    }
    gboolean live = FALSE;
    int pattern = -1;
    g_object_get(element.get(), "is-live", &live, "pattern", &pattern, nullptr);
    GstPtr<GstElement> red(parse(QStringLiteral("videotestsrc pattern=red")));
    int redPattern = -2;
    g_object_get(red.get(), "pattern", &redPattern, nullptr);
    if (!live || pattern != redPattern) {
        qWarning().noquote() << description << "makes a source with is-live" << live << "pattern" << pattern;
        return false;
    }
    return true;
}

QStringList names(const QList<DeviceMonitor::Device> &devices) {
    QStringList result;
    for (const DeviceMonitor::Device &device : devices) {
        result.append(device.name);
    }
    return result;
}
}  // namespace

class TestDeviceMonitor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void listsTheMachinesOwnDevicesWithoutError() {
        DeviceMonitor monitor;
        monitor.start();  // false when no provider starts at all; either way no error
        for (const DeviceMonitor::Kind kind : kKinds) {
            for (const DeviceMonitor::Device &device : monitor.devices(kind)) {
                qInfo().noquote() << "this machine has" << device.name << "(" << device.launchDescription
                                  << ")";
                QCOMPARE(device.kind, kind);
                QVERIFY(!device.name.isEmpty());
                GstElement *element = monitor.createElement(kind, device.name);
                QVERIFY2(element, qPrintable(device.name));
                gst_object_unref(gst_object_ref_sink(element));
            }
        }
        QCOMPARE(monitor.createElement(DeviceMonitor::Kind::Camera, QStringLiteral("No Such Camera")),
                 nullptr);
    }

    void listsNothingWhenNothingIsPlugged() {
        FakeDevices::install();
        DeviceMonitor monitor;
        QVERIFY(monitor.start());
        for (const DeviceMonitor::Kind kind : kKinds) {
            QVERIFY2(monitor.devices(kind).isEmpty(), qPrintable(names(monitor.devices(kind)).join(u", ")));
        }
        QCOMPARE(monitor.createElement(DeviceMonitor::Kind::Camera, QStringLiteral("Nothing")), nullptr);
    }

    void listsDevicesByKindAndFollowsHotPlug() {
        FakeDevices::plug(QStringLiteral("Desk Camera"), "Video/Source",
                          QStringLiteral("videotestsrc is-live=true pattern=red"));
        FakeDevices::plug(QStringLiteral("Headset Microphone"), "Audio/Source",
                          QStringLiteral("audiotestsrc is-live=true"));
        DeviceMonitor monitor;
        QVERIFY(monitor.start());
        QCOMPARE(names(monitor.devices(DeviceMonitor::Kind::Camera)),
                 QStringList{QStringLiteral("Desk Camera")});
        QCOMPARE(names(monitor.devices(DeviceMonitor::Kind::Microphone)),
                 QStringList{QStringLiteral("Headset Microphone")});
        QVERIFY(monitor.devices(DeviceMonitor::Kind::Speaker).isEmpty());
        // The description makes the device's own element, settings and all: this camera is live.
        QVERIFY(isLiveRedTestSource(monitor.devices(DeviceMonitor::Kind::Camera).first().launchDescription));

        // Plugged in while running: reported on the main thread through the bus watch.
        QSignalSpy changed(&monitor, &DeviceMonitor::devicesChanged);
        FakeDevices::plug(QStringLiteral("USB Speakers"), "Audio/Sink", QStringLiteral("fakesink"));
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), kTimeoutMs);
        QCOMPARE(names(monitor.devices(DeviceMonitor::Kind::Speaker)),
                 QStringList{QStringLiteral("USB Speakers")});

        GstElement *camera =
            monitor.createElement(DeviceMonitor::Kind::Camera, QStringLiteral("Desk Camera"));
        QVERIFY(camera);
        gst_object_unref(gst_object_ref_sink(camera));
        // A name of another kind is not a camera.
        QCOMPARE(monitor.createElement(DeviceMonitor::Kind::Camera, QStringLiteral("USB Speakers")), nullptr);

        // Unplugged: gone from the list.
        changed.clear();
        FakeDevices::unplug(QStringLiteral("Desk Camera"));
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), kTimeoutMs);
        QVERIFY(monitor.devices(DeviceMonitor::Kind::Camera).isEmpty());
        FakeDevices::unplug(QStringLiteral("Headset Microphone"));
        FakeDevices::unplug(QStringLiteral("USB Speakers"));
    }

    // A call builds its camera from DeviceFinder's description. It used to keep the factory and
    // `device` only: a live test camera became a test source that is not live, which runs as fast as
    // it can, far ahead of the clock, and the self-view and the sender waited on its timestamps
    // (the screenshot tour's call sent no video and showed "No camera picture").
    void theCallsCameraIsTheDeviceWithAllItsSettings() {
        FakeDevices::plug(QStringLiteral("Desk Camera"), "Video/Source",
                          QStringLiteral("videotestsrc is-live=true pattern=red"));
        // Values with a space, a quote and a backslash come back as they were.
        FakeDevices::plug(QStringLiteral("File Microphone"), "Audio/Source",
                          QStringLiteral("filesrc location=\"/tmp/my \\\"mic\\\" \\\\ take 2.wav\""));
        QVERIFY(isLiveRedTestSource(
            DeviceFinder::launchDescription(DeviceFinder::Kind::Camera, QStringLiteral("Desk Camera"))));
        const QString microphone = DeviceFinder::launchDescription(DeviceFinder::Kind::Microphone,
                                                                   QStringLiteral("File Microphone"));
        GstPtr<GstElement> file(parse(microphone));
        QVERIFY2(file, qPrintable(microphone));
        gchar *location = nullptr;
        g_object_get(file.get(), "location", &location, nullptr);
        QCOMPARE(QString::fromUtf8(location), QStringLiteral("/tmp/my \"mic\" \\ take 2.wav"));
        g_free(location);
        FakeDevices::unplug(QStringLiteral("Desk Camera"));
        FakeDevices::unplug(QStringLiteral("File Microphone"));
    }

    // A sound server lists a "monitor" source per output: it records what is played, so it is
    // not offered as a microphone.
    void aSoundServersMonitorSourceIsNotAMicrophone() {
        FakeDevices::plug(QStringLiteral("Monitor of USB Speakers"), "Audio/Source",
                          QStringLiteral("audiotestsrc is-live=true"), "monitor");
        FakeDevices::plug(QStringLiteral("Headset Microphone"), "Audio/Source",
                          QStringLiteral("audiotestsrc is-live=true"), "sound");
        DeviceMonitor monitor;
        QVERIFY(monitor.start());
        QCOMPARE(names(monitor.devices(DeviceMonitor::Kind::Microphone)),
                 QStringList{QStringLiteral("Headset Microphone")});
        QCOMPARE(
            monitor.createElement(DeviceMonitor::Kind::Microphone, QStringLiteral("Monitor of USB Speakers")),
            nullptr);
        GstElement *microphone =
            monitor.createElement(DeviceMonitor::Kind::Microphone, QStringLiteral("Headset Microphone"));
        QVERIFY(microphone);
        gst_object_unref(gst_object_ref_sink(microphone));
        FakeDevices::unplug(QStringLiteral("Monitor of USB Speakers"));
        FakeDevices::unplug(QStringLiteral("Headset Microphone"));
    }
};

QTEST_MAIN(TestDeviceMonitor)
#include "tst_devicemonitor.moc"
