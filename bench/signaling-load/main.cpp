// signaling-load: holds N signed-in WebSocket clients against a signaling server and measures
// memory, relayed messages per second and relay latency. It speaks only the public protocol, so
// it can be pointed at any server that does (--url); by default it starts confab-server itself.
//
//   signaling-load [--url ws://HOST:PORT/ [--server-pid PID]] [--server-bin PATH]
//                  [--clients N] [--pairs P] [--rate MSGS_PER_S | --flood] [--seconds S]
//
// Single-threaded on a GLib main loop: the server under test gets the other core.
#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Options {
    std::string url;
    std::string serverBin;
    long serverPid = 0;
    int clients = 1000;
    int pairs = 100;
    int rate = 10000;  // messages per second in total; 0 with --flood
    bool flood = false;
    double seconds = 10;
    int connectWindow = 256;  // handshakes in flight at once
    int floodWindow = 8;      // messages in flight per pair in flood mode
};

struct Client;

struct Run {
    Options options;
    GMainLoop *loop = nullptr;
    SoupSession *session = nullptr;
    std::vector<std::unique_ptr<Client>> clients;
    int connecting = 0;
    int nextToConnect = 0;
    int loggedIn = 0;
    int failed = 0;
    int errors = 0;
    gint64 lastPresenceUs = 0;
    gint64 phaseStartUs = 0;
    bool relaying = false;
    std::vector<gint64> latenciesUs;
    long relayed = 0;
    long sent = 0;
};

struct Client {
    Run *run = nullptr;
    int index = 0;
    SoupWebsocketConnection *socket = nullptr;
    int peer = -1;  // the client this one sends to, in the relay phase
    ~Client() {
        if (socket) {
            g_signal_handlers_disconnect_by_data(socket, this);
            g_object_unref(socket);
        }
    }
};

long readStatusKiB(long pid, const char *field) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *file = std::fopen(path, "r");
    if (!file) {
        return -1;
    }
    char line[256];
    long value = -1;
    while (std::fgets(line, sizeof line, file)) {
        if (std::strncmp(line, field, std::strlen(field)) == 0) {
            value = std::strtol(line + std::strlen(field) + 1, nullptr, 10);
        }
    }
    std::fclose(file);
    return value;
}

void raiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

void sendCandidate(Client *from) {
    Run *run = from->run;
    char text[320];
    // Candidate-sized, like the bulk of real signaling traffic; "t" carries the send time.
    std::snprintf(text, sizeof text,
                  "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:842163049 1 udp 1677729535 "
                  "192.168.1.2 56143 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},\"name\":\"u%d\",\"t\":%" G_GINT64_FORMAT
                  "}",
                  from->peer, g_get_monotonic_time());
    soup_websocket_connection_send_text(from->socket, text);
    ++run->sent;
}

void onMessage(SoupWebsocketConnection *, gint, GBytes *message, gpointer data) {
    auto *client = static_cast<Client *>(data);
    Run *run = client->run;
    gsize size = 0;
    const char *text = static_cast<const char *>(g_bytes_get_data(message, &size));
    // Only the type is looked at, and only near the start (the server writes `type` first): a
    // full parse, or a scan of a 10,000-name list, would make the bench the bottleneck.
    const std::string_view frame(text, std::min<gsize>(size, 48));
    if (frame.find("\"type\":\"candidate\"") != std::string_view::npos) {
        const std::string_view whole(text, size);
        const size_t at = whole.rfind("\"t\":");
        if (at != std::string_view::npos && run->relaying) {
            const gint64 sentUs = std::strtoll(text + at + 4, nullptr, 10);
            run->latenciesUs.push_back(g_get_monotonic_time() - sentUs);
            ++run->relayed;
            if (run->options.flood) {
                // Keep the pair's window full: the receiver's partner sends the next one.
                sendCandidate(run->clients[size_t(client->peer)].get());
            }
        }
    } else if (frame.find("\"type\":\"login\"") != std::string_view::npos) {
        if (std::string_view(text, size).find("\"success\":true") != std::string_view::npos) {
            ++run->loggedIn;
        } else {
            ++run->failed;
        }
    } else if (frame.find("\"type\":\"presence\"") != std::string_view::npos ||
               frame.find("\"type\":\"users\"") != std::string_view::npos) {
        run->lastPresenceUs = g_get_monotonic_time();
    } else if (frame.find("\"type\":\"error\"") != std::string_view::npos) {
        ++run->errors;
    }
}

void connectMore(Run *run);

