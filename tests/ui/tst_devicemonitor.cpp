// SPDX-License-Identifier: GPL-3.0-or-later
// DeviceMonitor: lists what GstDeviceMonitor sees and follows hot-plug. This machine has no camera,
// microphone or speaker, so the first test is the real answer here (nothing, and no error); the
// others plug test devices through a fake GstDeviceProvider (FakeDevices), the one fake at the
// edge of the machine.
#include "FakeDevices.h"

#include "media/DeviceMonitor.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab;

namespace {
constexpr int kTimeoutMs = 10000;

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

    void listsNothingWithoutErrorOnAMachineWithoutDevices() {
        DeviceMonitor monitor;
        monitor.start();  // may be false when no provider starts at all; either way no devices
        QVERIFY(monitor.devices(DeviceMonitor::Kind::Camera).isEmpty());
        QVERIFY(monitor.devices(DeviceMonitor::Kind::Microphone).isEmpty());
        QVERIFY(monitor.devices(DeviceMonitor::Kind::Speaker).isEmpty());
        QCOMPARE(monitor.createElement(DeviceMonitor::Kind::Camera, QStringLiteral("Nothing")), nullptr);
    }

    void listsDevicesByKindAndFollowsHotPlug() {
        FakeDevices::install();
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
};

QTEST_MAIN(TestDeviceMonitor)
#include "tst_devicemonitor.moc"
