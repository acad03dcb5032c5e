// SPDX-License-Identifier: GPL-3.0-or-later
// HeapTrimmer: one trim, `quiet` after the last of a run of releases, and one at least every
// `atMost` while releases never pause; the trim gives back heap pages that free() keeps
// (core/util/HeapTrimmer.h says why the server trims at all).
#include "util/HeapTrimmer.h"

#include "TestTime.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <cstdlib>
#include <cstring>
#include <vector>

#include <unistd.h>

using confab::HeapTrimmer;
using namespace std::chrono_literals;

namespace {

// This process's resident memory (statm's second field, in pages).
[[maybe_unused]] long residentKiB() {
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLong() * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

}  // namespace

class TestHeapTrimmer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aBurstOfReleasesTrimsOnceAfterTheDelay() {
        int trims = 0;
        // Long enough that the 50 ms pauses below stay well inside it on a loaded machine.
        const std::chrono::milliseconds quiet(scaled(1000));
        HeapTrimmer trimmer(quiet, 60000ms, [&trims] { ++trims; });
        QElapsedTimer clock;
        clock.start();
        qint64 lastRelease = 0;
        for (int i = 0; i < 5; ++i) {
            trimmer.released();
            lastRelease = clock.elapsed();
            QTest::qWait(50);  // each release postpones the trim
        }
        QCOMPARE(trims, 0);
        QTRY_COMPARE_WITH_TIMEOUT(trims, 1, int(quiet.count()) + scaled(5000));
        // A coarse Qt timer may fire up to 5 % early; one not postponed by the later releases would
        // fire 200 ms (four pauses) before this bound.
        QVERIFY2(clock.elapsed() - lastRelease >= quiet.count() * 9 / 10,
                 qPrintable(QString::number(clock.elapsed() - lastRelease)));
        QTest::qWait(400);
        QCOMPARE(trims, 1);  // nothing more without another release
        trimmer.released();
        QTRY_COMPARE_WITH_TIMEOUT(trims, 2, int(quiet.count()) + scaled(5000));
    }

    // Releases that never pause (a server that churns all the time) still get trimmed.
    void releasesThatNeverStopStillTrim() {
        int trims = 0;
        HeapTrimmer trimmer(100ms, 300ms, [&trims] { ++trims; });
        QElapsedTimer clock;
        clock.start();
        while (trims < 2 && clock.elapsed() < 5000) {
            trimmer.released();
            QTest::qWait(20);
        }
        QCOMPARE(trims, 2);
    }

    void theDefaultTrimGivesFreedHeapPagesBack() {
#if defined(__SANITIZE_ADDRESS__)
        // moc does not see the compiler's sanitizer macros, so the slot exists in every build.
        QSKIP("AddressSanitizer's allocator is not glibc's and keeps freed memory in its quarantine "
              "on purpose: there is no heap for malloc_trim to give back");
#else
        // What the server sees after a burst: many small blocks freed below one that lives on at
        // the heap's top, which glibc's free() alone never returns (it trims only the top).
        constexpr int kBlocks = 64 * 1024;
        constexpr size_t kBlockBytes = 1000;  // under the mmap threshold: from the heap
        std::vector<char *> burst;
        burst.reserve(kBlocks);
        for (int i = 0; i < kBlocks; ++i) {
            burst.push_back(static_cast<char *>(std::malloc(kBlockBytes)));
            std::memset(burst.back(), 1, kBlockBytes);  // touched: resident
        }
        char *survivor = static_cast<char *>(std::malloc(64));
        std::memset(survivor, 1, 64);
        const long residentWithBurst = residentKiB();
        for (char *block : burst) {
            std::free(block);
        }
        const long residentAfterFree = residentKiB();
        HeapTrimmer trimmer(10ms, 100ms);  // malloc_trim(0)
        trimmer.released();
        long residentAfterTrim = residentAfterFree;
        QTRY_VERIFY_WITH_TIMEOUT((residentAfterTrim = residentKiB()) < residentAfterFree - 32 * 1024,
                                 scaled(5000));
        qInfo("resident: %ld KiB with the burst, %ld KiB after free(), %ld KiB after the trim",
              residentWithBurst, residentAfterFree, residentAfterTrim);
        // free() alone gave (nearly) nothing back: the trim is what did.
        QVERIFY2(residentAfterFree > residentWithBurst - 16 * 1024,
                 qPrintable(QString::number(residentAfterFree)));
        std::free(survivor);
#endif
    }
};

QTEST_GUILESS_MAIN(TestHeapTrimmer)
#include "tst_heaptrimmer.moc"
