// SPDX-License-Identifier: GPL-3.0-or-later
// PeerMediaWatch: silence is reported once media has flowed and stopped, and resumption after it.
#include "call/PeerMediaWatch.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <thread>

using namespace confab;

class TestPeerMediaWatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void nothingIsReportedBeforeMediaFirstFlows() {
        PeerMediaWatch watch(200);
        QSignalSpy silent(&watch, &PeerMediaWatch::silent);
        watch.start();
        QTest::qWait(600);
        QCOMPARE(silent.size(), 0);
        QCOMPARE(watch.silentForMs(), -1);
    }

    void silenceAfterMediaIsReportedOnceAndNotBeforeItsTime() {
        PeerMediaWatch watch(400);
        QSignalSpy silent(&watch, &PeerMediaWatch::silent);
        watch.start();
        watch.count();
        QElapsedTimer sinceLast;
        QTRY_VERIFY_WITH_TIMEOUT(watch.silentForMs() >= 0, 1000);  // the watch saw the buffer
        sinceLast.start();
        QTRY_COMPARE_WITH_TIMEOUT(silent.size(), 1, 3000);
        QVERIFY2(sinceLast.elapsed() >= 400 - 260, "reported before the silence was long enough");
        QVERIFY(silent.first().at(0).toLongLong() >= 400);
        QTest::qWait(700);
        QCOMPARE(silent.size(), 1);  // once per silence
    }

    void mediaComingBackIsReportedAndArmsTheWatchAgain() {
        PeerMediaWatch watch(300);
        QSignalSpy silent(&watch, &PeerMediaWatch::silent);
        QSignalSpy resumed(&watch, &PeerMediaWatch::resumed);
        watch.start();
        watch.count();
        QTRY_COMPARE_WITH_TIMEOUT(silent.size(), 1, 3000);
        watch.count();
        QTRY_COMPARE_WITH_TIMEOUT(resumed.size(), 1, 1000);
        QTRY_COMPARE_WITH_TIMEOUT(silent.size(), 2, 3000);
    }

    void steadyMediaIsNeverSilence() {
        PeerMediaWatch watch(300);
        QSignalSpy silent(&watch, &PeerMediaWatch::silent);
        watch.start();
        // Counted from another thread, as streaming threads do.
        std::atomic<bool> stop{false};
        std::thread feeder([&] {
            while (!stop) {
                watch.count();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        QTest::qWait(1200);
        stop = true;
        feeder.join();
        QCOMPARE(silent.size(), 0);
    }

    void buffersThroughAWatchedPadCount() {
        PeerMediaWatch watch(300);
        QSignalSpy silent(&watch, &PeerMediaWatch::silent);
        GstElement *pipeline = gst_parse_launch("fakesrc name=src num-buffers=5 ! fakesink", nullptr);
        GstElement *source = gst_bin_get_by_name(GST_BIN(pipeline), "src");
        GstPad *pad = gst_element_get_static_pad(source, "src");
        watch.watch(pad);
        watch.start();
        gst_element_set_state(pipeline, GST_STATE_PLAYING);
        QTRY_VERIFY_WITH_TIMEOUT(watch.silentForMs() >= 0, 2000);  // counted, so silence can follow
        QTRY_COMPARE_WITH_TIMEOUT(silent.size(), 1, 3000);
        gst_element_set_state(pipeline, GST_STATE_NULL);
        gst_object_unref(pad);
        gst_object_unref(source);
        gst_object_unref(pipeline);
    }
};

QTEST_GUILESS_MAIN(TestPeerMediaWatch)
#include "tst_peermediawatch.moc"