void onConnected(GObject *session, GAsyncResult *result, gpointer data) {
    auto *client = static_cast<Client *>(data);
    Run *run = client->run;
    --run->connecting;
    GError *error = nullptr;
    client->socket = soup_session_websocket_connect_finish(SOUP_SESSION(session), result, &error);
    if (!client->socket) {
        ++run->failed;
        if (run->failed < 5) {
            std::fprintf(stderr, "signaling-load: connect failed: %s\n", error->message);
        }
        g_error_free(error);
    } else {
        // Like browsers and Confab's own client: no Nagle delay on small frames.
        GIOStream *stream = soup_websocket_connection_get_io_stream(client->socket);
        if (G_IS_SOCKET_CONNECTION(stream)) {
            g_socket_set_option(g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream)), IPPROTO_TCP, TCP_NODELAY,
                                1, nullptr);
        }
        soup_websocket_connection_set_max_incoming_payload_size(client->socket, 64 * 1024 * 1024);
        soup_websocket_connection_set_keepalive_interval(client->socket, 0);
        g_signal_connect(client->socket, "message", G_CALLBACK(onMessage), client);
        char login[64];
        std::snprintf(login, sizeof login, "{\"type\":\"login\",\"name\":\"u%d\"}", client->index);
        soup_websocket_connection_send_text(client->socket, login);
    }
    connectMore(run);
}

void connectMore(Run *run) {
    while (run->connecting < run->options.connectWindow && run->nextToConnect < run->options.clients) {
        auto client = std::make_unique<Client>();
        client->run = run;
        client->index = run->nextToConnect++;
        SoupMessage *message = soup_message_new("GET", run->options.url.c_str());
        ++run->connecting;
        soup_session_websocket_connect_async(run->session, message, nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
                                             onConnected, client.get());
        g_object_unref(message);
        run->clients.push_back(std::move(client));
    }
}

// Runs the main loop until `done` says so or `timeoutS` passes; false on timeout.
template <typename Done>
bool runUntil(Run *run, Done done, double timeoutS) {
    const gint64 deadline = g_get_monotonic_time() + gint64(timeoutS * 1e6);
    GMainContext *context = g_main_loop_get_context(run->loop);
    while (!done()) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        g_main_context_iteration(context, TRUE);
    }
    return true;
}

gboolean rateTick(gpointer data) {
    auto *run = static_cast<Run *>(data);
    // Keep the total on schedule however late this tick fires.
    const double elapsedS = double(g_get_monotonic_time() - run->phaseStartUs) / 1e6;
    const long due = long(elapsedS * run->options.rate);
    static int nextPair = 0;
    while (run->sent < due) {
        const int pair = nextPair++ % run->options.pairs;
        sendCandidate(run->clients[size_t(2 * pair)].get());
    }
    return G_SOURCE_CONTINUE;
}

double percentile(std::vector<gint64> &values, double p) {
    if (values.empty()) {
        return -1;
    }
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size())));
    std::nth_element(values.begin(), values.begin() + long(index), values.end());
    return double(values[index]) / 1000.0;
}

long startServer(Run *run) {
    const std::string bin = run->options.serverBin;
    char *argv[] = {const_cast<char *>(bin.c_str()), const_cast<char *>("--port"), const_cast<char *>("0"), nullptr};
    GPid pid = 0;
    int out = -1;
    GError *error = nullptr;
    if (!g_spawn_async_with_pipes(nullptr, argv, nullptr, G_SPAWN_STDERR_TO_DEV_NULL, nullptr, nullptr, &pid, nullptr,
                                  &out, nullptr, &error)) {
        std::fprintf(stderr, "signaling-load: cannot start %s: %s\n", bin.c_str(), error->message);
        std::exit(1);
    }
    std::string line;
    char c = 0;
    while (read(out, &c, 1) == 1 && c != '\n') {
        line += c;
    }
    const size_t at = line.find("ws://");
    if (at == std::string::npos) {
        std::fprintf(stderr, "signaling-load: the server did not print its URL\n");
        std::exit(1);
    }
    run->options.url = line.substr(at);
    return pid;
}

}  // namespace

