// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTimer>

#include <sys/types.h>

// CPU time and memory of one process, or of a process group (Chromium: the browser and every
// process it forked), read from /proc. Sampled on a timer so the peak of a group's summed memory
// is seen, which no single process's VmHWM can tell.
class ProcessUsage : public QObject {
    Q_OBJECT
public:
    struct Sample {
        double cpuSeconds = 0;  // utime + stime, summed over the processes
        double rssMB = 0;       // VmRSS, summed
        double hwmMB = 0;       // VmHWM (the kernel's peak RSS of each process), summed
        double pssMB = 0;       // Pss from smaps_rollup, summed: shared pages counted once in all
        int processes = 0;
    };

    // `group`: every process whose process group is `pid`; otherwise `pid` alone.
    ProcessUsage(pid_t pid, bool group, int intervalMs = 200);

    static Sample read(pid_t pid, bool group, bool withPss);

    void start();
    void stop();
    // The last sample, and the peaks of the summed figures over all samples since start().
    Sample last() const { return last_; }
    double peakRssMB() const { return peakRss_; }
    double peakPssMB() const { return peakPss_; }
    double peakHwmMB() const { return peakHwm_; }
    int maxProcesses() const { return maxProcesses_; }

private:
    void sample();

    pid_t pid_;
    bool group_;
    QTimer timer_;
    int ticks_ = 0;
    Sample last_;
    double peakRss_ = 0;
    double peakPss_ = 0;
    double peakHwm_ = 0;
    int maxProcesses_ = 0;
};
