// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <atomic>
#include <thread>

namespace netlab {

// Delay and jitter in user space, for a kernel without netem: a thread that lives in a network
// namespace (the lab's router), owns two TUN devices there, and copies every IPv4 packet read from
// one into the other after a delay (a DelaySchedule per direction). Policy routing in that
// namespace (NetworkLab) sends the traffic between the sites into the devices; what comes out of
// the other device is routed on as if it had just arrived. The devices vanish with the thread.
class DelayForwarder {
public:
    DelayForwarder() = default;
    ~DelayForwarder();
    DelayForwarder(const DelayForwarder &) = delete;
    DelayForwarder &operator=(const DelayForwarder &) = delete;

    // Makes the devices `first` and `second` (down, no address) in the namespace whose file is
    // `namespacePath` (/run/netns/NAME) and starts forwarding between them; false with *error.
    bool start(const QString &namespacePath, const QString &first, const QString &second, int delayMs,
               int jitterMs, QString *error);
    // Changes the delay; packets already held keep theirs. Safe from any thread.
    void setDelay(int delayMs, int jitterMs);
    void stop();

    // Packets forwarded and dropped (the holding queue full) so far.
    long forwarded() const { return forwarded_; }
    long dropped() const { return dropped_; }

private:
    void run(int firstFd, int secondFd);

    std::thread thread_;
    int wakeFd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<int> delayMs_{0};
    std::atomic<int> jitterMs_{0};
    std::atomic<int> generation_{0};  // bumped by setDelay(): the thread makes new schedules
    std::atomic<long> forwarded_{0};
    std::atomic<long> dropped_{0};
};

}  // namespace netlab
