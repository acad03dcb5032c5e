// SPDX-License-Identifier: GPL-3.0-or-later
// PasswordCheckQueue: whose password the server checks next. One check an address at a time,
// growing waits for an address that keeps failing (across reconnects: the queue knows addresses,
// not connections), and addresses that have not failed ahead of those that have. Time is passed
// in: no waiting (core/signaling/PasswordCheckQueue.h says why).
#include "signaling/PasswordCheckQueue.h"

#include <QTest>

using confab::PasswordCheckQueue;
using Verdict = PasswordCheckQueue::Verdict;

namespace {

PasswordCheckQueue::Policy policy() {
    PasswordCheckQueue::Policy p;  // the server's own
    return p;
}

const QString kGuesser = QStringLiteral("198.51.100.7");
const QString kUser = QStringLiteral("203.0.113.5");

}  // namespace

class TestPasswordCheckQueue : public QObject {
    Q_OBJECT

    // Runs one check for `address` to its end: queued, taken, finished.
    static bool check(PasswordCheckQueue &queue, quint64 id, const QString &address, bool matched,
                      qint64 nowMs) {
        if (queue.enqueue(id, address, nowMs).verdict != Verdict::Queued || queue.takeNext() != id) {
            return false;
        }
        queue.finished(address, matched, nowMs);
        return true;
    }

private Q_SLOTS:
    void theServersPolicyIsTheIssuesTarget() {
        // After its first few failures a failing address gets at most one check per 10 s.
        const PasswordCheckQueue::Policy p = policy();
        QVERIFY(p.freeFailures <= 5);
        QVERIFY(p.firstWait >= std::chrono::seconds(10));
        QVERIFY(p.maxWait >= p.firstWait);
    }

    void anAddressHasOneCheckAtATime() {
        PasswordCheckQueue queue(policy());
        QCOMPARE(queue.enqueue(1, kGuesser, 0).verdict, Verdict::Queued);
        QCOMPARE(queue.enqueue(2, kGuesser, 0).verdict, Verdict::AddressBusy);  // queued
        QCOMPARE(queue.takeNext(), quint64(1));
        QCOMPARE(queue.enqueue(3, kGuesser, 0).verdict, Verdict::AddressBusy);  // running
        QCOMPARE(queue.enqueue(4, kUser, 0).verdict, Verdict::Queued);          // others are not held up
        queue.finished(kGuesser, false, 10);
        QCOMPARE(queue.enqueue(5, kGuesser, 20).verdict, Verdict::Queued);
    }

    void peekTellsARefusalWithoutTakingAPlace() {
        const PasswordCheckQueue::Policy p = policy();
        PasswordCheckQueue queue(p);
        QCOMPARE(queue.peek(kUser, 0).verdict, Verdict::Queued);
        QCOMPARE(queue.queued(), 0);
        QCOMPARE(queue.enqueue(1, kUser, 0).verdict, Verdict::Queued);
        QCOMPARE(queue.peek(kUser, 0).verdict, Verdict::AddressBusy);
        QCOMPARE(queue.takeNext(), quint64(1));
        queue.finished(kUser, true, 0);
        quint64 id = 1;
        for (int i = 0; i <= p.freeFailures; ++i) {
            QVERIFY(check(queue, ++id, kGuesser, false, 0));
        }
        const PasswordCheckQueue::Admission waiting = queue.peek(kGuesser, 1000);
        QCOMPARE(waiting.verdict, Verdict::AddressWaiting);
        QCOMPARE(waiting.waitMs, queue.enqueue(++id, kGuesser, 1000).waitMs);
        QCOMPARE(queue.peek(kGuesser, p.firstWait.count()).verdict, Verdict::Queued);
    }

