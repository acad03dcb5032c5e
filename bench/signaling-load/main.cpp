// SPDX-License-Identifier: GPL-3.0-or-later
// signaling-load: holds N signed-in WebSocket clients against a signaling server and measures its
// memory, the relayed messages per second, and relay latency. It speaks only the wire protocol
// (docs/protocol.md), so it can be pointed at any server that does (--url); by default it starts
// confab-server itself, so that it knows the server's pid. Prints one JSON object on stdout.
//
// Threads: one (or --threads) holds the pairs that relay, others (--holder-threads) the clients
// that only sit signed in; the main thread starts the phases, samples /proc and prints the report.
// The clients are our own WebSocket client on epoll (--client raw, the default for ws://), or
// libsoup on GLib main loops (--client soup, and for wss://). Each iteration of a GLib main loop
// costs O(its sources), so with libsoup the relaying thread polls only the pairs' sockets, and the
// holders, a few hundred sockets each, read in batches (kHolderBatch...); with epoll an iteration
// costs O(ready sockets), and one holder thread is enough for all.
#include "CpuWaitSampler.h"
#include "LatencyHistogram.h"
#include "LoadWorker.h"
#include "ServerGroup.h"
#include "ServerProcess.h"
#include "WireFrames.h"

#include <glib.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace confab::bench;

// --client soup: holder threads of at most this many clients each, which read what arrived every
// 10 ms at most (see SoupTransport).
constexpr int kSocketsPerHolderThread = 256;
constexpr int kHolderBatchMicroseconds = 10000;

enum class ClientChoice { Automatic = 1, Soup, Raw };

struct Options {
    std::vector<std::string> urls;  // --url, repeatable: clients are spread over them
    long serverPid = 0;
    std::string serverBin;
    std::vector<std::string> serverArgs;
    std::string serverLog;
    int nodes = 0;  // > 0: a cluster of this many confab-server nodes over a Redis the bench starts
    std::string redisBin = "redis-server";
    int presenceTtl = 15;
    int clients = 1000;
    int pairs = 100;
    double rate = 10000;  // messages per second in total, both directions of every pair
    bool flood = false;
    double seconds = 10;
    int messageBytes = 0;   // 0: a candidate's natural size (about 190 bytes)
    int threads = 1;        // relaying threads
    int holderThreads = 0;  // threads for the clients that only sit signed in; 0: see settleClients
    ClientChoice client = ClientChoice::Automatic;
    // --client raw's relaying threads look for network events this often instead of waiting in
    // epoll_wait(), which on loopback makes the server pay for waking them: see EpollLoop.
    int pollMicroseconds = 200;
    int connectWindow = 128;
    int floodWindow = 8;
    long maxMessages = 0;  // 0: rate × seconds, or 50 million when flooding
    std::string namePrefix = "u";
    double loginTimeoutSeconds = 300;
    double drainSeconds = 3;
};

const char kUsage[] =
    "usage: signaling-load [--url ws://HOST:PORT/ [--url ws://HOST2:PORT/]... [--server-pid PID]]\n"
    "                      [--server-bin PATH] [--server-arg ARG]... [--server-log FILE]\n"
    "                      [--nodes N [--redis-server-bin PATH] [--presence-ttl S]]\n"
    "                      [--clients N] [--pairs P] [--rate MSGS_PER_S | --flood] [--seconds S]\n"
    "                      [--message-bytes B] [--threads T] [--holder-threads H] [--client soup|raw]\n"
    "                      [--poll-us US]\n"
    "                      [--connect-window W] [--flood-window W]\n"
    "                      [--max-messages M] [--name-prefix TEXT] [--login-timeout S] [--drain-seconds S]\n"
    "See bench/README.md.\n";

[[noreturn]] void usageError(const std::string &why) {
    std::fprintf(stderr, "signaling-load: %s\n%s", why.c_str(), kUsage);
    std::exit(2);
}

