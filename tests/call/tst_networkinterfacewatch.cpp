// SPDX-License-Identifier: GPL-3.0-or-later
// NetworkInterfaceWatch in a network namespace of the test's own (root): the addresses it reports
// are the ones libnice gathers host candidates on, and changes are reported as they happen.
#include "call/NetworkInterfaceWatch.h"
#include "util/GstPtr.h"

#include <QMutex>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <sched.h>
#include <unistd.h>

using namespace confab;

namespace {

bool ip(const QStringList &arguments) {
    QProcess process;
    process.start(QStringLiteral("ip"), arguments);
    if (!process.waitForFinished(5000) || process.exitCode() != 0) {
        qWarning().noquote() << "ip" << arguments.join(u' ') << "failed:" << process.readAllStandardError();
        return false;
    }
    return true;
}

// A veth pair with both ends here and up (this kernel has no dummy interfaces); `address` on the first.
bool linkPair(const QString &name, const QString &peer, const QString &address) {
    return ip({QStringLiteral("link"), QStringLiteral("add"), name, QStringLiteral("type"), QStringLiteral("veth"),
               QStringLiteral("peer"), QStringLiteral("name"), peer}) &&
           (address.isEmpty() || ip({QStringLiteral("addr"), QStringLiteral("add"), address, QStringLiteral("dev"), name})) &&
           ip({QStringLiteral("link"), QStringLiteral("set"), peer, QStringLiteral("up")}) &&
           ip({QStringLiteral("link"), QStringLiteral("set"), name, QStringLiteral("up")});
}

QSet<QString> addressesOnly(const QStringList &described) {
    QSet<QString> addresses;
    for (const QString &entry : described) {
        addresses.insert(entry.section(QLatin1Char(' '), 0, 0));
    }
    return addresses;
}

// The host candidates webrtcbin (libnice) gathers for one m-line, by address.
QSet<QString> gatheredHostAddresses() {
    GstPtr<GstElement> webrtc(GST_ELEMENT(gst_object_ref_sink(gst_element_factory_make("webrtcbin", nullptr))));
    GstCaps *caps = gst_caps_from_string("application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000");
    GstWebRTCRTPTransceiver *transceiver = nullptr;
    g_signal_emit_by_name(webrtc.get(), "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps,
                          &transceiver);
    gst_caps_unref(caps);
    if (transceiver) {
        gst_object_unref(transceiver);
    }
    struct Gathered {
        QMutex mutex;
        QSet<QString> addresses;
    } gathered;
    g_signal_connect(webrtc.get(), "on-ice-candidate",
                     G_CALLBACK(+[](GstElement *, guint, gchar *candidate, gpointer data) {
                         const QStringList fields = QString::fromUtf8(candidate).split(u' ');
                         if (fields.size() >= 8 && fields[7] == QLatin1StringView("host")) {
                             auto *g = static_cast<Gathered *>(data);
                             QMutexLocker lock(&g->mutex);
                             g->addresses.insert(fields[4]);
                         }
                     }),
                     &gathered);
    gst_element_set_state(webrtc.get(), GST_STATE_PLAYING);
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(webrtc.get(), "create-offer", nullptr, promise);
    gst_promise_wait(promise);
    GstWebRTCSessionDescription *offer = nullptr;
    gst_structure_get(gst_promise_get_reply(promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, nullptr);
    gst_promise_unref(promise);
    g_signal_emit_by_name(webrtc.get(), "set-local-description", offer, nullptr);
    gst_webrtc_session_description_free(offer);
    // Gathering host candidates takes milliseconds; the complete state follows them.
    const bool complete = QTest::qWaitFor(
        [&] {
            GstWebRTCICEGatheringState state;
            g_object_get(webrtc.get(), "ice-gathering-state", &state, nullptr);
            return state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
        },
        5000);
    if (!complete) {
        qWarning("ICE gathering did not complete within 5 s");
    }
    gst_element_set_state(webrtc.get(), GST_STATE_NULL);
    g_signal_handlers_disconnect_by_data(webrtc.get(), &gathered);
    QMutexLocker lock(&gathered.mutex);
    return gathered.addresses;
}

}  // namespace

class TestNetworkInterfaceWatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        // A namespace of our own for this whole process, before any thread exists: only the
        // interfaces the test makes are there. Needs root; as root it must work.
        if (geteuid() != 0) {
            QSKIP("needs root for a network namespace of its own");
        }
        QVERIFY2(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET) failed as root");
        QVERIFY(ip({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")}));
        gst_init(nullptr, nullptr);
    }

    void loopbackAloneIsNoAddress() {
        QVERIFY(NetworkInterfaceWatch::iceHostAddresses().isEmpty());
    }

    void interfacesLibniceIgnoresAreNotAddresses() {
        for (const QString &name : {QStringLiteral("veth9"), QStringLiteral("docker9")}) {
            const QString peer = QStringLiteral("vnet") + name;  // ignored too
            QVERIFY(linkPair(name, peer, QStringLiteral("203.0.113.9/24")));
            QVERIFY(ip({QStringLiteral("-6"), QStringLiteral("addr"), QStringLiteral("flush"), QStringLiteral("dev"), name}));
            QVERIFY(ip({QStringLiteral("-6"), QStringLiteral("addr"), QStringLiteral("flush"), QStringLiteral("dev"), peer}));
            QTest::qWait(200);
            QVERIFY(NetworkInterfaceWatch::iceHostAddresses().isEmpty());
            QVERIFY(ip({QStringLiteral("link"), QStringLiteral("del"), name}));
        }
    }

    void aNewAddressIsReportedAsItComesAndGoes() {
        NetworkInterfaceWatch watch;
        QVERIFY(watch.isEventDriven());
        QVERIFY(watch.addresses().isEmpty());
        QSignalSpy changed(&watch, &NetworkInterfaceWatch::addressesChanged);
        QVERIFY(linkPair(QStringLiteral("wan0"), QStringLiteral("wan1"), QStringLiteral("192.0.2.5/24")));
        QTRY_VERIFY_WITH_TIMEOUT(watch.addresses().contains(QStringLiteral("192.0.2.5 (wan0)")), 3000);
        QVERIFY(!changed.isEmpty());
        QVERIFY(ip({QStringLiteral("addr"), QStringLiteral("del"), QStringLiteral("192.0.2.5/24"), QStringLiteral("dev"),
                    QStringLiteral("wan0")}));
        QTRY_VERIFY_WITH_TIMEOUT(!watch.addresses().contains(QStringLiteral("192.0.2.5 (wan0)")), 3000);
        QVERIFY(ip({QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("198.51.100.5/24"),
                    QStringLiteral("dev"), QStringLiteral("wan0")}));
        QTRY_VERIFY_WITH_TIMEOUT(watch.addresses().contains(QStringLiteral("198.51.100.5 (wan0)")), 3000);
    }

    // The rule NetworkInterfaceWatch copies from libnice, checked against libnice itself: an
    // update of either that makes them disagree fails here.
    void theAddressesAreTheOnesLibniceGathersOn() {
        QVERIFY(linkPair(QStringLiteral("lan0"), QStringLiteral("lan1"), QStringLiteral("192.0.2.77/24")));
        QVERIFY(ip({QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("2001:db8::77/64"), QStringLiteral("dev"),
                    QStringLiteral("lan0"), QStringLiteral("nodad")}));
        QVERIFY(linkPair(QStringLiteral("veth7"), QStringLiteral("lan7"), QStringLiteral("203.0.113.7/24")));
        QTRY_VERIFY_WITH_TIMEOUT(addressesOnly(NetworkInterfaceWatch::iceHostAddresses()).contains(QStringLiteral("192.0.2.77")),
                                 3000);
        const QSet<QString> ours = addressesOnly(NetworkInterfaceWatch::iceHostAddresses());
        const QSet<QString> libnice = gatheredHostAddresses();
        QVERIFY2(libnice.contains(QStringLiteral("192.0.2.77")), qPrintable(QStringList(libnice.values()).join(u' ')));
        QCOMPARE(ours, libnice);
    }
};

QTEST_GUILESS_MAIN(TestNetworkInterfaceWatch)
#include "tst_networkinterfacewatch.moc"