    void aFailingAddressWaitsLongerAndLonger() {
        const PasswordCheckQueue::Policy p = policy();
        PasswordCheckQueue queue(p);
        qint64 now = 1000;
        quint64 id = 0;
        for (int i = 0; i < p.freeFailures; ++i) {
            QVERIFY(check(queue, ++id, kGuesser, false, now));  // typos are free
        }
        qint64 previousWait = 0;
        for (int round = 0; round < 8; ++round) {
            QVERIFY(check(queue, ++id, kGuesser, false, now));
            const qint64 wait = queue.waitMs(kGuesser, now);
            QVERIFY2(wait >= p.firstWait.count(), qPrintable(QString::number(wait)));
            QVERIFY2(wait >= std::min<qint64>(2 * previousWait, p.maxWait.count()),
                     qPrintable(QString::number(wait)));
            QVERIFY(wait <= p.maxWait.count());
            // Refused until the wait is over, however often it asks.
            const PasswordCheckQueue::Admission early = queue.enqueue(++id, kGuesser, now + wait - 1);
            QCOMPARE(early.verdict, Verdict::AddressWaiting);
            QCOMPARE(early.waitMs, qint64(1));
            now += wait;
            previousWait = wait;
        }
        QCOMPARE(previousWait, qint64(p.maxWait.count()));
        QCOMPARE(queue.failures(kGuesser), p.freeFailures + 8);
    }

    void atMostOneCheckEveryTenSecondsAfterTheFirstFew() {
        // An address that asks every 10 ms for 10 minutes, always wrong.
        PasswordCheckQueue queue(policy());
        quint64 id = 0;
        QList<qint64> checks;
        for (qint64 now = 0; now < 600000; now += 10) {
            if (queue.enqueue(++id, kGuesser, now).verdict == Verdict::Queued) {
                QCOMPARE(queue.takeNext(), id);
                queue.finished(kGuesser, false, now);
                checks.append(now);
            }
        }
        QVERIFY2(checks.size() <= policy().freeFailures + 1 + 6, qPrintable(QString::number(checks.size())));
        for (qsizetype i = policy().freeFailures + 1; i < checks.size(); ++i) {
            QVERIFY2(checks[i] - checks[i - 1] >= 10000,
                     qPrintable(QString::number(checks[i] - checks[i - 1])));
        }
    }

    void failuresAreForgottenAfterAQuietTime() {
        const PasswordCheckQueue::Policy p = policy();
        PasswordCheckQueue queue(p);
        quint64 id = 0;
        for (int i = 0; i <= p.freeFailures; ++i) {
            QVERIFY(check(queue, ++id, kGuesser, false, 0));
        }
        QVERIFY(queue.waitMs(kGuesser, 0) > 0);
        const qint64 later = p.forgetAfter.count();
        QVERIFY(check(queue, ++id, kGuesser, true, later));
        QCOMPARE(queue.failures(kGuesser), 0);
        QCOMPARE(queue.rememberedAddresses(), 0);
    }

    void aSuccessDoesNotWipeAGuessersRecord() {
        // Someone with an account of their own must not buy more guesses by signing in with it.
        const PasswordCheckQueue::Policy p = policy();
        PasswordCheckQueue queue(p);
        quint64 id = 0;
        for (int i = 0; i < p.freeFailures; ++i) {
            QVERIFY(check(queue, ++id, kGuesser, false, 0));
        }
        QVERIFY(check(queue, ++id, kGuesser, true, 1));
        QVERIFY(check(queue, ++id, kGuesser, false, 2));
        QVERIFY(queue.waitMs(kGuesser, 2) >= p.firstWait.count());
    }

