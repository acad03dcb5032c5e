// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/types.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace confab::bench {

// How long the measured processes were ready to run but waiting for a CPU, read every 10 ms from
// the kernel's per-thread run-queue wait (/proc/PID/task/TID/schedstat, second field).
//
// Why: on a 2-core machine a latency tail can come from somebody else holding a CPU (on this
// team's machines, the sandbox's own control process at nice -10 takes one for 20-60 ms every
// few seconds), not from the server's work. A run whose worst window shows the server or the
// relay thread waiting several milliseconds had its tail there; one whose waits stay small did
// not. This measures; it changes nothing about what is measured.
class CpuWaitSampler {
public:
    struct Watched {
        std::string label;
        pid_t pid = 0;
        std::vector<pid_t> tids;  // empty: every thread of `pid`, as they come and go
    };
    struct Figures {
        double totalMs = -1;        // summed over the threads; -1 when schedstat is unreadable
        double worstWindowMs = -1;  // the most waited within one sampling window
        long windowsOver2Ms = 0;    // sampling windows with more than 2 ms of waiting
    };

    static constexpr int kWindowMs = 10;

    explicit CpuWaitSampler(std::vector<Watched> watched);
    ~CpuWaitSampler();
    CpuWaitSampler(const CpuWaitSampler &) = delete;
    CpuWaitSampler &operator=(const CpuWaitSampler &) = delete;

    void start();
    void stop();  // joins the sampling thread; figures() is valid after it
    const std::vector<Figures> &figures() const { return figures_; }

private:
    // Run-queue wait in ns summed over the watched threads; -1 when none could be read.
    static long long waitNs(const Watched &watched);
    void run();

    std::vector<Watched> watched_;
    std::vector<Figures> figures_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace confab::bench
