#include "signaling/PendingBytesWatch.h"

#include "util/Logging.h"

#include <glib-unix.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <sys/epoll.h>
#include <unistd.h>

namespace confab {

namespace {

// Events taken per epoll_wait call; the dispatch loops until the ready list is empty.
constexpr int kEventsPerWait = 256;

}  // namespace

PendingBytesWatch::PendingBytesWatch(Callback onBytes) : onBytes_(std::move(onBytes)) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
        qCWarning(lcServer) << "cannot create an epoll set for the fragment-flood watch:"
                            << std::strerror(errno);
        return;
    }
    source_.reset(g_unix_fd_source_new(epoll_, G_IO_IN));
    g_source_set_callback(source_.get(), G_SOURCE_FUNC(onReady), this, nullptr);
    g_source_attach(source_.get(), g_main_context_get_thread_default());
}

PendingBytesWatch::~PendingBytesWatch() {
    source_.reset();
    if (epoll_ >= 0) {
        close(epoll_);
    }
}

bool PendingBytesWatch::watch(int fd, void *owner) {
    if (epoll_ < 0) {
        return false;
    }
    epoll_event event = {};
    event.events = EPOLLIN | EPOLLET;
    event.data.fd = fd;
    // EEXIST: the number was watched for a socket whose owner has not unwatched it yet.
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0 &&
        (errno != EEXIST || epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &event) != 0)) {
        qCWarning(lcServer) << "cannot watch socket" << fd << "for fragment floods:" << std::strerror(errno);
        return false;
    }
    owners_.insert(fd, owner);
    return true;
}

void PendingBytesWatch::unwatch(int fd, void *owner) {
    const auto it = owners_.constFind(fd);
    if (it != owners_.cend() && it.value() == owner) {
        owners_.erase(it);
        epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);  // fails harmlessly when already closed
    }
}

gboolean PendingBytesWatch::onReady(gint, GIOCondition, gpointer self) {
    auto *watch = static_cast<PendingBytesWatch *>(self);
    std::array<epoll_event, kEventsPerWait> events;
    int count = 0;
    do {
        count = epoll_wait(watch->epoll_, events.data(), kEventsPerWait, 0);
        for (int i = 0; i < count; ++i) {
            // Looked up now: an earlier callback in this loop may have unwatched it.
            if (void *owner = watch->owners_.value(events[std::size_t(i)].data.fd)) {
                watch->onBytes_(owner);
            }
        }
    } while (count == kEventsPerWait);
    return G_SOURCE_CONTINUE;
}

}  // namespace confab
