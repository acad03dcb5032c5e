// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace confab::bench {

// The signaling server under test, as a process the bench can watch: started by the bench (and
// stopped when this object goes) or an existing one given by its pid. Figures come from /proc.
class ServerProcess {
public:
    // Runs `binary --port 0 [extraArgs]`, with stderr going to `logPath` (or /dev/null), and waits
    // for it to print the "listening on ws://..." line. Null with *error set on failure.
    static std::unique_ptr<ServerProcess> start(const std::string &binary,
                                                const std::vector<std::string> &extraArgs,
                                                const std::string &logPath, std::string *error);
    // Runs any program (argv[0] looked up in PATH) with stderr to `logPath` (or /dev/null),
    // without waiting for anything: for the Redis of a cluster run.
    static std::unique_ptr<ServerProcess> launch(std::vector<std::string> args, const std::string &logPath,
                                                 std::string *error);
    // Someone else's server; 0 when its pid is unknown (then every figure is -1).
    static std::unique_ptr<ServerProcess> attach(pid_t pid);
    ~ServerProcess();
    ServerProcess(const ServerProcess &) = delete;
    ServerProcess &operator=(const ServerProcess &) = delete;

    pid_t pid() const { return pid_; }
    const std::string &url() const { return url_; }
    bool startedByBench() const { return owned_; }
    // False once the process is gone (for a started server: exited or killed); true for one of
    // unknown pid.
    bool alive();

    // VmRSS and VmHWM (peak RSS over the process's life) in KiB; -1 when unknown.
    long rssKiB() const;
    long peakRssKiB() const;
    // User + system CPU time the process has used, in seconds; -1 when unknown.
    double cpuSeconds() const;
    // The process's soft RLIMIT_NOFILE; -1 when unknown.
    long openFileLimit() const;
    // Raises the process's soft RLIMIT_NOFILE to its hard limit (prlimit); false when not allowed.
    bool raiseOpenFileLimit() const;

    // Asks a started server to stop (SIGTERM, then SIGKILL after 5 s) and reaps it.
    void stop();

private:
    explicit ServerProcess(pid_t pid, bool owned) : pid_(pid), owned_(owned) {}

    pid_t pid_ = 0;
    bool owned_ = false;
    bool reaped_ = false;
    int stdoutFd_ = -1;  // kept open: the server may print again, and a closed pipe would kill it
    std::string url_;
};

// Raises this process's soft RLIMIT_NOFILE to its hard limit, and the hard limit to `wanted` when
// that is higher and the process may (root). Returns the soft limit in force afterwards.
long raiseOwnOpenFileLimit(long wanted);

// A child started with fork() + exec() would be left running if the bench were killed: call this
// from SIGINT/SIGTERM handlers (async-signal-safe). It stops every process the bench started.
void killStartedServerFromSignalHandler();

}  // namespace confab::bench