int main(int argc, char **argv) {
    Run run;
    Options &o = run.options;
    const char *self = argv[0];
    std::string dir(self);
    dir = dir.substr(0, dir.rfind('/') + 1);
    o.serverBin = dir + "../app/confab-server";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "signaling-load: %s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--url") o.url = value();
        else if (arg == "--server-bin") o.serverBin = value();
        else if (arg == "--server-pid") o.serverPid = std::atol(value());
        else if (arg == "--clients") o.clients = std::atoi(value());
        else if (arg == "--pairs") o.pairs = std::atoi(value());
        else if (arg == "--rate") o.rate = std::atoi(value());
        else if (arg == "--flood") o.flood = true;
        else if (arg == "--seconds") o.seconds = std::atof(value());
        else {
            std::fprintf(stderr, "usage: %s [--url URL [--server-pid PID]] [--server-bin PATH] [--clients N] "
                                 "[--pairs P] [--rate N | --flood] [--seconds S]\n", self);
            return 2;
        }
    }
    o.pairs = std::min(o.pairs, o.clients / 2);
    raiseFileLimit();  // inherited by the server we start
    const bool ownServer = o.url.empty();
    if (ownServer) {
        o.serverPid = startServer(&run);
    }

    run.loop = g_main_loop_new(nullptr, FALSE);
    run.session = soup_session_new_with_options("max-conns", 100000, "max-conns-per-host", 100000, "timeout", 60,
                                                nullptr);
    const long rssBeforeKiB = o.serverPid ? readStatusKiB(o.serverPid, "VmRSS:") : -1;

    // Phase 1: sign everybody in, then wait until presence has been quiet for a second.
    const gint64 loginStartUs = g_get_monotonic_time();
    connectMore(&run);
    const bool allIn = runUntil(&run, [&] { return run.loggedIn + run.failed >= o.clients; }, 300);
    const double loginSeconds = double(g_get_monotonic_time() - loginStartUs) / 1e6;
    runUntil(&run, [&] { return g_get_monotonic_time() - run.lastPresenceUs > 1000000; }, 120);
    const long rssIdleKiB = o.serverPid ? readStatusKiB(o.serverPid, "VmRSS:") : -1;

    // Phase 2: pairs relay candidates, at a fixed rate or as fast as the server goes.
    for (int p = 0; p < o.pairs; ++p) {
        run.clients[size_t(2 * p)]->peer = 2 * p + 1;
        run.clients[size_t(2 * p + 1)]->peer = 2 * p;
    }
    run.relaying = true;
    run.phaseStartUs = g_get_monotonic_time();
    guint tick = 0;
    if (o.flood) {
        for (int p = 0; p < o.pairs; ++p) {
            for (int w = 0; w < o.floodWindow; ++w) {
                sendCandidate(run.clients[size_t(2 * p)].get());
            }
        }
    } else {
        tick = g_timeout_add(1, rateTick, &run);
    }
    runUntil(&run, [] { return false; }, o.seconds);
    const double relaySeconds = double(g_get_monotonic_time() - run.phaseStartUs) / 1e6;
    run.relaying = false;
    if (tick) {
        g_source_remove(tick);
    }
    const long rssPeakKiB = o.serverPid ? readStatusKiB(o.serverPid, "VmHWM:") : -1;
    const long rssEndKiB = o.serverPid ? readStatusKiB(o.serverPid, "VmRSS:") : -1;

    std::vector<gint64> &l = run.latenciesUs;
    const double p50 = percentile(l, 0.50);
    const double p99 = percentile(l, 0.99);
    const double max = l.empty() ? -1 : double(*std::max_element(l.begin(), l.end())) / 1000.0;
    std::printf("{\"url\":\"%s\",\"mode\":\"%s\",\"clientsRequested\":%d,\"clientsHeld\":%d,\"loginFailures\":%d,"
                "\"allLoggedIn\":%s,\"loginSeconds\":%.2f,\"serverRssMB\":{\"before\":%.1f,\"idleAfterLogin\":%.1f,"
                "\"end\":%.1f,\"peak\":%.1f},\"pairs\":%d,\"targetRate\":%d,\"relaySeconds\":%.2f,\"sent\":%ld,"
                "\"relayed\":%ld,\"relayedPerSecond\":%.0f,\"latencyMs\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
                "\"errors\":%d}\n",
                o.url.c_str(), o.flood ? "flood" : "rate", o.clients, run.loggedIn, run.failed, allIn ? "true" : "false",
                loginSeconds, rssBeforeKiB / 1024.0, rssIdleKiB / 1024.0, rssEndKiB / 1024.0, rssPeakKiB / 1024.0,
                o.pairs, o.flood ? 0 : o.rate, relaySeconds, run.sent, run.relayed, double(run.relayed) / relaySeconds,
                p50, p99, max, run.errors);
    std::fflush(stdout);
    run.clients.clear();
    g_object_unref(run.session);
    g_main_loop_unref(run.loop);
    if (ownServer) {
        kill(pid_t(o.serverPid), SIGTERM);  // only the server we started ourselves
    }
    return 0;
}