double number(const std::string &option, const char *text, double min, double max) {
    char *end = nullptr;
    const double value = std::strtod(text, &end);
    if (end == text || *end != '\0' || !(value >= min && value <= max)) {
        usageError(option + " must be a number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return value;
}

Options parseOptions(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) {
                usageError(arg + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--url") {
            o.urls.emplace_back(value());
        } else if (arg == "--nodes") {
            o.nodes = int(number(arg, value(), 1, 8));
        } else if (arg == "--redis-server-bin") {
            o.redisBin = value();
        } else if (arg == "--presence-ttl") {
            o.presenceTtl = int(number(arg, value(), 1, 3600));
        } else if (arg == "--server-pid") {
            o.serverPid = long(number(arg, value(), 1, 4194304));
        } else if (arg == "--server-bin") {
            o.serverBin = value();
        } else if (arg == "--server-arg") {
            o.serverArgs.emplace_back(value());
        } else if (arg == "--server-log") {
            o.serverLog = value();
        } else if (arg == "--clients") {
            o.clients = int(number(arg, value(), 2, 1000000));
        } else if (arg == "--pairs") {
            o.pairs = int(number(arg, value(), 0, 500000));
        } else if (arg == "--rate") {
            o.rate = number(arg, value(), 1, 10000000);
        } else if (arg == "--flood") {
            o.flood = true;
        } else if (arg == "--seconds") {
            o.seconds = number(arg, value(), 0.1, 3600);
        } else if (arg == "--message-bytes") {
            o.messageBytes = int(number(arg, value(), 0, 60000));
        } else if (arg == "--threads") {
            o.threads = int(number(arg, value(), 1, 64));
        } else if (arg == "--holder-threads") {
            o.holderThreads = int(number(arg, value(), 1, 256));
        } else if (arg == "--client") {
            const std::string kind = value();
            if (kind != "soup" && kind != "raw") {
                usageError("--client must be soup or raw");
            }
            o.client = kind == "soup" ? ClientChoice::Soup : ClientChoice::Raw;
        } else if (arg == "--poll-us") {
            o.pollMicroseconds = int(number(arg, value(), 0, 100000));
        } else if (arg == "--connect-window") {
            o.connectWindow = int(number(arg, value(), 1, 100000));
        } else if (arg == "--flood-window") {
            o.floodWindow = int(number(arg, value(), 1, 10000));
        } else if (arg == "--max-messages") {
            o.maxMessages = long(number(arg, value(), 1, 1e12));
        } else if (arg == "--name-prefix") {
            o.namePrefix = value();
        } else if (arg == "--login-timeout") {
            o.loginTimeoutSeconds = number(arg, value(), 1, 86400);
        } else if (arg == "--drain-seconds") {
            o.drainSeconds = number(arg, value(), 0, 600);
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else {
            usageError("unknown argument " + arg);
        }
    }
    if (o.pairs * 2 > o.clients) {
        usageError("--pairs may be at most half of --clients");
    }
    for (const std::string &url : o.urls) {
        if (!g_str_has_prefix(url.c_str(), "ws://") && !g_str_has_prefix(url.c_str(), "wss://")) {
            usageError("--url must be a ws:// or wss:// URL");
        }
    }
    if (o.urls.empty() && o.serverPid) {
        usageError("--server-pid goes with --url");
    }
    if (!o.urls.empty() && o.nodes > 0) {
        usageError("--nodes starts its own servers; it does not go with --url");
    }
    if (o.maxMessages == 0) {
        o.maxMessages = o.flood ? 50'000'000 : long(std::ceil(o.rate * o.seconds));
    }
    o.threads = std::max(1, std::min(o.threads, o.pairs));
    return o;
}

bool anySecure(const std::vector<std::string> &urls) {
    return std::any_of(urls.begin(), urls.end(),
                       [](const std::string &url) { return g_str_has_prefix(url.c_str(), "wss://"); });
}

// Once the URLs are known (a started server's is read from its output): the client to use, and
// how many threads hold the idle clients. Our own client speaks no TLS: wss:// needs libsoup, and
// --client raw with a wss:// URL gets nothing.
std::optional<ClientTransport::Kind> settleClients(Options &o) {
    if (o.client == ClientChoice::Raw && anySecure(o.urls)) {
        return std::nullopt;
    }
    const ClientTransport::Kind kind = o.client == ClientChoice::Soup || anySecure(o.urls)
                                           ? ClientTransport::Kind::Soup
                                           : ClientTransport::Kind::Raw;
    const int idle = o.clients - 2 * o.pairs;
    if (o.holderThreads == 0) {
        o.holderThreads = kind == ClientTransport::Kind::Soup
                              ? (idle + kSocketsPerHolderThread - 1) / kSocketsPerHolderThread
                              : 1;
    }
    o.holderThreads = std::max(idle > 0 ? 1 : 0, std::min(o.holderThreads, idle));
    return kind;
}

// The confab-server built next to this benchmark (build/bench/.. → build/app/confab-server).
std::string defaultServerBinary() {
    char self[4096];
    const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) {
        return "confab-server";
    }
    std::string path(self, size_t(length));
    path = path.substr(0, path.rfind('/'));
    return path.substr(0, path.rfind('/')) + "/app/confab-server";
}

double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Busy CPU seconds of the whole machine (all cores), from /proc/stat.
double machineBusySeconds() {
    FILE *file = std::fopen("/proc/stat", "r");
    if (!file) {
        return -1;
    }
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    const int read = std::fscanf(file, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system,
                                 &idle, &iowait, &irq, &softirq, &steal);
    std::fclose(file);
    if (read != 8) {
        return -1;
    }
    return double(user + nice + system + irq + softirq + steal) / double(sysconf(_SC_CLK_TCK));
}

double loadAverage() {
    double load = -1;
    if (FILE *file = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(file, "%lf", &load) != 1) {
            load = -1;
        }
        std::fclose(file);
    }
    return load;
}

