// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace confab::bench {

// An event loop on epoll for one bench thread, for the clients of EpollTransport. Unlike a GLib
// main loop, an iteration costs O(descriptors that are ready), not O(descriptors watched): nothing
// is prepared, checked or polled per socket, and watching or unwatching a socket is one
// epoll_ctl(). Timers share one timerfd, armed for the earliest of them (µs precision, where GLib's
// poll() timeout has whole milliseconds). Work from other threads comes through post() and an
// eventfd. The thread that calls run() owns the loop; only post() may be called from elsewhere.
class EpollLoop {
public:
    // Something with a descriptor to watch; ready() gets the epoll events (EPOLLIN, EPOLLOUT,
    // EPOLLERR, EPOLLHUP). Owned by the caller, who must unwatch() it before destroying it.
    class Watcher {
    public:
        virtual void ready(uint32_t events) = 0;

    protected:
        ~Watcher() = default;
    };

    EpollLoop();
    ~EpollLoop();
    EpollLoop(const EpollLoop &) = delete;
    EpollLoop &operator=(const EpollLoop &) = delete;

    // Level-triggered: a watcher is called again while the condition lasts. False with errno set
    // when epoll refuses.
    bool watch(int fd, uint32_t events, Watcher *watcher);
    bool change(int fd, uint32_t events, Watcher *watcher);
    void unwatch(int fd);

    // Any thread: runs `work` on the loop's thread, before the next wait for network events.
    void post(std::function<void()> work);
    // Calls `callback` every `periodUs` (first call one period from now) while it returns true.
    void every(gint64 periodUs, std::function<bool()> callback);

    // > 0: instead of sleeping in epoll_wait() until something is ready, look (without waiting)
    // this often, and sleep outside epoll in between. On loopback the kernel wakes a reader that
    // sleeps in epoll_wait() on the *sender's* CPU time: the server paid for waking the bench on
    // every message it delivered (sock_def_readable: 13.6 % of its samples at 10,000 messages/s
    // with 1,000 clients), which on a real network it would not. A reader that is not waiting in
    // epoll costs the sender nothing; the price is up to this long added to a measured latency.
    // Set before run().
    void setPollInterval(gint64 microseconds) { pollIntervalUs_ = microseconds; }

    // Runs until quit() (called from the loop's thread, from a watcher, a timer or posted work).
    void run();
    void quit() { quit_ = true; }

private:
    struct Timer {
        gint64 dueUs = 0;  // g_get_monotonic_time() clock, which is CLOCK_MONOTONIC
        gint64 periodUs = 0;
        std::function<bool()> callback;
    };

    void runPosted();
    void runDueTimers();
    void armTimerFd();
    gint64 earliestTimerUs() const;
    void sleepUntilNextLook();

    int epollFd_ = -1;
    int wakeFd_ = -1;   // eventfd: post() from another thread
    int timerFd_ = -1;  // timerfd: the earliest Timer
    bool quit_ = false;
    gint64 pollIntervalUs_ = 0;
    std::vector<Timer> timers_;
    std::mutex postedMutex_;
    std::vector<std::function<void()>> posted_;  // guarded by postedMutex_
};

}  // namespace confab::bench
