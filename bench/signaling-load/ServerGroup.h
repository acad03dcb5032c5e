// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ServerProcess.h"

#include <memory>
#include <string>
#include <vector>

namespace confab::bench {

// The servers a run measures: one confab-server (started by the bench or someone else's, as
// ServerProcess), or a cluster (--nodes N): a redis-server on a free loopback port and N
// confab-server nodes joined to it with --redis, each started and watched like a single server.
// Memory and CPU figures are sums over the nodes; Redis's CPU is reported on its own.
class ServerGroup {
public:
    struct ClusterSettings {
        int nodes = 1;
        std::string redisBinary = "redis-server";
        int presenceTtlSeconds = 15;
    };

    static std::unique_ptr<ServerGroup> startSingle(const std::string &binary,
                                                    const std::vector<std::string> &args,
                                                    const std::string &logPath, std::string *error);
    // `logPath` non-empty: node i logs to "<logPath>.<i>"; else to a temporary file, removed after.
    static std::unique_ptr<ServerGroup> startCluster(const ClusterSettings &cluster,
                                                     const std::string &binary,
                                                     const std::vector<std::string> &args,
                                                     const std::string &logPath, std::string *error);
    // Servers someone else runs; `pid` (0: unknown) is the first one's.
    static std::unique_ptr<ServerGroup> attach(std::vector<std::string> urls, pid_t pid);
    ~ServerGroup();

    const std::vector<std::string> &urls() const { return urls_; }
    int nodeCount() const { return int(urls_.size()); }
    bool clustered() const { return redis_ != nullptr; }
    pid_t pid() const { return nodes_.empty() ? 0 : nodes_.front()->pid(); }
    // Every node's process id that is known (a server someone else runs may have none).
    std::vector<pid_t> pids() const;
    bool startedByBench() const { return !nodes_.empty() && nodes_.front()->startedByBench(); }
    // False once any node is gone.
    bool alive();
    long rssKiB() const;
    long peakRssKiB() const;
    double cpuSeconds() const;
    double redisCpuSeconds() const { return redis_ ? redis_->cpuSeconds() : -1; }
    long openFileLimit() const;
    bool raiseOpenFileLimit() const;
    void stop();

private:
    ServerGroup() = default;
    // Sum of `figure` over the nodes; -1 when any is unknown.
    template <typename Figure>
    auto sum(Figure figure) const;

    std::unique_ptr<ServerProcess> redis_;
    std::vector<std::unique_ptr<ServerProcess>> nodes_;
    std::vector<std::string> urls_;
    std::vector<std::string> temporaryLogs_;
};

}  // namespace confab::bench