double seconds(gint64 fromUs, gint64 toUs) {
    return double(toUs - fromUs) / 1e6;
}

double megabytes(long kib) {
    return kib < 0 ? -1 : double(kib) / 1024.0;
}

// A flat JSON object written in order; numbers that are unknown (negative where that cannot be)
// are written as null.
class JsonReport {
public:
    JsonReport &number(const char *key, double value, int decimals = 0, bool nullIfNegative = false) {
        char text[64];
        if ((nullIfNegative && value < 0) || !std::isfinite(value)) {
            std::snprintf(text, sizeof text, "null");
        } else {
            std::snprintf(text, sizeof text, "%.*f", decimals, value);
        }
        return raw(key, text);
    }
    JsonReport &text(const char *key, const std::string &value) { return raw(key, jsonQuoted(value)); }
    JsonReport &boolean(const char *key, bool value) { return raw(key, value ? "true" : "false"); }
    JsonReport &raw(const char *key, const std::string &json) {
        out_ += out_.empty() ? "{" : ",";
        out_ += jsonQuoted(key) + ":" + json;
        return *this;
    }
    std::string finish() const { return out_ + "}"; }

private:
    std::string out_;
};

void onSignal(int) {
    killStartedServerFromSignalHandler();
    _exit(130);
}

}  // namespace

