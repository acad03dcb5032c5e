// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace confab::bench {
namespace {

// Every process the bench started and has not reaped (servers, and Redis in cluster mode), for the
// signal handler; a fixed array, as that handler may not allocate.
constexpr int kMaxStarted = 16;
volatile pid_t startedPids[kMaxStarted] = {};

void rememberStarted(pid_t pid) {
    for (volatile pid_t &slot : startedPids) {
        if (slot == 0) {
            slot = pid;
            return;
        }
    }
}

void forgetStarted(pid_t pid) {
    for (volatile pid_t &slot : startedPids) {
        if (slot == pid) {
            slot = 0;
        }
    }
}

long readStatusKiB(pid_t pid, const char *field) {
    if (pid <= 0) {
        return -1;
    }
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", int(pid));
    FILE *file = std::fopen(path, "r");
    if (!file) {
        return -1;
    }
    const size_t fieldLength = std::strlen(field);
    char line[256];
    long value = -1;
    while (std::fgets(line, sizeof line, file)) {
        if (std::strncmp(line, field, fieldLength) == 0 && line[fieldLength] == ':') {
            value = std::strtol(line + fieldLength + 1, nullptr, 10);
            break;
        }
    }
    std::fclose(file);
    return value;
}

// Reads the first line the server prints, waiting at most `timeoutMs`.
std::string readLine(int fd, int timeoutMs) {
    std::string line;
    while (true) {
        pollfd waitFor{fd, POLLIN, 0};
        if (poll(&waitFor, 1, timeoutMs) <= 0) {
            return line;
        }
        char c = 0;
        if (read(fd, &c, 1) != 1 || c == '\n') {
            return line;
        }
        line += c;
    }
}

}  // namespace

std::unique_ptr<ServerProcess> ServerProcess::launch(std::vector<std::string> args, const std::string &logPath,
                                                     std::string *error) {
    std::vector<char *> argv;
    for (std::string &arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const int logFd =
        open(logPath.empty() ? "/dev/null" : logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (logFd < 0) {
        *error = "cannot open " + logPath + ": " + std::strerror(errno);
        return nullptr;
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        *error = std::string("pipe: ") + std::strerror(errno);
        close(logFd);
        return nullptr;
    }
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0) {
        // The child inherits the raised RLIMIT_NOFILE; it dies with the bench.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) {
            _exit(127);
        }
        dup2(out[1], STDOUT_FILENO);
        dup2(logFd, STDERR_FILENO);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    close(logFd);
    if (pid < 0) {
        *error = std::string("fork: ") + std::strerror(errno);
        close(out[0]);
        return nullptr;
    }
    std::unique_ptr<ServerProcess> server(new ServerProcess(pid, true));
    rememberStarted(pid);
    server->stdoutFd_ = out[0];
    return server;
}

std::unique_ptr<ServerProcess> ServerProcess::start(const std::string &binary,
                                                    const std::vector<std::string> &extraArgs,
                                                    const std::string &logPath, std::string *error) {
    std::vector<std::string> args{binary, "--port", "0"};
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    std::unique_ptr<ServerProcess> server = launch(std::move(args), logPath, error);
    if (!server) {
        return nullptr;
    }
    const std::string line = readLine(server->stdoutFd_, 10000);
    size_t at = line.find("ws://");
    if (at == std::string::npos) {
        at = line.find("wss://");
    }
    if (at == std::string::npos) {
        *error = binary + " did not print the URL it listens on (got \"" + line + "\")";
        return nullptr;
    }
    server->url_ = line.substr(at, line.find_first_of(" \t", at) - at);
    return server;
}

std::unique_ptr<ServerProcess> ServerProcess::attach(pid_t pid) {
    return std::unique_ptr<ServerProcess>(new ServerProcess(pid, false));
}

ServerProcess::~ServerProcess() {
    stop();
    if (stdoutFd_ >= 0) {
        close(stdoutFd_);
    }
}

bool ServerProcess::alive() {
    if (pid_ <= 0) {
        // Someone else's server whose pid we were not given: nothing says it is gone. (Returning
        // false here ended every phase at once: a --url run without --server-pid measured nothing
        // and still exited 0.)
        return !owned_;
    }
    if (reaped_) {
        return false;
    }
    if (owned_) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped_ = true;
            forgetStarted(pid_);
            return false;
        }
        return true;
    }
    return kill(pid_, 0) == 0 || errno == EPERM;
}

long ServerProcess::rssKiB() const {
    return readStatusKiB(pid_, "VmRSS");
}

long ServerProcess::peakRssKiB() const {
    return readStatusKiB(pid_, "VmHWM");
}

double ServerProcess::cpuSeconds() const {
    if (pid_ <= 0) {
        return -1;
    }
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid_));
    FILE *file = std::fopen(path, "r");
    if (!file) {
        return -1;
    }
    char text[1024];
    const size_t length = std::fread(text, 1, sizeof text - 1, file);
    std::fclose(file);
    text[length] = '\0';
    // Fields after the command name, which is in parentheses and may contain spaces.
    const char *rest = std::strrchr(text, ')');
    unsigned long user = 0;
    unsigned long system = 0;
    if (!rest ||
        std::sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &user, &system) != 2) {
        return -1;
    }
    return double(user + system) / double(sysconf(_SC_CLK_TCK));
}

long ServerProcess::openFileLimit() const {
    rlimit limit{};
    if (pid_ <= 0 || prlimit(pid_, RLIMIT_NOFILE, nullptr, &limit) != 0) {
        return -1;
    }
    return long(limit.rlim_cur);
}

bool ServerProcess::raiseOpenFileLimit() const {
    rlimit limit{};
    if (pid_ <= 0 || prlimit(pid_, RLIMIT_NOFILE, nullptr, &limit) != 0) {
        return false;
    }
    if (limit.rlim_cur == limit.rlim_max) {
        return true;
    }
    limit.rlim_cur = limit.rlim_max;
    return prlimit(pid_, RLIMIT_NOFILE, &limit, nullptr) == 0;
}

void ServerProcess::stop() {
    if (!owned_ || reaped_ || pid_ <= 0) {
        return;
    }
    kill(pid_, SIGTERM);
    for (int waitedMs = 0; waitedMs < 5000; waitedMs += 10) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
            reaped_ = true;
            forgetStarted(pid_);
            return;
        }
        usleep(10000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    reaped_ = true;
    forgetStarted(pid_);
}

long raiseOwnOpenFileLimit(long wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return -1;
    }
    if (wanted > 0 && rlim_t(wanted) > limit.rlim_max) {
        const rlimit higher{rlim_t(wanted), rlim_t(wanted)};
        if (setrlimit(RLIMIT_NOFILE, &higher) == 0) {  // only with CAP_SYS_RESOURCE
            return wanted;
        }
    }
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    return long(limit.rlim_cur);
}

void killStartedServerFromSignalHandler() {
    for (const volatile pid_t &pid : startedPids) {
        if (pid > 0) {
            kill(pid, SIGTERM);
        }
    }
}

}  // namespace confab::bench
