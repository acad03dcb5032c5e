// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/ContextShardSet.h"

#include "util/GLibWakeup.h"
#include "util/Logging.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/epoll.h>
#include <unistd.h>

namespace confab {

namespace {

struct SetSource {
    GSource base;
    ContextShardSet *set;
    bool running;
};

}  // namespace

ContextShardSet::ContextShardSet(int connectionsPerShard, InputCallback afterInput, int maxShards)
    : perShard_(connectionsPerShard),
      maxShards_(connectionsPerShard > 0 ? std::clamp(maxShards, 1, kMaxShards) : 1),
      afterInput_(afterInput ? std::move(afterInput) : [](int) {}) {
    if (connectionsPerShard < 0) {
        return;  // asked to run unsharded
    }
    if (const QString problem = GLibWakeup::check(); !problem.isEmpty()) {
        qCWarning(lcServer).noquote() << "main-loop shards are off, every connection is served from the main "
                                         "context (slower with thousands connected):"
                                      << problem;
        return;
    }
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
        qCWarning(lcServer) << "cannot create an epoll set for main-loop shards:" << std::strerror(errno);
        return;
    }
    static GSourceFuncs funcs = {nullptr, nullptr, &ContextShardSet::dispatch, nullptr, nullptr, nullptr};
    GSource *base = g_source_new(&funcs, sizeof(SetSource));
    auto *source = reinterpret_cast<SetSource *>(base);
    source->set = this;
    source->running = false;
    g_source_add_unix_fd(base, epoll_, G_IO_IN);
    // Not blocked while dispatched: blocking removes and re-adds our descriptor, and each of those
    // wakes the main loop once more for nothing. `running` refuses the recursion instead.
    g_source_set_can_recurse(base, TRUE);
    g_source_set_name(base, "confab context shards");
    g_source_attach(base, g_main_context_get_thread_default());
    source_.reset(base);
}

ContextShardSet::~ContextShardSet() {
    source_.reset();
    shards_.clear();
    if (epoll_ >= 0) {
        close(epoll_);
    }
}

ContextShardSet::Placement ContextShardSet::place() {
    if (epoll_ < 0) {
        return {};
    }
    // Fewest first: placing by turns, while shards open one by one as clients sign in, left the
    // first ones with several times their share (their walks cost as much) for good.
    int open = 0;
    std::size_t fewest = 0;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        const int held = load_->connections[i].load();
        open += held;
        if (held < load_->connections[fewest].load()) {
            fewest = i;
        }
    }
    const int wanted = perShard_ > 0 ? std::clamp(open / perShard_ + 1, 1, maxShards_) : 1;
    // When no shard can be added (no descriptor free), the fewest-loaded one takes it.
    if (int(shards_.size()) < wanted && addShard()) {
        fewest = shards_.size() - 1;
    }
    if (shards_.empty()) {
        return {};
    }
    ++load_->connections[fewest];
    return {shards_[fewest]->context(), int(fewest)};
}

void ContextShardSet::closeIdleShards() {
    if (epoll_ < 0 || reinterpret_cast<SetSource *>(source_.get())->running) {
        return;  // no shards, or called from inside a shard's run
    }
    int open = 0;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        open += load_->connections[i].load();
    }
    const std::size_t wanted =
        std::size_t(perShard_ > 0 ? std::clamp(open / perShard_ + 1, 1, maxShards_) : 1);
    // A shard's count falls when its last socket is finalized (on any thread) and rises only here,
    // on this thread: one at zero stays at zero.
    while (shards_.size() > wanted && load_->connections[shards_.size() - 1].load() == 0) {
        epoll_ctl(epoll_, EPOLL_CTL_DEL, shards_.back()->epollFd(), nullptr);
        shards_.pop_back();
    }
    timerTurn_ = 0;
}

void ContextShardSet::forget(int fd) {
    for (const auto &shard : shards_) {
        shard->forget(fd);
    }
}

