// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/ContextShard.h"

#include "util/GLibWakeup.h"
#include "util/Logging.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/epoll.h>
#include <unistd.h>

namespace confab {

namespace {

uint32_t toEpoll(gushort events) {
    uint32_t out = 0;
    if (events & G_IO_IN) {
        out |= EPOLLIN;
    }
    if (events & G_IO_PRI) {
        out |= EPOLLPRI;
    }
    if (events & G_IO_OUT) {
        out |= EPOLLOUT;
    }
    return out;  // EPOLLERR and EPOLLHUP are always reported, as poll() reports them
}

gushort fromEpoll(uint32_t events) {
    gushort out = 0;
    if (events & EPOLLIN) {
        out |= G_IO_IN;
    }
    if (events & EPOLLPRI) {
        out |= G_IO_PRI;
    }
    if (events & EPOLLOUT) {
        out |= G_IO_OUT;
    }
    if (events & EPOLLERR) {
        out |= G_IO_ERR;
    }
    if (events & EPOLLHUP) {
        out |= G_IO_HUP;
    }
    return out;
}

// Adds or changes `fd` in the epoll set; true when the set now holds it.
bool watch(int epoll, int fd, gushort events, bool known) {
    epoll_event event = {};
    event.events = toEpoll(events);
    event.data.fd = fd;
    if (epoll_ctl(epoll, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) == 0) {
        return true;
    }
    // ENOENT: the socket we knew under this number closed, a new one has it. EEXIST: forgotten,
    // but the set still held it.
    if (errno == ENOENT || errno == EEXIST) {
        return epoll_ctl(epoll, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) == 0;
    }
    return false;
}

}  // namespace

// Ownerless polling (GLibWakeup::newContext()): GLib then signals the wakeup descriptor for every
// source attached, from any thread, as it does for added descriptors and changed ready times.
// Without it a timer attached by the shard's own thread outside a run (while a connection is set
// up) stayed unseen until something else woke the shard.
ContextShard::ContextShard() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
        qCWarning(lcServer) << "cannot create an epoll set for a main-loop shard:" << std::strerror(errno);
        return;
    }
    context_ = GLibWakeup::newContext();
    if (!context_) {
        qCWarning(lcServer) << "no descriptor free for a main-loop shard";
        close(epoll_);
        epoll_ = -1;
        return;
    }
    g_main_context_acquire(context_);
    wakeupFd_ = GLibWakeup::descriptorOf(context_);  // a context with no sources yet
    startCycle();
    g_main_context_release(context_);
}

ContextShard::~ContextShard() {
    if (epoll_ >= 0) {
        close(epoll_);
    }
    // Sources still attached go with the context, unless libsoup still holds a reference to it.
    if (context_) {
        g_main_context_unref(context_);
    }
}

void ContextShard::run(const std::function<void(int fd)> &afterInput) {
    g_main_context_acquire(context_);  // only this thread ever does: it cannot fail
    g_main_context_push_thread_default(context_);
    takeEpollResults();
    hadInput_.clear();
    for (int i = 0; i < fdCount_; ++i) {
        if (fds_[std::size_t(i)].revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
            hadInput_.push_back(fds_[std::size_t(i)].fd);
        }
    }
    if (g_main_context_check(context_, maxPriority_, fds_.data(), fdCount_)) {
        g_main_context_dispatch(context_);
    }
    // Still in the shard: what the callback sets up (a close handshake) stays here.
    for (const int fd : hadInput_) {
        afterInput(fd);
    }
    acknowledgeWakeup();
    startCycle();
    g_main_context_pop_thread_default(context_);
    g_main_context_release(context_);
}

void ContextShard::acknowledgeWakeup() {
    // What the run changed (libsoup re-creates a connection's input source on every read, and each
    // descriptor added or removed signals the wakeup) is all seen by the prepare that follows, so
    // the signal would only bring the shard back for a run that finds nothing: twice the work per
    // message. Read as GLib's own g_wakeup_acknowledge() does. A signal from another thread after
    // this still wakes the shard; one before it is for a source the prepare sees.
    if (wakeupFd_ >= 0) {
        GLibWakeup::acknowledge(wakeupFd_);
    }
}

void ContextShard::startCycle() {
    g_main_context_prepare(context_, &maxPriority_);
    gint timeoutMs = -1;
    int count = 0;
    while ((count = g_main_context_query(context_, maxPriority_, &timeoutMs, fds_.data(), int(fds_.size()))) >
           int(fds_.size())) {
        fds_.resize(std::size_t(count));
    }
    fdCount_ = count;
    updateEpollSet(count);
    deadline_ = timeoutMs < 0 ? G_MAXINT64 : g_get_monotonic_time() + gint64(timeoutMs) * 1000;
}

void ContextShard::updateEpollSet(int count) {
    // Both lists ascend by descriptor: one pass finds what to add, change and remove. libsoup
    // removes and re-adds a connection's descriptor on every read; between two queries that nets
    // out, so a steady connection costs no system call here.
    std::vector<std::pair<int, gushort>> next;
    next.reserve(std::size_t(count));
    invalid_.clear();
    std::size_t w = 0;
    for (int i = 0; i < count; ++i) {
        const int fd = fds_[std::size_t(i)].fd;
        const gushort events = fds_[std::size_t(i)].events;
        while (w < watched_.size() && watched_[w].first < fd) {
            epoll_ctl(epoll_, EPOLL_CTL_DEL, watched_[w++].first,
                      nullptr);  // closed already: fails, harmless
        }
        const bool known = w < watched_.size() && watched_[w].first == fd;
        const bool same = known && watched_[w].second == events;
        if (known) {
            ++w;
        }
        if (same || watch(epoll_, fd, events, known)) {
            next.emplace_back(fd, events);
        } else {
            invalid_.push_back(fd);  // as poll() would say of a descriptor that is not open
        }
    }
    for (; w < watched_.size(); ++w) {
        epoll_ctl(epoll_, EPOLL_CTL_DEL, watched_[w].first, nullptr);
    }
    watched_.swap(next);
}

void ContextShard::takeEpollResults() {
    for (int i = 0; i < fdCount_; ++i) {
        fds_[std::size_t(i)].revents = 0;
    }
    const auto begin = fds_.begin();
    const auto end = begin + fdCount_;
    const auto find = [&](int fd) -> GPollFD * {
        const auto it = std::lower_bound(begin, end, fd, [](const GPollFD &a, int b) { return a.fd < b; });
        return it != end && it->fd == fd ? &*it : nullptr;
    };
    // One call takes every ready descriptor: each is in the set once, and the set holds at most
    // what the query asked for.
    events_.resize(std::max<std::size_t>(1, watched_.size()));
    const int ready = epoll_wait(epoll_, events_.data(), int(events_.size()), 0);
    for (int i = 0; i < ready; ++i) {
        const epoll_event &event = events_[std::size_t(i)];
        if (GPollFD *fd = find(event.data.fd)) {
            fd->revents = gushort(fromEpoll(event.events) & (fd->events | G_IO_ERR | G_IO_HUP));
        }
    }
    for (const int fd : invalid_) {
        if (GPollFD *polled = find(fd)) {
            polled->revents = G_IO_NVAL;
        }
    }
}

void ContextShard::forget(int fd) {
    const auto it = std::lower_bound(watched_.begin(), watched_.end(), fd,
                                     [](const std::pair<int, gushort> &a, int b) { return a.first < b; });
    if (it != watched_.end() && it->first == fd) {
        watched_.erase(it);
    }
}

}  // namespace confab