int main(int argc, char **argv) {
    Options o = parseOptions(argc, argv);
    const gint64 runStartUs = g_get_monotonic_time();
    signal(SIGINT, onSignal);
    signal(SIGTERM, onSignal);
    signal(SIGPIPE, SIG_IGN);

    // Raised before the server starts, which inherits it: each client is one fd here and one there.
    const long benchFileLimit = raiseOwnOpenFileLimit(long(o.clients) + 256);

    std::unique_ptr<ServerGroup> server;
    if (o.urls.empty()) {
        std::string error;
        const std::string binary = o.serverBin.empty() ? defaultServerBinary() : o.serverBin;
        if (o.nodes > 0) {
            ServerGroup::ClusterSettings cluster;
            cluster.nodes = o.nodes;
            cluster.redisBinary = o.redisBin;
            cluster.presenceTtlSeconds = o.presenceTtl;
            server = ServerGroup::startCluster(cluster, binary, o.serverArgs, o.serverLog, &error);
        } else {
            server = ServerGroup::startSingle(binary, o.serverArgs, o.serverLog, &error);
        }
        if (!server) {
            std::fprintf(stderr, "signaling-load: cannot start the server: %s\n", error.c_str());
            return 1;
        }
        o.urls = server->urls();
    } else {
        server = ServerGroup::attach(o.urls, pid_t(o.serverPid));
        if (o.serverPid && !server->raiseOpenFileLimit()) {
            std::fprintf(stderr, "signaling-load: could not raise the open-file limit of pid %ld\n",
                         o.serverPid);
        }
    }
    const std::optional<ClientTransport::Kind> chosenClient = settleClients(o);
    if (!chosenClient) {
        std::fprintf(stderr,
                     "signaling-load: --client raw speaks ws:// only; use --client soup for wss://\n");
        server->stop();
        return 2;
    }
    const ClientTransport::Kind clientKind = *chosenClient;
    const long serverFileLimit = server->openFileLimit();
    if (benchFileLimit >= 0 && benchFileLimit < o.clients + 64) {
        std::fprintf(stderr, "signaling-load: only %ld open files allowed here; expect connect failures\n",
                     benchFileLimit);
    }
    if (serverFileLimit >= 0 && serverFileLimit < o.clients + 64) {
        std::fprintf(stderr, "signaling-load: the server may open only %ld files; expect refused clients\n",
                     serverFileLimit);
    }

    // Who goes where: clients 0 .. 2P-1 are the pairs (pair p is clients 2p and 2p+1, on relay
    // thread p mod T); the rest only sit signed in, shared round-robin by the holder threads.
    // With several servers, client c signs in to server c mod S: with 2 or 3 nodes the two clients
    // of every pair are on different nodes, so every relayed message crosses Redis.
    auto urlOf = [&](int index) { return o.urls[size_t(index) % o.urls.size()]; };
    const int digits = int(std::to_string(std::max(0, o.clients - 1)).size());
    auto nameOf = [&](int index) {
        char number[16];
        std::snprintf(number, sizeof number, "%0*d", digits, index);
        return o.namePrefix + number;
    };
    const int nameWidth = int(o.namePrefix.size()) + digits;
    std::vector<LoadWorker::Settings> plans(size_t(o.threads + o.holderThreads));
    for (int p = 0; p < o.pairs; ++p) {
        LoadWorker::Settings &plan = plans[size_t(p % o.threads)];
        const int first = int(plan.names.size());
        plan.names.push_back(nameOf(2 * p));
        plan.names.push_back(nameOf(2 * p + 1));
        plan.urls.push_back(urlOf(2 * p));
        plan.urls.push_back(urlOf(2 * p + 1));
        plan.pairs.emplace_back(first, first + 1);
    }
    for (int c = 2 * o.pairs; c < o.clients; ++c) {
        plans[size_t(o.threads + c % o.holderThreads)].names.push_back(nameOf(c));
        plans[size_t(o.threads + c % o.holderThreads)].urls.push_back(urlOf(c));
    }
    std::vector<std::unique_ptr<LoadWorker>> workers;
    std::vector<LoadWorker *> relayers;
    std::vector<LoadWorker *> holders;
    for (LoadWorker::Settings &plan : plans) {
        if (plan.names.empty()) {
            continue;
        }
        const bool relays = !plan.pairs.empty();
        plan.transport = clientKind;
        plan.batchMicroseconds = relays ? 0 : kHolderBatchMicroseconds;
        plan.pollMicroseconds = relays ? o.pollMicroseconds : 0;
        plan.messageBytes = o.messageBytes;
        plan.nameWidth = nameWidth;
        // The window is shared in proportion to the clients each thread holds.
        plan.connectWindow =
            std::max(1, int(double(o.connectWindow) * double(plan.names.size()) / o.clients));
        workers.push_back(std::make_unique<LoadWorker>(std::move(plan)));
        workers.back()->start();
        (relays ? relayers : holders).push_back(workers.back().get());
    }
    auto sum = [&](std::atomic<long> LoadWorker::Counters::*counter) {
        long total = 0;
        for (auto &worker : workers) {
            total += (worker->counters().*counter).load(std::memory_order_relaxed);
        }
        return total;
    };
    auto latest = [&](std::atomic<gint64> LoadWorker::Counters::*when) {
        gint64 last = 0;
        for (auto &worker : workers) {
            last = std::max(last, (worker->counters().*when).load(std::memory_order_relaxed));
        }
        return last;
    };
    // Waits (sampling the server's memory) until `done` or `timeoutS`; false on timeout.
    long peakRssSeenKiB = -1;
    auto waitFor = [&](auto done, double timeoutS) {
        const gint64 deadlineUs = g_get_monotonic_time() + gint64(timeoutS * 1e6);
        while (!done()) {
            if (g_get_monotonic_time() > deadlineUs) {
                return false;
            }
            g_usleep(5000);
            peakRssSeenKiB = std::max(peakRssSeenKiB, server->rssKiB());
        }
        return true;
    };

    // Phase 1: sign everybody in (at most --connect-window handshakes and logins in flight), then
    // wait until every client has its users list and presence has been quiet for a second.
    const long rssBeforeKiB = server->rssKiB();
    const double serverCpuLoginStart = server->cpuSeconds();
    const double benchCpuLoginStart = processCpuSeconds();
    const double machineLoginStart = machineBusySeconds();
    const gint64 loginStartUs = g_get_monotonic_time();
    for (auto &worker : workers) {
        worker->beginLogin();
    }
    const bool allAnswered =
        waitFor([&] { return sum(&LoadWorker::Counters::loginsSettled) >= o.clients || !server->alive(); },
                o.loginTimeoutSeconds);
    const gint64 loginEndUs = std::max(loginStartUs, latest(&LoadWorker::Counters::lastLoginUs));
    const double loginWaitSeconds = seconds(loginStartUs, g_get_monotonic_time());
    const double serverCpuLogin = server->cpuSeconds() - serverCpuLoginStart;
    const double benchCpuLogin = processCpuSeconds() - benchCpuLoginStart;
    const double machineLogin = machineBusySeconds() - machineLoginStart;
    auto heldNow = [&] {
        return sum(&LoadWorker::Counters::loggedIn) - sum(&LoadWorker::Counters::droppedAfterLogin);
    };
    const long signedIn = heldNow();
    // With nobody signed in (no server there, every login refused) there is nothing to wait for or
    // relay: the report says why at once instead of after the settle and relay times.
    if (signedIn == 0) {
        std::fprintf(stderr, "signaling-load: no client signed in; nothing to relay\n");
    }
    const gint64 settleStartUs = g_get_monotonic_time();
    auto presenceQuiet = [&] {
        const gint64 quietUs =
            g_get_monotonic_time() - std::max(latest(&LoadWorker::Counters::lastPresenceUs),
                                              latest(&LoadWorker::Counters::lastLoginUs));
        const bool everyoneHasList = sum(&LoadWorker::Counters::usersLists) >= signedIn;
        // A server that sends no users lists settles after 5 quiet seconds instead.
        return quietUs > (everyoneHasList ? 1000000 : 5000000) || !server->alive();
    };
    const bool settled = signedIn > 0 && waitFor(presenceQuiet, 120);
    const double settleSeconds = seconds(settleStartUs, g_get_monotonic_time());
    const long rssIdleKiB = server->rssKiB();
    const long held = heldNow();  // what that memory holds

    // Phase 2: the pairs relay candidates at a fixed total rate, or as fast as they are relayed.
    const double serverCpuBefore = server->cpuSeconds();
    const double redisCpuBefore = server->redisCpuSeconds();
    const double benchCpuBefore = processCpuSeconds();
    const double machineBefore = machineBusySeconds();
    auto threadCpu = [](const std::vector<LoadWorker *> &which) {
        double total = 0;
        for (LoadWorker *worker : which) {
            total += worker->threadCpuSeconds();
        }
        return total;
    };
    const double relayCpuBefore = threadCpu(relayers);
    const double holderCpuBefore = threadCpu(holders);
    std::vector<CpuWaitSampler::Watched> waitWatched;
    for (pid_t pid : server->pids()) {
        waitWatched.push_back({"server", pid, {}});
    }
    CpuWaitSampler::Watched relayThreads{"benchRelayThreads", getpid(), {}};
    for (LoadWorker *worker : relayers) {
        relayThreads.tids.push_back(worker->threadId());
    }
    waitWatched.push_back(relayThreads);
    CpuWaitSampler cpuWait(waitWatched);
    cpuWait.start();
    const gint64 relayStartUs = g_get_monotonic_time();
    const gint64 relayEndUs = relayStartUs + gint64(o.seconds * 1e6);
    const bool relaying = !relayers.empty() && signedIn > 0;
    for (LoadWorker *worker : relaying ? relayers : std::vector<LoadWorker *>()) {
        LoadWorker::RelayPlan plan;
        const double share = double(worker->clientCount() / 2) / std::max(1, o.pairs);
        plan.startUs = relayStartUs;
        plan.endUs = relayEndUs;
        plan.rate = o.flood ? 0 : o.rate * share;
        plan.floodWindow = o.floodWindow;
        plan.maxMessages = std::max(1L, long(std::ceil(double(o.maxMessages) * share)));
        worker->beginRelay(plan);
    }
    if (relaying) {
        waitFor([&] { return g_get_monotonic_time() >= relayEndUs || !server->alive(); }, o.seconds + 1);
    }
    const gint64 windowEndUs = std::min(g_get_monotonic_time(), relayEndUs);
    cpuWait.stop();
    const double relaySeconds = relaying ? seconds(relayStartUs, windowEndUs) : 0;
    const double serverCpu = server->cpuSeconds() - serverCpuBefore;
    const double redisCpu = server->clustered() ? server->redisCpuSeconds() - redisCpuBefore : -1;
    const double benchCpu = processCpuSeconds() - benchCpuBefore;
    const double machineCpu = machineBusySeconds() - machineBefore;
    const double relayCpu = threadCpu(relayers) - relayCpuBefore;
    const double holderCpu = threadCpu(holders) - holderCpuBefore;
    const double loadAfter = loadAverage();
    // Whatever is still in flight gets a few seconds to arrive (unless the server is gone); what
    // does not is lost.
    waitFor(
        [&] {
            return sum(&LoadWorker::Counters::received) >= sum(&LoadWorker::Counters::sent) ||
                   !server->alive();
        },
        o.drainSeconds);
    // A dead server's connections end at once, but libsoup takes a moment to say so: without this
    // wait the counts of closed connections would depend on which client noticed first.
    if (!server->alive()) {
        waitFor([&] { return heldNow() == 0; }, 1);
    }
    for (auto &worker : workers) {
        worker->freeze();
    }
    const bool serverAlive = server->alive();
    const long rssAfterKiB = server->rssKiB();
    const long rssPeakKiB = server->peakRssKiB();

    const long sent = sum(&LoadWorker::Counters::sent);
    const long relayed = sum(&LoadWorker::Counters::received);
    const long relayedInWindow = sum(&LoadWorker::Counters::receivedInWindow);
    const long lost = std::max(0L, sent - relayed);
    const long connectFailures = sum(&LoadWorker::Counters::connectFailures);
    const long loginRefused = sum(&LoadWorker::Counters::loginRefused);
    const long errorMessages = sum(&LoadWorker::Counters::errorMessages);
    const long closedByServer = sum(&LoadWorker::Counters::closedByServer);
    const long misrouted = sum(&LoadWorker::Counters::misrouted);
    const long unreadable = sum(&LoadWorker::Counters::unreadable);
    const long usersLists = sum(&LoadWorker::Counters::usersLists);
    const long heldAtEnd = heldNow();
    const long presenceMessages = sum(&LoadWorker::Counters::presenceMessages);
    const long unanswered = allAnswered ? 0 : o.clients - sum(&LoadWorker::Counters::loginsSettled);

    // The figures are complete: stop our server first (so the closes cost nobody anything), or
    // close politely on someone else's.
    const bool ownServer = server->startedByBench();
    if (ownServer) {
        LoadWorker::expectFailures();
        server->stop();
    }
    for (auto &worker : workers) {
        worker->finish(!ownServer);
    }
    LatencyHistogram latencies;
    gint64 maxSendLagUs = 0;
    int frameBytes = 0;
    for (LoadWorker *worker : relayers) {
        latencies.merge(worker->latencies());
        maxSendLagUs = std::max(maxSendLagUs, worker->maxSendLagUs());
        frameBytes = worker->frameBytes();
    }

    const long errorsTotal = connectFailures + loginRefused + unanswered + errorMessages + closedByServer +
                             misrouted + unreadable + lost + (serverAlive || !server->pid() ? 0 : 1);
    auto percent = [&](double cpuSeconds) {
        return cpuSeconds < 0 || relaySeconds <= 0 ? -1 : 100 * cpuSeconds / relaySeconds;
    };
    const double loginSeconds = seconds(loginStartUs, loginEndUs);

    JsonReport errors;
    errors.number("connectFailures", double(connectFailures))
        .number("loginRefused", double(loginRefused))
        .number("loginUnanswered", double(unanswered))
        .number("errorMessages", double(errorMessages))
        .number("closedByServer", double(closedByServer))
        .number("misrouted", double(misrouted))
        .number("unstamped", double(unreadable))
        .number("lost", double(lost))
        .boolean("serverDied", !serverAlive && server->pid());
    JsonReport rss;
    rss.number("beforeLogin", megabytes(rssBeforeKiB), 1, true)
        .number("idleAfterLogin", megabytes(rssIdleKiB), 1, true)
        .number("afterRelay", megabytes(rssAfterKiB), 1, true)
        .number("peak", megabytes(std::max(rssPeakKiB, peakRssSeenKiB)), 1, true);
    JsonReport latency;
    latency.number("p50", latencies.percentileMs(0.50), 3, true)
        .number("p90", latencies.percentileMs(0.90), 3, true)
        .number("p99", latencies.percentileMs(0.99), 3, true)
        .number("p999", latencies.percentileMs(0.999), 3, true)
        .number("max", latencies.maxMs(), 3, true)
        .number("mean", latencies.meanMs(), 3, true)
        .number("samples", double(latencies.count()));
    JsonReport cpu;
    cpu.number("server", percent(serverCpu), 0, true)
        .number("redis", percent(redisCpu), 0, true)
        .number("benchProcess", percent(benchCpu), 0, true)
        .number("benchRelayThreads", percent(relayCpu), 0, true)
        .number("benchHolderThreads", holders.empty() ? -1 : percent(holderCpu), 0, true)
        .number("machine", percent(machineCpu), 0, true)
        .number("otherProcesses",
                percent(machineCpu - benchCpu - std::max(0.0, serverCpu) - std::max(0.0, redisCpu)), 0, true)
        .number("serverUsPerRelayed",
                relayedInWindow > 0 && serverCpu >= 0 ? 1e6 * serverCpu / double(relayedInWindow) : -1, 1,
                true)
        .number("benchRelayUsPerRelayed", relayedInWindow > 0 ? 1e6 * relayCpu / double(relayedInWindow) : -1,
                1, true)
        .number("cores", double(sysconf(_SC_NPROCESSORS_ONLN)))
        .number("loadAverage1m", loadAfter, 2, true);
    auto loginPercent = [&](double cpuSeconds) {
        return cpuSeconds < 0 ? -1 : 100 * cpuSeconds / loginWaitSeconds;
    };
    JsonReport loginCpu;
    loginCpu.number("server", loginPercent(serverCpuLogin), 0, true)
        .number("benchProcess", loginPercent(benchCpuLogin), 0, true)
        .number("machine", loginPercent(machineLogin), 0, true)
        .number("otherProcesses", loginPercent(machineLogin - benchCpuLogin - std::max(0.0, serverCpuLogin)),
                0, true);
    // The server ("server0", "server1", ... per node in a cluster), then the relay threads together.
    JsonReport waits;
    waits.number("windowMs", CpuWaitSampler::kWindowMs);
    for (size_t i = 0; i < waitWatched.size(); ++i) {
        const CpuWaitSampler::Figures &figures = cpuWait.figures()[i];
        JsonReport one;
        one.number("totalMs", figures.totalMs, 1, true)
            .number("worstWindowMs", figures.worstWindowMs, 1, true)
            .number("windowsOver2Ms", double(figures.windowsOver2Ms));
        const bool node = waitWatched[i].label == "server" && server->nodeCount() > 1;
        const std::string key = node ? "server" + std::to_string(i) : waitWatched[i].label;
        waits.raw(key.c_str(), one.finish());
    }
    JsonReport files;
    files.number("bench", double(benchFileLimit), 0, true).number("server", double(serverFileLimit), 0, true);

    JsonReport report;
    report.text("benchmark", "signaling-load")
        .text("url", o.urls.front())
        .number("servers", double(o.urls.size()))
        .boolean("cluster", server->clustered())
        .number("serverPid", double(server->pid()), 0, true)
        .boolean("serverStartedByBench", ownServer)
        .text("mode", o.flood ? "flood" : "rate")
        .number("clientsRequested", o.clients)
        .number("clientsHeld", double(held))
        .number("clientsHeldAtEnd", double(heldAtEnd))
        .boolean("allSignedIn", allAnswered && signedIn == o.clients)
        .number("loginSeconds", loginSeconds, 2)
        .number("loginsPerSecond", loginSeconds > 0 ? double(signedIn) / loginSeconds : 0)
        .boolean("presenceSettled", settled)
        .number("settleSeconds", settleSeconds, 2)
        .raw("cpuPercentDuringLogin", loginCpu.finish())
        .number("usersLists", double(usersLists))
        .number("presenceMessages", double(presenceMessages))
        .raw("serverRssMB", rss.finish())
        .number("serverKiBPerClient",
                rssIdleKiB > 0 && rssBeforeKiB > 0 && held > 0
                    ? double(rssIdleKiB - rssBeforeKiB) / double(held)
                    : -1,
                1, true)
        .number("pairs", o.pairs)
        .number("relayThreads", double(relayers.size()))
        .number("holderThreads", double(holders.size()))
        .text("client", clientKind == ClientTransport::Kind::Raw ? "raw" : "soup")
        .raw("pollMicroseconds",
             clientKind == ClientTransport::Kind::Raw ? std::to_string(o.pollMicroseconds) : "null")
        .raw("targetRate", o.flood ? "null" : std::to_string(long(o.rate)))
        .raw("floodWindow", o.flood ? std::to_string(o.floodWindow) : "null")
        .number("messageBytes", frameBytes)
        .number("relaySeconds", relaySeconds, 2)
        .number("sent", double(sent))
        .number("relayed", double(relayed))
        .number("relayedPerSecond", relaySeconds > 0 ? double(relayedInWindow) / relaySeconds : 0)
        .raw("latencyMs", latency.finish())
        .number("maxSendLagMs", o.flood ? -1 : double(maxSendLagUs) / 1000.0, 3, true)
        .raw("cpuPercentDuringRelay", cpu.finish())
        .raw("cpuWaitDuringRelay", waits.finish())
        .raw("openFileLimit", files.finish())
        .number("durationSeconds", seconds(runStartUs, g_get_monotonic_time()), 1)
        .raw("errors", errors.finish())
        .number("errorsTotal", double(errorsTotal));
    std::printf("%s\n", report.finish().c_str());
    std::fflush(stdout);
    return errorsTotal == 0 ? 0 : 1;
}
