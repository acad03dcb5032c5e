// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/PasswordCheckQueue.h"

#include <algorithm>

namespace confab {

PasswordCheckQueue::Admission PasswordCheckQueue::enqueue(quint64 id, const QString &address, qint64 nowMs) {
    forgetOld(nowMs);
    Address &record = addresses_[address];
    if (record.failures > 0 && nowMs - record.lastFailureMs >= policy_.forgetAfter.count()) {
        record = Address{0, 0, 0, record.busy};
    }
    if (record.busy) {
        return {Verdict::AddressBusy, 0, 0};
    }
    if (nowMs < record.nextCheckMs) {
        return {Verdict::AddressWaiting, record.nextCheckMs - nowMs, 0};
    }
    Admission admission{Verdict::Queued, 0, 0};
    if (int(queue_.size()) >= policy_.maxQueued) {
        // The one to give way: most failures, and of those the first to come.
        const auto worst =
            std::max_element(queue_.begin(), queue_.end(), [](const Waiting &a, const Waiting &b) {
                return a.failures != b.failures ? a.failures < b.failures : a.arrival > b.arrival;
            });
        if (worst == queue_.end() || worst->failures <= record.failures) {
            if (record.failures == 0) {
                addresses_.remove(address);
            }
            return {Verdict::QueueFull, 0, 0};
        }
        admission.evicted = worst->id;
        const QString evictedAddress = worst->address;
        queue_.erase(worst);
        release(evictedAddress);
    }
    record.busy = true;
    queue_.push_back(Waiting{id, address, record.failures, ++arrivals_});
    return admission;
}

PasswordCheckQueue::Admission PasswordCheckQueue::peek(const QString &address, qint64 nowMs) const {
    const auto it = addresses_.constFind(address);
    if (it == addresses_.cend()) {
        return {Verdict::Queued, 0, 0};
    }
    if (it->busy) {
        return {Verdict::AddressBusy, 0, 0};
    }
    const bool forgotten = it->failures > 0 && nowMs - it->lastFailureMs >= policy_.forgetAfter.count();
    if (!forgotten && nowMs < it->nextCheckMs) {
        return {Verdict::AddressWaiting, it->nextCheckMs - nowMs, 0};
    }
    return {Verdict::Queued, 0, 0};
}

quint64 PasswordCheckQueue::takeNext(bool withoutFailuresOnly) {
    const auto best = std::min_element(queue_.begin(), queue_.end(), [](const Waiting &a, const Waiting &b) {
        return a.failures != b.failures ? a.failures < b.failures : a.arrival > b.arrival;
    });
    if (best == queue_.end() || (withoutFailuresOnly && best->failures > 0)) {
        return 0;
    }
    const quint64 id = best->id;
    queue_.erase(best);
    return id;
}

void PasswordCheckQueue::finished(const QString &address, bool passwordMatched, qint64 nowMs) {
    Address &record = addresses_[address];
    record.busy = false;
    if (!passwordMatched) {
        ++record.failures;
        record.lastFailureMs = nowMs;
        const int beyond = record.failures - policy_.freeFailures;
        if (beyond > 0) {
            // firstWait, doubled for each failure after it, up to maxWait (no overflow: capped
            // before the shift can grow past it).
            const qint64 wait = std::min<qint64>(policy_.firstWait.count() << std::min(beyond - 1, 30),
                                                 policy_.maxWait.count());
            record.nextCheckMs = nowMs + std::max<qint64>(wait, 0);
        }
    }
    if (record.failures == 0) {
        addresses_.remove(address);  // nothing to remember
    }
}

bool PasswordCheckQueue::cancel(quint64 id) {
    const auto it = std::find_if(queue_.begin(), queue_.end(), [id](const Waiting &w) { return w.id == id; });
    if (it == queue_.end()) {
        return false;
    }
    const QString address = it->address;
    queue_.erase(it);
    release(address);
    return true;
}

void PasswordCheckQueue::release(const QString &address) {
    const auto it = addresses_.find(address);
    if (it == addresses_.end()) {
        return;
    }
    it->busy = false;
    if (it->failures == 0) {
        addresses_.erase(it);
    }
}

int PasswordCheckQueue::failures(const QString &address) const {
    return addresses_.value(address).failures;
}

qint64 PasswordCheckQueue::waitMs(const QString &address, qint64 nowMs) const {
    const auto it = addresses_.constFind(address);
    return it == addresses_.cend() ? 0 : std::max<qint64>(0, it->nextCheckMs - nowMs);
}

void PasswordCheckQueue::forgetOld(qint64 nowMs) {
    // Only when the book is full, and at most once a minute: a sweep walks every address.
    if (addresses_.size() < policy_.maxAddresses || nowMs - lastSweepMs_ < 60000) {
        return;
    }
    lastSweepMs_ = nowMs;
    for (auto it = addresses_.begin(); it != addresses_.end();) {
        if (!it->busy && nowMs - it->lastFailureMs >= policy_.forgetAfter.count()) {
            it = addresses_.erase(it);
        } else {
            ++it;
        }
    }
    if (addresses_.size() < policy_.maxAddresses) {
        return;
    }
    // Still full (a guesser with more addresses than that): the addresses with fewest failures
    // go, down to nine tenths, so that the book does not fill again with the next address.
    std::vector<std::pair<int, QString>> byFailures;
    for (auto it = addresses_.cbegin(); it != addresses_.cend(); ++it) {
        if (!it->busy) {
            byFailures.emplace_back(it->failures, it.key());
        }
    }
    std::sort(byFailures.begin(), byFailures.end());
    const qsizetype target = qsizetype(policy_.maxAddresses) * 9 / 10;
    for (const auto &[failures, address] : byFailures) {
        if (addresses_.size() <= target) {
            break;
        }
        addresses_.remove(address);
    }
}

}  // namespace confab
