// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

#include <sys/epoll.h>

#include <functional>
#include <utility>
#include <vector>

namespace confab {

// One GMainContext holding a slice of a busy thread's main-loop sources, with an epoll set that
// mirrors the descriptors GLib wants polled for them. Owned and run by ContextShardSet, which says
// why shards exist; only the thread that created a shard runs it.
//
// GLib's cycle is prepare → query → poll → check → dispatch. Between runs a shard rests after
// query: its epoll set holds what that query asked for and deadline() says when its next timer is
// due. run() finishes the cycle (epoll's answer stands in for poll's, then check and dispatch, with
// the shard as the thread-default context, so that sources libsoup creates meanwhile stay here) and
// starts the next one (prepare, query, epoll set brought up to date).
//
// What the epoll set cannot see by itself: GLib signals the context's wakeup descriptor (which is
// in the set) whenever a descriptor is added or removed, a ready time changes or a source is
// attached (the context polls ownerless), so a change made from outside a run, on any thread,
// brings the shard back to run. That, and which descriptor it is, are GLib's internals:
// GLibWakeup knows them, and ContextShardSet makes no shard when its check fails.
class ContextShard {
public:
    ContextShard();
    ~ContextShard();
    ContextShard(const ContextShard &) = delete;
    ContextShard &operator=(const ContextShard &) = delete;

    // False when the kernel gave no epoll set or no descriptor for the context's wake-up; the
    // shard must not be used then.
    bool isValid() const { return epoll_ >= 0; }
    GMainContext *context() const { return context_; }
    // Readable when some descriptor of this shard is ready.
    int epollFd() const { return epoll_; }
    // Monotonic µs at which a timer of this shard is due, or G_MAXINT64.
    gint64 deadline() const { return deadline_; }

    // Runs what is ready, then calls `afterInput` with each descriptor that was readable (or hung
    // up) in this run: its sources have read what they wanted by then.
    void run(const std::function<void(int fd)> &afterInput);
    // A socket was just given descriptor `fd`. Whatever the epoll set held under that number was a
    // closed socket, which the kernel dropped from the set: it must be added again when a source
    // wants it, even if the number and the events look unchanged.
    void forget(int fd);

private:
    void startCycle();
    void acknowledgeWakeup();
    void updateEpollSet(int count);
    void takeEpollResults();

    GMainContext *context_ = nullptr;
    int epoll_ = -1;
    int wakeupFd_ = -1;  // the context's own (an eventfd); -1 if it could not be told
    gint maxPriority_ = 0;
    std::vector<GPollFD> fds_;  // the last query's answer, ascending by descriptor
    int fdCount_ = 0;
    // What the epoll set holds: descriptor and GLib events, ascending by descriptor.
    std::vector<std::pair<int, gushort>> watched_;
    std::vector<int> invalid_;  // descriptors the kernel refused: closed; reported as G_IO_NVAL
    std::vector<struct epoll_event> events_;
    std::vector<int> hadInput_;  // scratch for run()
    gint64 deadline_ = G_MAXINT64;
};

}  // namespace confab
