// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerGroup.h"

#include <glib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace confab::bench {
namespace {

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(uint16_t(port));
    return address;
}

// A port nobody listens on now: the kernel's pick for a socket bound to port 0.
int freeLoopbackPort() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    int port = 0;
    if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

bool accepts(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in address = loopback(port);
    const bool ok = fd >= 0 && connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

bool fileContains(const std::string &path, const std::string &text) {
    std::ifstream file(path);
    std::stringstream content;
    content << file.rdbuf();
    return content.str().find(text) != std::string::npos;
}

// Polls `done` every 20 ms for up to `timeoutMs`.
template <typename Done>
bool waitUntil(Done done, int timeoutMs) {
    for (int waited = 0; waited < timeoutMs; waited += 20) {
        if (done()) {
            return true;
        }
        g_usleep(20000);
    }
    return done();
}

}  // namespace

std::unique_ptr<ServerGroup> ServerGroup::startSingle(const std::string &binary,
                                                      const std::vector<std::string> &args,
                                                      const std::string &logPath, std::string *error) {
    std::unique_ptr<ServerProcess> server = ServerProcess::start(binary, args, logPath, error);
    if (!server) {
        return nullptr;
    }
    std::unique_ptr<ServerGroup> group(new ServerGroup);
    group->urls_.push_back(server->url());
    group->nodes_.push_back(std::move(server));
    return group;
}

std::unique_ptr<ServerGroup> ServerGroup::startCluster(const ClusterSettings &cluster,
                                                       const std::string &binary,
                                                       const std::vector<std::string> &args,
                                                       const std::string &logPath, std::string *error) {
    std::unique_ptr<ServerGroup> group(new ServerGroup);
    const int redisPort = freeLoopbackPort();
    group->redis_ =
        ServerProcess::launch({cluster.redisBinary, "--port", std::to_string(redisPort), "--bind",
                               "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"},
                              "", error);
    if (!group->redis_) {
        return nullptr;
    }
    if (!waitUntil([&] { return accepts(redisPort); }, 10000)) {
        *error = cluster.redisBinary + " did not listen on 127.0.0.1:" + std::to_string(redisPort) +
                 (group->redis_->alive() ? "" : " (it exited; is redis-server installed?)");
        return nullptr;
    }
    const std::string redisUrl = "redis://127.0.0.1:" + std::to_string(redisPort);
    std::vector<std::string> nodeLogs;
    for (int i = 0; i < cluster.nodes; ++i) {
        std::string log = logPath.empty() ? std::string() : logPath + "." + std::to_string(i);
        if (log.empty()) {
            char name[] = "/tmp/signaling-load-node-XXXXXX";
            const int fd = mkstemp(name);
            if (fd < 0) {
                *error = std::string("mkstemp: ") + std::strerror(errno);
                return nullptr;
            }
            close(fd);
            log = name;
            group->temporaryLogs_.push_back(log);
        }
        std::vector<std::string> nodeArgs = args;
        nodeArgs.insert(nodeArgs.end(), {"--redis", redisUrl, "--redis-presence-ttl",
                                         std::to_string(cluster.presenceTtlSeconds)});
        std::unique_ptr<ServerProcess> node = ServerProcess::start(binary, nodeArgs, log, error);
        if (!node) {
            return nullptr;
        }
        group->urls_.push_back(node->url());
        group->nodes_.push_back(std::move(node));
        nodeLogs.push_back(log);
    }
    // A node refuses sign-ins until it is online in the cluster (both Redis connections up).
    for (size_t i = 0; i < nodeLogs.size(); ++i) {
        if (!waitUntil([&] { return fileContains(nodeLogs[i], "online in the cluster"); }, 15000)) {
            *error = "node " + std::to_string(i) + " did not join the cluster (log: " + nodeLogs[i] + ")";
            return nullptr;
        }
    }
    return group;
}

std::unique_ptr<ServerGroup> ServerGroup::attach(std::vector<std::string> urls, pid_t pid) {
    std::unique_ptr<ServerGroup> group(new ServerGroup);
    group->urls_ = std::move(urls);
    group->nodes_.push_back(ServerProcess::attach(pid));
    return group;
}

ServerGroup::~ServerGroup() {
    stop();
    for (const std::string &log : temporaryLogs_) {
        unlink(log.c_str());
    }
}

template <typename Figure>
auto ServerGroup::sum(Figure figure) const {
    decltype(figure(*nodes_.front())) total = 0;
    for (const auto &node : nodes_) {
        const auto value = figure(*node);
        if (value < 0) {
            return decltype(value)(-1);
        }
        total += value;
    }
    return total;
}

bool ServerGroup::alive() {
    for (auto &node : nodes_) {
        if (!node->alive()) {
            return false;
        }
    }
    return !nodes_.empty();
}

long ServerGroup::rssKiB() const {
    return sum([](const ServerProcess &node) { return node.rssKiB(); });
}

long ServerGroup::peakRssKiB() const {
    return sum([](const ServerProcess &node) { return node.peakRssKiB(); });
}

double ServerGroup::cpuSeconds() const {
    return sum([](const ServerProcess &node) { return node.cpuSeconds(); });
}

long ServerGroup::openFileLimit() const {
    long lowest = -1;
    for (const auto &node : nodes_) {
        const long limit = node->openFileLimit();
        if (limit >= 0 && (lowest < 0 || limit < lowest)) {
            lowest = limit;
        }
    }
    return lowest;
}

bool ServerGroup::raiseOpenFileLimit() const {
    bool ok = true;
    for (const auto &node : nodes_) {
        ok = node->raiseOpenFileLimit() && ok;
    }
    return ok;
}

void ServerGroup::stop() {
    for (auto &node : nodes_) {
        node->stop();
    }
    if (redis_) {
        redis_->stop();
    }
}

std::vector<pid_t> ServerGroup::pids() const {
    std::vector<pid_t> pids;
    for (const auto &node : nodes_) {
        if (node->pid() > 0) {
            pids.push_back(node->pid());
        }
    }
    return pids;
}

}  // namespace confab::bench
