// SPDX-License-Identifier: GPL-3.0-or-later
#include "DelayForwarder.h"

#include "DelaySchedule.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <future>
#include <vector>

namespace netlab {

namespace {

constexpr size_t kMaxHeld = 20000;  // per direction: ~20 MB at most, far beyond any sane queue
constexpr int kPacketBytes = 65536;

double nowMs() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

int openTun(const QString &name, QString *error) {
    const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *error =
            QStringLiteral("cannot open /dev/net/tun: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return -1;
    }
    ifreq request{};
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(request.ifr_name, name.toLatin1().constData(), IFNAMSIZ - 1);
    if (::ioctl(fd, TUNSETIFF, &request) < 0) {
        *error = QStringLiteral("cannot make TUN device %1: %2")
                     .arg(name, QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    return fd;
}

struct Held {
    double releaseMs;
    std::vector<char> bytes;
};

}  // namespace

DelayForwarder::~DelayForwarder() {
    stop();
}

bool DelayForwarder::start(const QString &namespacePath, const QString &first, const QString &second,
                           int delayMs, int jitterMs, QString *error) {
    stop();
    delayMs_ = delayMs;
    jitterMs_ = jitterMs;
    stopping_ = false;
    wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    std::promise<QString> ready;
    std::future<QString> started = ready.get_future();
    // A thread of its own: setns() changes only the calling thread's network namespace, and the
    // devices are made in whichever namespace their creator is in.
    thread_ = std::thread([this, namespacePath, first, second, ready = std::move(ready)]() mutable {
        const int ns = ::open(namespacePath.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
        if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
            ready.set_value(QStringLiteral("cannot enter %1: %2")
                                .arg(namespacePath, QString::fromLocal8Bit(std::strerror(errno))));
            if (ns >= 0) {
                ::close(ns);
            }
            return;
        }
        ::close(ns);
        QString failure;
        const int firstFd = openTun(first, &failure);
        const int secondFd = firstFd < 0 ? -1 : openTun(second, &failure);
        if (secondFd < 0) {
            if (firstFd >= 0) {
                ::close(firstFd);
            }
            ready.set_value(failure);
            return;
        }
        ready.set_value(QString());
        run(firstFd, secondFd);
        ::close(firstFd);
        ::close(secondFd);
    });
    *error = started.get();
    if (!error->isEmpty()) {
        thread_.join();
        ::close(wakeFd_);
        wakeFd_ = -1;
        return false;
    }
    return true;
}

void DelayForwarder::setDelay(int delayMs, int jitterMs) {
    delayMs_ = delayMs;
    jitterMs_ = jitterMs;
    ++generation_;
}

void DelayForwarder::stop() {
    if (!thread_.joinable()) {
        return;
    }
    stopping_ = true;
    const uint64_t one = 1;
    (void)!::write(wakeFd_, &one, sizeof one);
    thread_.join();
    ::close(wakeFd_);
    wakeFd_ = -1;
}

void DelayForwarder::run(int firstFd, int secondFd) {
    const int fds[2] = {firstFd, secondFd};
    std::deque<Held> held[2];  // [0]: read from first, to be written to second; [1]: the other way
    int generation = -1;
    std::vector<DelaySchedule> schedules;
    std::vector<char> packet(kPacketBytes);
    while (!stopping_) {
        if (generation != generation_) {
            generation = generation_;
            schedules.clear();
            for (std::uint32_t direction = 0; direction < 2; ++direction) {
                schedules.emplace_back(delayMs_, jitterMs_, 250, 0x5eed + direction);
            }
        }
        double nextMs = -1;
        for (const auto &queue : held) {
            if (!queue.empty() && (nextMs < 0 || queue.front().releaseMs < nextMs)) {
                nextMs = queue.front().releaseMs;
            }
        }
        int timeoutMs = -1;
        if (nextMs >= 0) {
            timeoutMs = std::max(0, int(std::ceil(nextMs - nowMs())));
        }
        pollfd polled[3] = {{firstFd, POLLIN, 0}, {secondFd, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
        ::poll(polled, 3, timeoutMs);
        for (int direction = 0; direction < 2; ++direction) {
            while (polled[direction].revents & POLLIN) {
                const ssize_t size = ::read(fds[direction], packet.data(), packet.size());
                if (size <= 0) {
                    break;
                }
                auto &queue = held[direction];
                if (queue.size() >= kMaxHeld) {
                    ++dropped_;
                    continue;
                }
                const double now = nowMs();
                double release = now + schedules[size_t(direction)].delayMs(now);
                if (!queue.empty()) {
                    release = std::max(release, queue.back().releaseMs);  // never reorder
                }
                queue.push_back({release, std::vector<char>(packet.begin(), packet.begin() + size)});
            }
        }
        const double now = nowMs();
        for (int direction = 0; direction < 2; ++direction) {
            auto &queue = held[direction];
            while (!queue.empty() && queue.front().releaseMs <= now) {
                const Held &front = queue.front();
                if (::write(fds[1 - direction], front.bytes.data(), front.bytes.size()) < 0) {
                    ++dropped_;  // the device is down or its queue full: as a link would drop
                } else {
                    ++forwarded_;
                }
                queue.pop_front();
            }
        }
    }
}

}  // namespace netlab