ContextShard *ContextShardSet::addShard() {
    auto shard = std::make_unique<ContextShard>();
    if (!shard->isValid()) {
        return nullptr;
    }
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.u32 = uint32_t(shards_.size());
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, shard->epollFd(), &event) != 0) {
        qCWarning(lcServer) << "cannot add a main-loop shard:" << std::strerror(errno);
        return nullptr;
    }
    shards_.push_back(std::move(shard));
    return shards_.back().get();
}

gboolean ContextShardSet::dispatch(GSource *base, GSourceFunc, gpointer) {
    auto *source = reinterpret_cast<SetSource *>(base);
    if (!source->running) {  // a nested main loop run from inside a shard: that shard is mid-run
        source->running = true;
        source->set->runDue();
        source->running = false;
    }
    return G_SOURCE_CONTINUE;
}

void ContextShardSet::runDue() {
    ready_.resize(std::max<std::size_t>(1, shards_.size()));  // each shard's set is in ours once
    const int count = epoll_wait(epoll_, ready_.data(), int(ready_.size()), 0);
    due_.assign(shards_.size(), 0);
    for (int i = 0; i < count; ++i) {
        due_[ready_[std::size_t(i)].data.u32] = 1;
    }
    // Input first: every shard with something to read runs (and fires its due timers with it).
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        if (due_[i]) {
            shards_[i]->run(afterInput_);
        }
    }
    const gint64 now = g_get_monotonic_time();
    runTimers(now);
    updateReadyTime(now);
}

void ContextShardSet::runTimers(gint64 now) {
    // Shards woken by a timer alone run after the input, paced: libsoup's keep-alive pings are
    // seconds timers, which GLib fires at the same point of every second for the whole process,
    // so with 10,000 clients 667 pings fell due at once and their shards ran for 50-90 ms (their
    // pongs as long again) while every message that arrived meanwhile waited. A turn spends at
    // most kTimerBudget on them; while some are left over, the next turn comes kTimerPause later,
    // and input is served in between: pings go out over a few hundred ms instead of at one
    // instant. Unless the oldest has waited kTimerMaxLag: then timers need more than the pace
    // allows (the pings of far more clients), and all that are due run now, as they used to.
    gint64 oldest = G_MAXINT64;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        if (!due_[i]) {
            oldest = std::min(oldest, shards_[i]->deadline());
        }
    }
    const bool lagging = oldest < now - kTimerMaxLag.count();
    if (oldest > now || (now < timerTurnAt_ && !lagging)) {
        return;
    }
    const std::size_t shardCount = shards_.size();
    for (std::size_t k = 0; k < shardCount; ++k) {
        const std::size_t i = (timerTurn_ + k) % shardCount;
        if (!due_[i] && shards_[i]->deadline() <= now) {
            shards_[i]->run(afterInput_);
            const gint64 after = g_get_monotonic_time();
            if (!lagging && after - now > kTimerBudget.count()) {
                timerTurn_ = i + 1;  // the next turn starts after the last one served
                timerTurnAt_ = after + kTimerPause.count();
                return;
            }
        }
    }
    timerTurnAt_ = 0;  // all served
}

void ContextShardSet::updateReadyTime(gint64 now) {
    gint64 earliest = G_MAXINT64;
    for (const auto &shard : shards_) {
        earliest = std::min(earliest, shard->deadline());
    }
    earliest = std::max(earliest, timerTurnAt_);  // a pause between turns of timers is kept
    // Only moved earlier, or on once it has passed: a shard's deadline is "now + its timeout" and
    // so changes on every run, and every change of a ready time wakes the main loop once more. A
    // ready time left earlier than needed costs one look at the deadlines.
    const gint64 current = g_source_get_ready_time(source_.get());
    if (current == -1 || current <= now || earliest < current) {
        g_source_set_ready_time(source_.get(), earliest == G_MAXINT64 ? -1 : earliest);
    }
}

}  // namespace confab
