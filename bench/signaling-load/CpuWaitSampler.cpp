// SPDX-License-Identifier: GPL-3.0-or-later
#include "CpuWaitSampler.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

namespace confab::bench {

CpuWaitSampler::CpuWaitSampler(std::vector<Watched> watched)
    : watched_(std::move(watched)), figures_(watched_.size()) {}

CpuWaitSampler::~CpuWaitSampler() {
    stop();
}

void CpuWaitSampler::start() {
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void CpuWaitSampler::stop() {
    stopping_ = true;
    if (thread_.joinable()) {
        thread_.join();
    }
}

long long CpuWaitSampler::waitNs(const Watched &watched) {
    std::vector<pid_t> tids = watched.tids;
    if (tids.empty()) {
        std::error_code error;
        const std::string tasks = "/proc/" + std::to_string(watched.pid) + "/task";
        for (const auto &entry : std::filesystem::directory_iterator(tasks, error)) {
            tids.push_back(pid_t(std::atoll(entry.path().filename().c_str())));
        }
    }
    long long total = -1;
    for (pid_t tid : tids) {
        std::ifstream file("/proc/" + std::to_string(watched.pid) + "/task/" + std::to_string(tid) +
                           "/schedstat");
        long long runNs = 0;
        long long waitingNs = 0;
        if (file >> runNs >> waitingNs) {
            total = std::max(0LL, total) + waitingNs;
        }
    }
    return total;
}

void CpuWaitSampler::run() {
    std::vector<long long> last(watched_.size());
    for (size_t i = 0; i < watched_.size(); ++i) {
        last[i] = waitNs(watched_[i]);
    }
    while (!stopping_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(kWindowMs));
        for (size_t i = 0; i < watched_.size(); ++i) {
            const long long now = waitNs(watched_[i]);
            if (now < 0 || last[i] < 0) {
                last[i] = now;
                continue;
            }
            // A thread that ended takes its wait with it; the window then reads low, never negative.
            const double windowMs = double(std::max(0LL, now - last[i])) / 1e6;
            Figures &figures = figures_[i];
            figures.worstWindowMs = std::max(figures.worstWindowMs, windowMs);
            figures.windowsOver2Ms += windowMs > 2 ? 1 : 0;
            figures.totalMs = std::max(0.0, figures.totalMs) + windowMs;
            last[i] = now;
        }
    }
}

}  // namespace confab::bench
