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
// Config 15 (hybrid fullband 20 ms), one frame, as opusenc codes voice: the first payload byte's
// top bit is the VAD flag, the next the LBRR (in-band FEC) flag.
constexpr quint8 kHybridWithFec[] = {15 << 3, 0xc3, 0x11};
constexpr quint8 kHybridWithoutFec[] = {15 << 3, 0x9d, 0x11};
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

    void theFecFlagIsReadAfterTheVadFlags() {
        QVERIFY(AudioConcealment::carriesFec(kHybridWithFec, sizeof kHybridWithFec));
        QVERIFY(!AudioConcealment::carriesFec(kHybridWithoutFec, sizeof kHybridWithoutFec));
        QVERIFY(!AudioConcealment::carriesFec(kCelt20, sizeof kCelt20));  // CELT has no LBRR
        // SILK 60 ms (config 3): three VAD flags, then LBRR.
        const quint8 silk60Fec[] = {3 << 3, 0x10};
        const quint8 silk60Vad[] = {3 << 3, 0xe0};
        QVERIFY(AudioConcealment::carriesFec(silk60Fec, sizeof silk60Fec));
        QVERIFY(!AudioConcealment::carriesFec(silk60Vad, sizeof silk60Vad));
        const quint8 code2[] = {(15 << 3) | 2, 0xff, 0xff};  // starts with a frame length
        QVERIFY(!AudioConcealment::carriesFec(code2, sizeof code2));
        QVERIFY(!AudioConcealment::carriesFec(kHybridWithFec, 1));
    }

    // opusdec (use-inband-fec) decodes a lost frame from the next packet's FEC: heard, not concealed.
    void aLostPacketTheNextOneCarriesIsNotConcealed() {
        AudioConcealment audio;
        for (quint32 i = 0; i < 1000; ++i) {
            if (i % 20 != 7) {
                audio.packet(i * 960, kHybridWithFec, sizeof kHybridWithFec);
            }
        }
        QCOMPARE(audio.concealedPercent(), 0.0);
    }

    void fecGivesBackOnlyTheFrameBeforeIt() {
        AudioConcealment audio;
        for (quint32 i = 0; i < 1000; ++i) {
            // Two in twenty lost together: the second comes back from FEC, the first is concealed.
            const bool lost = i % 20 == 7 || i % 20 == 8;
            if (!lost) {
                audio.packet(i * 960, i % 20 == 9 ? kHybridWithFec : kHybridWithoutFec,
                             sizeof kHybridWithFec);
            }
        }
        QVERIFY2(qAbs(audio.concealedPercent() - 5.0) < 0.1,
                 qPrintable(QString::number(audio.concealedPercent())));
        AudioConcealment withoutFec;
        for (quint32 i = 0; i < 1000; ++i) {
            if (i % 20 != 7 && i % 20 != 8) {
                withoutFec.packet(i * 960, kHybridWithoutFec, sizeof kHybridWithoutFec);
            }
        }
        QVERIFY2(qAbs(withoutFec.concealedPercent() - 10.0) < 0.1,
                 qPrintable(QString::number(withoutFec.concealedPercent())));
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
