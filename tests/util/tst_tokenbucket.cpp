// SPDX-License-Identifier: GPL-3.0-or-later
// TokenBucket: starts full, refills at its rate from the time passed in and never above its
// capacity; take() refuses what does not fit, charge() runs into debt and says when it is paid;
// rate and capacity change on the fly; a clock that stands still or steps back adds nothing.
#include "util/TokenBucket.h"

#include <QTest>

#include <limits>

using confab::TokenBucket;

class TestTokenBucket : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void allowsABurstThenTheRate() {
        TokenBucket bucket(0.01, 3);  // 10 a second by the millisecond, 3 at once
        QVERIFY(bucket.take(1, 1000));
        QVERIFY(bucket.take(1, 1000));
        QVERIFY(bucket.take(1, 1000));
        QVERIFY(!bucket.take(1, 1000));
        QVERIFY(!bucket.take(1, 1050));  // half a token
        QVERIFY(bucket.take(1, 1100));   // one whole token after 100 ms
        QVERIFY(!bucket.take(1, 1100));
    }

    void neverHoldsMoreThanItsCapacity() {
        TokenBucket bucket(0.01, 3);
        QVERIFY(bucket.take(3, 0));
        QVERIFY(bucket.take(3, 1'000'000));  // a long idle refills to 3, not 10,000
        QVERIFY(!bucket.take(1, 1'000'000));
    }

    void aRefusedTakeTakesNothing() {
        TokenBucket bucket(1, 10);
        QVERIFY(bucket.take(6, 0));
        QVERIFY(!bucket.take(5, 0));
        QVERIFY(bucket.take(4, 0));
    }

    void aClockThatStandsStillOrStepsBackAddsNothing() {
        TokenBucket bucket(1, 100);
        QVERIFY(bucket.take(100, 1000));
        QVERIFY(!bucket.take(1, 1000));
        QVERIFY(!bucket.take(1, 400));  // backwards: nothing, and 1000 stays the last time
        QVERIFY(bucket.take(5, 1005));  // five ticks since 1000, not 605 since 400
        QVERIFY(!bucket.take(1, 1005));
    }

    void aRateChangeAppliesToWhatAccruesAfterIt() {
        TokenBucket bucket(1, 1000);
        QVERIFY(bucket.take(1000, 0));
        bucket.setRate(10);
        QVERIFY(bucket.take(50, 5));  // five ticks at the new rate
        QVERIFY(!bucket.take(1, 5));
        bucket.setRate(0.5);
        QVERIFY(!bucket.take(6, 15));  // ten ticks at the lower rate: 5
        QVERIFY(bucket.take(5, 15));
    }

    void aLoweredCapacityCutsWhatAccruedAtTheNextRefill() {
        TokenBucket bucket(1, 100);
        QVERIFY(bucket.take(1, 0));  // the first use fills it: 99 left
        bucket.setCapacity(10);
        QVERIFY(bucket.take(10, 1));
        QVERIFY(!bucket.take(1, 1));  // 89 would be left had it kept what it held
    }

    void anAmountOverTheCapacityGoesOnlyWhenFullAndLeavesADebt() {
        TokenBucket bucket(1, 10);
        QVERIFY(bucket.take(25, 0));    // full: it goes, 15 owed
        QVERIFY(!bucket.take(1, 15));   // the debt paid off, nothing more yet
        QVERIFY(!bucket.take(25, 20));  // 5 held: not full, so the large one waits
        QVERIFY(bucket.take(25, 25));
        TokenBucket empty(0, 0);  // no capacity at all: nothing goes, however long it waits
        QVERIFY(!empty.take(1, 0));
        QVERIFY(!empty.take(1, 1'000'000));
    }

    void chargeRunsIntoDebtAndSaysWhenItIsPaid() {
        TokenBucket bucket(2, 10);
        QCOMPARE(bucket.charge(10, 0), qint64(0));  // the burst: at once
        QCOMPARE(bucket.charge(10, 0), qint64(5));  // 10 owed at 2 a tick
        QCOMPARE(bucket.charge(1, 5), qint64(1));   // paid at 5; half a tick rounds up
        QVERIFY(!bucket.take(1, 5));                // a debt blocks take() until paid
        QVERIFY(bucket.take(1, 6));
        QCOMPARE(bucket.charge(30, 100), qint64(10));  // full again (10), 20 owed
    }

    void aRateOfZeroNeverRefills() {
        TokenBucket bucket(0, 5);
        QVERIFY(bucket.take(5, 0));
        QVERIFY(!bucket.take(1, 1'000'000));
        QCOMPARE(bucket.charge(1, 2'000'000), std::numeric_limits<qint64>::max());  // never paid
        bucket.setRate(1);
        QCOMPARE(bucket.charge(0, 2'000'000), qint64(1));  // from now on at the new rate
    }
};

QTEST_GUILESS_MAIN(TestTokenBucket)
#include "tst_tokenbucket.moc"