    void addressesThatHaveNotFailedGoFirstTheLatestFirst() {
        const PasswordCheckQueue::Policy p = policy();
        PasswordCheckQueue queue(p);
        quint64 id = 0;
        QVERIFY(check(queue, ++id, kGuesser, false, 0));  // one failure
        QCOMPARE(queue.enqueue(100, kGuesser, 1).verdict, Verdict::Queued);
        // A wave of fresh addresses, then a user.
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(queue.enqueue(200 + i, QStringLiteral("198.51.100.%1").arg(10 + i), 2).verdict,
                     Verdict::Queued);
        }
        QCOMPARE(queue.enqueue(300, kUser, 3).verdict, Verdict::Queued);
        QCOMPARE(queue.takeNext(), quint64(300));  // no failures, and came last
        for (int i = 9; i >= 0; --i) {
            QCOMPARE(queue.takeNext(), quint64(200 + i));
        }
        QCOMPARE(queue.takeNext(), quint64(100));  // the one that has failed: last
        QCOMPARE(queue.takeNext(), quint64(0));
    }

    void theReservedTurnIsForAddressesThatHaveNotFailed() {
        PasswordCheckQueue queue(policy());
        quint64 id = 0;
        QVERIFY(check(queue, ++id, kGuesser, false, 0));
        QCOMPARE(queue.enqueue(100, kGuesser, 1).verdict, Verdict::Queued);
        QCOMPARE(queue.takeNext(true), quint64(0));  // only a guesser waits
        QCOMPARE(queue.enqueue(200, kUser, 2).verdict, Verdict::Queued);
        QCOMPARE(queue.takeNext(true), quint64(200));
        QCOMPARE(queue.takeNext(), quint64(100));
    }

    void aFullQueueMakesRoomForAnAddressThatHasNotFailed() {
        PasswordCheckQueue::Policy p = policy();
        p.maxQueued = 3;
        PasswordCheckQueue queue(p);
        quint64 id = 0;
        // Four guessers, each with a failure behind it; three of them fill the queue.
        for (int i = 0; i < 4; ++i) {
            QVERIFY(check(queue, ++id, QStringLiteral("198.51.100.%1").arg(i), false, 0));
        }
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(queue.enqueue(10 + i, QStringLiteral("198.51.100.%1").arg(i), 1).verdict,
                     Verdict::Queued);
        }
        // The fourth does not get in...
        QCOMPARE(queue.enqueue(50, QStringLiteral("198.51.100.3"), 1).verdict, Verdict::QueueFull);
        // ...a user who has not failed does, in place of the guesser waiting longest.
        const PasswordCheckQueue::Admission admitted = queue.enqueue(60, kUser, 2);
        QCOMPARE(admitted.verdict, Verdict::Queued);
        QCOMPARE(admitted.evicted, quint64(10));
        QCOMPARE(queue.queued(), 3);
        QCOMPARE(queue.takeNext(), quint64(60));
        // The guesser pushed out is not left busy: with room again, it may queue again.
        QCOMPARE(queue.enqueue(70, QStringLiteral("198.51.100.0"), 3).verdict, Verdict::Queued);
    }

    void aCancelledCheckFreesItsAddress() {
        PasswordCheckQueue queue(policy());
        QCOMPARE(queue.enqueue(1, kUser, 0).verdict, Verdict::Queued);
        QVERIFY(queue.cancel(1));
        QVERIFY(!queue.cancel(1));
        QCOMPARE(queue.queued(), 0);
        QCOMPARE(queue.enqueue(2, kUser, 0).verdict, Verdict::Queued);
    }

    void theBookOfAddressesIsBounded() {
        PasswordCheckQueue::Policy p = policy();
        p.maxAddresses = 1000;
        PasswordCheckQueue queue(p);
        quint64 id = 0;
        qint64 now = 0;
        for (int i = 0; i < 5000; ++i) {
            QVERIFY(check(queue, ++id, QStringLiteral("a%1").arg(i), false, now));
            now += 100;  // a sweep is allowed once a minute: every 600 addresses here
        }
        QVERIFY2(queue.rememberedAddresses() <= p.maxAddresses + 600,
                 qPrintable(QString::number(queue.rememberedAddresses())));
    }
};

QTEST_GUILESS_MAIN(TestPasswordCheckQueue)
#include "tst_passwordcheckqueue.moc"
