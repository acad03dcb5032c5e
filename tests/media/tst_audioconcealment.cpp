// SPDX-License-Identifier: GPL-3.0-or-later
// AudioConcealment: the share of the peer's audio that had to be concealed, from RTP timestamps
// and Opus packet durations.
#include "media/AudioConcealment.h"

#include <QTest>

using namespace confab;

namespace {
// TOC bytes: config 27 (CELT fullband 20 ms) with one frame; config 1 (SILK NB 20 ms) with two.
constexpr quint8 kCelt20[] = {27 << 3, 0xaa, 0xbb};
constexpr quint8 kSilk20x2[] = {(1 << 3) | 1, 0xaa, 0xbb};
}  // namespace

class TestAudioConcealment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void opusPacketDurationsComeFromTheTocByte() {
        QCOMPARE(AudioConcealment::opusSamples(kCelt20, sizeof kCelt20), 960);
        QCOMPARE(AudioConcealment::opusSamples(kSilk20x2, sizeof kSilk20x2), 1920);
        const quint8 code3[] = {(16 << 3) | 3, 6};  // CELT 2.5 ms, six frames
        QCOMPARE(AudioConcealment::opusSamples(code3, sizeof code3), 720);
        QCOMPARE(AudioConcealment::opusSamples(code3, 1), 0);  // code 3 without its count
        QCOMPARE(AudioConcealment::opusSamples(nullptr, 0), 0);
    }

    void everyPacketArrivingIsNothingConcealed() {
        AudioConcealment audio;
        for (quint32 i = 0; i < 500; ++i) {
            audio.packet(1000 + i * 960, kCelt20, sizeof kCelt20);
        }
        QCOMPARE(audio.concealedPercent(), 0.0);
    }

    void oneLostPacketInTwentyIsFivePercent() {
        AudioConcealment audio;
        for (quint32 i = 0; i < 1000; ++i) {
            if (i % 20 != 7) {
                audio.packet(i * 960, kCelt20, sizeof kCelt20);
            }
        }
        QVERIFY2(qAbs(audio.concealedPercent() - 5.0) < 0.1, qPrintable(QString::number(audio.concealedPercent())));
    }

    void aWrappingTimestampAndDuplicatesChangeNothing() {
        AudioConcealment audio;
        quint32 ts = 0xffffffffu - 960 * 10;
        for (int i = 0; i < 100; ++i, ts += 960) {
            audio.packet(ts, kCelt20, sizeof kCelt20);
            audio.packet(ts, kCelt20, sizeof kCelt20);  // a duplicate
        }
        QCOMPARE(audio.concealedPercent(), 0.0);
    }

    void aSilentStretchInTheMiddleIsConcealed() {
        AudioConcealment audio;
        quint32 ts = 0;
        for (int i = 0; i < 100; ++i, ts += 960) {
            audio.packet(ts, kCelt20, sizeof kCelt20);
        }
        ts += 960 * 100;  // two seconds without a packet
        for (int i = 0; i < 100; ++i, ts += 960) {
            audio.packet(ts, kCelt20, sizeof kCelt20);
        }
        QVERIFY(qAbs(audio.concealedPercent() - 100.0 / 3) < 0.1);
    }
};

QTEST_GUILESS_MAIN(TestAudioConcealment)
#include "tst_audioconcealment.moc"
