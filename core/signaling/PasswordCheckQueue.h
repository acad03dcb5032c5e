// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>

#include <chrono>
#include <vector>

namespace confab {

// Decides whose password the server checks next, so that someone guessing passwords cannot lock
// everyone else out. A check takes tens of milliseconds and 64 MiB on purpose (PasswordFile), so
// only a few run at once and the rest wait here; first come, first served let a flood of wrong
// passwords fill the queue and refuse every real user "rate-limited".
//
// Fair by address (PeerAddress::key): an address has at most one check queued or running; more
// sign-ins from it meanwhile are refused at once. An address whose passwords keep failing waits
// longer and longer before its next check (after `freeFailures`, `firstWait`, then twice as long
// each time, up to `maxWait`), across reconnects, until it has had no failure for `forgetAfter`.
// Queued checks run in order of their address's failures (fewest first), so a user whose address
// has not failed goes ahead of every guesser that has; when the queue is full, such a user takes
// the place of the queued check with most failures. Among equals the latest goes first: when
// guessers from many fresh addresses arrive together, a user who signs in meanwhile waits for the
// checks already running, not for all of theirs (and the sign-in that has waited longest is the
// likeliest to have been given up by its client).
//
// Only the bookkeeping: the server runs the checks and tells finished(). Time is passed in (ms of a
// monotonic clock), so the policy is tested without waiting.
class PasswordCheckQueue {
public:
    struct Policy {
        // Failures without a wait: an address gets freeFailures + 1 checks in a row, as many as
        // one connection may fail before it is closed (SignalingServer), then waits.
        int freeFailures = 4;
        std::chrono::milliseconds firstWait{10000};
        std::chrono::milliseconds maxWait{300000};
        std::chrono::milliseconds forgetAfter{900000};
        int maxQueued = 64;         // checks waiting for a free checker
        int maxAddresses = 100000;  // addresses with failures remembered at once
    };

    enum class Verdict {
        Queued = 1,
        AddressBusy,     // a check for this address is queued or running
        AddressWaiting,  // its failures make it wait (waitMs)
        QueueFull,       // full of checks for addresses that have not failed more than this one
    };
    struct Admission {
        Verdict verdict = Verdict::QueueFull;
        qint64 waitMs = 0;    // AddressWaiting: until the address may be checked again
        quint64 evicted = 0;  // Queued: a check pushed out of the full queue (0: none)
    };

    explicit PasswordCheckQueue(Policy policy) : policy_(policy) {}

    // Check `id` (non-zero, the caller's) for a sign-in from `address`, at `nowMs`.
    Admission enqueue(quint64 id, const QString &address, qint64 nowMs);
    // What enqueue() would answer for `address` now if it is AddressBusy or AddressWaiting (else
    // Queued, without taking a place): lets the server refuse a flood of sign-ins before it even
    // parses them.
    Admission peek(const QString &address, qint64 nowMs) const;
    // The check to run now, taken out of the queue (its address stays busy until finished()); 0
    // when none waits. `withoutFailuresOnly`: only one for an address that has not failed (the
    // server keeps its last free checker for those, so that a user never waits for a guesser's
    // check to end once the guessers have failed).
    quint64 takeNext(bool withoutFailuresOnly = false);
    // The check that was taken for `address` is done. A failure counts even when the client has
    // gone meanwhile: leaving does not undo a guess.
    void finished(const QString &address, bool passwordMatched, qint64 nowMs);
    // Queued check `id` will not run after all (its connection closed); false when it was not queued.
    bool cancel(quint64 id);

    int queued() const { return int(queue_.size()); }
    // Failures remembered for `address`, and how long it must wait at `nowMs` (0: may be checked).
    int failures(const QString &address) const;
    qint64 waitMs(const QString &address, qint64 nowMs) const;
    int rememberedAddresses() const { return int(addresses_.size()); }

private:
    struct Address {
        int failures = 0;
        qint64 lastFailureMs = 0;
        qint64 nextCheckMs = 0;
        bool busy = false;
    };
    struct Waiting {
        quint64 id;
        QString address;
        int failures;
        quint64 arrival;
    };
    void forgetOld(qint64 nowMs);
    void release(const QString &address);

    Policy policy_;
    QHash<QString, Address> addresses_;  // busy, or with failures not yet forgotten
    std::vector<Waiting> queue_;
    quint64 arrivals_ = 0;
    qint64 lastSweepMs_ = 0;
};

}  // namespace confab
