// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/ContextShard.h"
#include "util/GLibPtr.h"

#include <glib.h>

#include <sys/epoll.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace confab {

// Spreads a server's connections over several GMainContexts that the thread's own main loop runs,
// so that what GLib does per connection costs O(connections in one shard), not O(all of them).
//
// Why: with one context, every main-loop iteration prepares and checks every source and polls every
// descriptor, and libsoup 3.2 removes and re-creates a WebSocket's input source on every read, each
// time walking the context's list of poll records (sorted by descriptor) from its head. With 10,000
// clients connected a relayed message cost ~97 µs of server CPU against ~35 µs with 200, and at
// 10,000 messages a second the server saturated a core. Here the thread's main loop sees one
// descriptor (an epoll set of the shards' epoll sets) and one source; the shard with news runs alone.
//
// Everything still runs on one thread: the shards are contexts of this thread, not threads, so
// libsoup objects are used only from the thread that made them. A connection's sources go to the
// shard that was the thread-default context when libsoup created them (see ScopedThreadDefault in
// ServerAcceptor): at its set-up, and then whenever the shard runs. A source created outside any
// shard (a reply sent from a timer) simply lives in the main context, as before.
//
// Shards depend on GLib internals that GLibWakeup checks first. Where the check fails, or when
// asked (connectionsPerShard < 0), there are no shards: every connection lives in the main
// context, correct but O(all connections) per wake-up, and afterInput is never called
// (isSharding() false: the owner must look at its connections another way).
class ContextShardSet {
public:
    using InputCallback = std::function<void(int fd)>;
    static constexpr int kMaxShards = 1024;

    // A new shard is opened for every `connectionsPerShard` open connections (0: one shard for
    // all; below 0: none), up to `maxShards`. `afterInput` is called with each descriptor that had input,
    // after its shard ran (ContextShard::run). Attaches to the calling thread's default context, which only
    // this thread may run.
    explicit ContextShardSet(int connectionsPerShard, InputCallback afterInput = {},
                             int maxShards = kMaxShards);
    ~ContextShardSet();
    ContextShardSet(const ContextShardSet &) = delete;
    ContextShardSet &operator=(const ContextShardSet &) = delete;

    // How many connections each shard holds. Shared with whatever learns that a connection ended,
    // which may be another thread (a socket finalized on a TLS worker), hence atomic.
    struct Load {
        std::array<std::atomic<int>, kMaxShards> connections{};
        void leave(int shard) { --connections[std::size_t(shard)]; }
    };
    struct Placement {
        GMainContext *context = nullptr;  // null: no shard could be made (the kernel refused an
                                          // epoll set); the connection stays in the main context,
                                          // and afterInput never hears of it
        int shard = -1;                   // for Load::leave() when the connection ends
    };
    // Where a connection set up now goes: the shard holding fewest, after opening a new one if
    // the connections would otherwise be more than `connectionsPerShard` a shard.
    Placement place();
    const std::shared_ptr<Load> &load() const { return load_; }
    // A socket was just given descriptor `fd` (see ContextShard::forget): before any source watches it.
    void forget(int fd);
    int shardCount() const { return int(shards_.size()); }
    // Closes the shards at the end of the list that hold no connection, beyond what the open ones
    // need: each holds two descriptors and its context, and a burst of connections (a flood of
    // handshakes that were all closed) would leave them behind for good. Only trailing ones:
    // connections know their shard by its index.
    void closeIdleShards();
    // False when connections are placed in the main context (see above).
    bool isSharding() const { return epoll_ >= 0; }

private:
    // Longest a turn spends on shards that only a timer woke, once input has been served; the
    // pause before the next turn while some are left over; and how late the oldest may get
    // before all run at once (runTimers() says why).
    static constexpr std::chrono::microseconds kTimerBudget{300};
    static constexpr std::chrono::microseconds kTimerPause{2700};
    static constexpr std::chrono::microseconds kTimerMaxLag{500000};

    static gboolean dispatch(GSource *, GSourceFunc, gpointer);
    void runDue();
    void runTimers(gint64 now);
    void updateReadyTime(gint64 now);
    ContextShard *addShard();

    int perShard_;
    int maxShards_;
    InputCallback afterInput_;
    int epoll_ = -1;  // the shards' epoll sets, each under its index
    std::vector<std::unique_ptr<ContextShard>> shards_;
    std::vector<struct epoll_event> ready_;  // scratch: what our epoll set reports
    std::vector<char> due_;                  // scratch, by shard: to run now
    std::shared_ptr<Load> load_ = std::make_shared<Load>();
    std::size_t timerTurn_ = 0;  // where the next turn of timer-only runs starts
    gint64 timerTurnAt_ = 0;     // and when, at the earliest (monotonic µs)
    GSourcePtr source_;          // in the main context: our epoll set, and the earliest shard timer
};

}  // namespace confab
