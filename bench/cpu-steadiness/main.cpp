// SPDX-License-Identifier: GPL-3.0-or-later
// cpu-steadiness: how steady this machine's CPU speed is, as a yardstick for latency tails.
//
// One thread does the same small unit of work (reading and writing through a 256 KiB buffer, about 12 µs
// here) over and over for --seconds, timing each unit by its own thread CPU time, so time spent queued behind
// other threads does not count. It then groups the units by 10 ms of wall time and compares each window's
// mean with the run's median. On bare metal the same work takes the same time; in a VM whose host hands the
// core to someone else (or whose hyperthread sibling is busy) it does not, and the guest's scheduler cannot
// see it. A server at half a core that suddenly runs 1.5x slower for 50 ms saturates, and every message in
// those 50 ms waits: that is the signaling bench's tail that neither `cpuWaitDuringRelay` nor `/proc/stat`'s
// steal shows. Run it on an idle machine, before or after a benchmark, never beside one (it keeps a core
// busy).
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

double seconds(clockid_t clock) {
    timespec now{};
    clock_gettime(clock, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

// Touches every cache line of the buffer twice, reading another line for each, and folds it into
// a hash the compiler cannot drop. Mostly memory traffic within a 256 KiB working set, as a
// server's is: a compute-bound unit (a division per line) hid most of the slowdowns this shows.
constexpr size_t kBufferBytes = 256 * 1024;
volatile uint64_t g_sink = 0;
void workUnit(std::vector<unsigned char> &buffer) {
    uint64_t hash = 1469598103934665603ULL;
    for (int round = 0; round < 2; ++round) {
        for (size_t i = 0; i < kBufferBytes; i += 64) {
            buffer[i] ^= static_cast<unsigned char>(hash);
            hash = (hash ^ buffer[(i * 7) % kBufferBytes]) * 1099511628211ULL;
        }
    }
    g_sink = hash;
}

struct Unit {
    double startWall;  // CLOCK_MONOTONIC, s
    double cpu;        // thread CPU time the unit took, s
};

}  // namespace

int main(int argc, char **argv) {
    double runSeconds = 20;
    double slowRatio = 1.3;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--seconds" && i + 1 < argc) {
            runSeconds = std::atof(argv[++i]);
        } else if (arg == "--slow-ratio" && i + 1 < argc) {
            slowRatio = std::atof(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: cpu-steadiness [--seconds S] [--slow-ratio R]\n");
            return 2;
        }
    }
    if (runSeconds <= 0 || slowRatio <= 1) {
        std::fprintf(stderr, "cpu-steadiness: --seconds must be above 0 and --slow-ratio above 1\n");
        return 2;
    }

    std::vector<unsigned char> buffer(kBufferBytes, 1);
    std::vector<Unit> units;
    units.reserve(size_t(runSeconds * 200000));
    const double endWall = seconds(CLOCK_MONOTONIC) + runSeconds;
    for (double wall = seconds(CLOCK_MONOTONIC); wall < endWall; wall = seconds(CLOCK_MONOTONIC)) {
        const double cpuBefore = seconds(CLOCK_THREAD_CPUTIME_ID);
        workUnit(buffer);
        units.push_back({wall, seconds(CLOCK_THREAD_CPUTIME_ID) - cpuBefore});
    }
    if (units.size() < 100) {
        std::fprintf(stderr, "cpu-steadiness: only %zu units ran; nothing to compare\n", units.size());
        return 1;
    }
    std::vector<double> sorted;
    sorted.reserve(units.size());
    for (const Unit &unit : units) {
        sorted.push_back(unit.cpu);
    }
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];

    // Windows of 10 ms of wall time; one with under 5 units (the thread was off the CPU most of
    // it) says nothing about speed and is skipped, and ends a slow episode.
    constexpr double kWindow = 0.010;
    long windows = 0, slowWindows = 0, episodes = 0, run = 0, longest = 0;
    double worst = 0;
    for (size_t i = 0; i < units.size();) {
        const double windowStart = units[i].startWall;
        double cpu = 0;
        long count = 0;
        for (; i < units.size() && units[i].startWall < windowStart + kWindow; ++i) {
            cpu += units[i].cpu;
            ++count;
        }
        if (count < 5) {
            run = 0;
            continue;
        }
        ++windows;
        const double ratio = cpu / double(count) / median;
        worst = std::max(worst, ratio);
        if (ratio > slowRatio) {
            ++slowWindows;
            episodes += run == 0 ? 1 : 0;
            longest = std::max(longest, ++run);
        } else {
            run = 0;
        }
    }
    std::printf(
        "{\"benchmark\":\"cpu-steadiness\",\"seconds\":%.1f,\"units\":%zu,\"unitMedianUs\":%.1f,"
        "\"unitP99Us\":%.1f,\"windowMs\":10,\"windows\":%ld,\"slowRatio\":%.2f,\"slowWindows\":%ld,"
        "\"slowWindowsPercent\":%.2f,\"slowEpisodes\":%ld,\"longestSlowEpisodeMs\":%ld,"
        "\"worstWindowRatio\":%.2f}\n",
        runSeconds, units.size(), median * 1e6, sorted[sorted.size() * 99 / 100] * 1e6, windows, slowRatio,
        slowWindows, windows ? 100.0 * double(slowWindows) / double(windows) : 0.0, episodes, longest * 10,
        worst);
    return 0;
}
