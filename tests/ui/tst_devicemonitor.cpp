// SPDX-License-Identifier: GPL-3.0-or-later
// DeviceMonitor: lists what GstDeviceMonitor sees and follows hot-plug. The first test runs against
// whatever this machine has (nothing on a build server, a webcam and a headset on a desktop) and
// asserts only what holds everywhere; the others take the machine's providers out and plug test
// devices through a fake GstDeviceProvider (FakeDevices), the one fake at the edge of the machine,
// so they see exactly what they plug. Test functions run in order: the first must come before
// FakeDevices::install().
#include "FakeDevices.h"

#include "media/DeviceMonitor.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab;

namespace {
constexpr int kTimeoutMs = 10000;
constexpr DeviceMonitor::Kind kKinds[] = {DeviceMonitor::Kind::Camera, DeviceMonitor::Kind::Microphone,
                                          DeviceMonitor::Kind::Speaker};

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
        QCOMPARE(monitor.devices(DeviceMonitor::Kind::Camera).first().launchDescription,
                 QStringLiteral("videotestsrc"));

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
