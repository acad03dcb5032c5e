// SPDX-License-Identifier: GPL-3.0-or-later
#include "EpollLoop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace confab::bench {
namespace {

// Events taken per epoll_wait(). More are not lost: level-triggered, they come with the next call.
constexpr int kEventsPerWait = 256;

[[noreturn]] void fatal(const char *what) {
    std::fprintf(stderr, "signaling-load: %s: %s\n", what, std::strerror(errno));
    std::abort();
}

}  // namespace

EpollLoop::EpollLoop() {
    epollFd_ = epoll_create1(EPOLL_CLOEXEC);
    wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    timerFd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epollFd_ < 0 || wakeFd_ < 0 || timerFd_ < 0) {
        fatal("cannot set up an epoll loop");  // out of descriptors before the first client
    }
    // The loop's own two descriptors carry the address of their member as a tag: no Watcher has it.
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = &wakeFd_;
    epoll_ctl(epollFd_, EPOLL_CTL_ADD, wakeFd_, &event);
    event.data.ptr = &timerFd_;
    epoll_ctl(epollFd_, EPOLL_CTL_ADD, timerFd_, &event);
}

EpollLoop::~EpollLoop() {
    close(timerFd_);
    close(wakeFd_);
    close(epollFd_);
}

bool EpollLoop::watch(int fd, uint32_t events, Watcher *watcher) {
    epoll_event event{};
    event.events = events;
    event.data.ptr = watcher;
    return epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

bool EpollLoop::change(int fd, uint32_t events, Watcher *watcher) {
    epoll_event event{};
    event.events = events;
    event.data.ptr = watcher;
    return epoll_ctl(epollFd_, EPOLL_CTL_MOD, fd, &event) == 0;
}

void EpollLoop::unwatch(int fd) {
    epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EpollLoop::post(std::function<void()> work) {
    {
        std::lock_guard<std::mutex> lock(postedMutex_);
        posted_.push_back(std::move(work));
    }
    const uint64_t one = 1;
    if (write(wakeFd_, &one, sizeof one) < 0 && errno != EAGAIN) {
        fatal("cannot wake an epoll loop");
    }
}

void EpollLoop::every(gint64 periodUs, std::function<bool()> callback) {
    timers_.push_back(Timer{g_get_monotonic_time() + periodUs, periodUs, std::move(callback)});
    armTimerFd();
}

void EpollLoop::run() {
    quit_ = false;
    epoll_event events[kEventsPerWait];
    if (pollIntervalUs_ > 0) {
        prctl(PR_SET_TIMERSLACK, 1000UL);  // ns: the default 50 µs would stretch each sleep
    }
    runPosted();  // work posted before the thread started
    while (!quit_) {
        const int count = epoll_wait(epollFd_, events, kEventsPerWait, pollIntervalUs_ > 0 ? 0 : -1);
        if (count == 0 && pollIntervalUs_ > 0) {
            sleepUntilNextLook();
            continue;
        }
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            fatal("epoll_wait");
        }
        for (int i = 0; i < count && !quit_; ++i) {
            void *tag = events[i].data.ptr;
            if (tag == &wakeFd_) {
                uint64_t ignored = 0;
                if (read(wakeFd_, &ignored, sizeof ignored) < 0 && errno != EAGAIN) {
                    fatal("eventfd read");
                }
                runPosted();
            } else if (tag == &timerFd_) {
                uint64_t expirations = 0;
                if (read(timerFd_, &expirations, sizeof expirations) < 0 && errno != EAGAIN) {
                    fatal("timerfd read");
                }
                runDueTimers();
            } else {
                // A watcher that an earlier event of this batch closed still gets its own event
                // here; RawWebSocket ignores events once its descriptor is closed.
                static_cast<Watcher *>(tag)->ready(events[i].events);
            }
        }
    }
}

void EpollLoop::runPosted() {
    std::vector<std::function<void()>> work;
    {
        std::lock_guard<std::mutex> lock(postedMutex_);
        work.swap(posted_);
    }
    for (auto &item : work) {
        item();
    }
}

void EpollLoop::runDueTimers() {
    // Due timers are taken out first: a callback may add timers, which would move the vector.
    const gint64 nowUs = g_get_monotonic_time();
    std::vector<Timer> due;
    const auto notDue = std::stable_partition(timers_.begin(), timers_.end(),
                                              [nowUs](const Timer &timer) { return timer.dueUs > nowUs; });
    std::move(notDue, timers_.end(), std::back_inserter(due));
    timers_.erase(notDue, timers_.end());
    for (Timer &timer : due) {
        if (timer.callback()) {
            // From now, like a GLib timeout: a late tick does not bring the next one forward.
            timer.dueUs = g_get_monotonic_time() + timer.periodUs;
            timers_.push_back(std::move(timer));
        }
    }
    armTimerFd();
}

gint64 EpollLoop::earliestTimerUs() const {
    gint64 dueUs = G_MAXINT64;
    for (const Timer &timer : timers_) {
        dueUs = std::min(dueUs, timer.dueUs);
    }
    return dueUs;
}

void EpollLoop::sleepUntilNextLook() {
    // Until the next look, or the next timer if that is sooner (its timerfd is then readable).
    const gint64 wakeUs = std::min(g_get_monotonic_time() + pollIntervalUs_, earliestTimerUs());
    timespec until{};
    until.tv_sec = wakeUs / 1000000;
    until.tv_nsec = long(wakeUs % 1000000 * 1000);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
}

void EpollLoop::armTimerFd() {
    itimerspec when{};  // all zero disarms
    if (!timers_.empty()) {
        const gint64 dueUs = earliestTimerUs();
        // Absolute on CLOCK_MONOTONIC; a time already past fires at once (but 0 would disarm).
        when.it_value.tv_sec = std::max<gint64>(0, dueUs / 1000000);
        when.it_value.tv_nsec = long(std::max<gint64>(1, dueUs % 1000000 * 1000));
    }
    if (timerfd_settime(timerFd_, TFD_TIMER_ABSTIME, &when, nullptr) != 0) {
        fatal("timerfd_settime");
    }
}

}  // namespace confab::bench
