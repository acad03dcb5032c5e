#include "LoadWorker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cstdio>

namespace confab::bench {
namespace {

// The first few failures of each kind are printed (on stderr); after that they are only counted.
constexpr long kReportedFailures = 3;
std::atomic<long> reportedConnectFailures{0};
std::atomic<long> reportedErrors{0};
std::atomic<bool> failuresExpected{false};

void increment(std::atomic<long> &counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void report(std::atomic<long> &reported, const char *what, std::string_view detail) {
    if (!failuresExpected.load() && reported.fetch_add(1) < kReportedFailures) {
        std::fprintf(stderr, "signaling-load: %s: %.*s\n", what, int(std::min<size_t>(detail.size(), 300)),
                     detail.data());
    }
}

}  // namespace

struct LoadWorker::Client {
    enum class State { Waiting, Connecting, LoggingIn, In, Out };
    LoadWorker *worker = nullptr;
    int index = 0;  // into Settings::names
    int peer = -1;  // the client it relays with, if any
    State state = State::Waiting;
    SoupWebsocketConnection *socket = nullptr;
};

LoadWorker::LoadWorker(Settings settings)
    : settings_(std::move(settings)), writer_(settings_.messageBytes, settings_.nameWidth) {
    for (size_t i = 0; i < settings_.names.size(); ++i) {
        auto client = std::make_unique<Client>();
        client->worker = this;
        client->index = int(i);
        clients_.push_back(std::move(client));
    }
    for (const auto &[a, b] : settings_.pairs) {
        clients_[size_t(a)]->peer = b;
        clients_[size_t(b)]->peer = a;
    }
    context_ = g_main_context_new();
    loop_ = g_main_loop_new(context_, FALSE);
}

LoadWorker::~LoadWorker() {
    finish(false);
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
}

void LoadWorker::start() {
    thread_ = std::thread([this] { run(); });
}

namespace {
thread_local int batchMicroseconds = 0;
}  // namespace

gint LoadWorker::batchingPoll(GPollFD *fds, guint count, gint timeoutMs) {
    if (timeoutMs != 0) {
        g_usleep(gulong(batchMicroseconds));
        if (timeoutMs > 0) {
            timeoutMs = std::max(0, timeoutMs - batchMicroseconds / 1000);
        }
    }
    return g_poll(fds, count, timeoutMs);
}

void LoadWorker::run() {
    if (settings_.batchMicroseconds > 0) {
        batchMicroseconds = settings_.batchMicroseconds;
        g_main_context_set_poll_func(context_, &LoadWorker::batchingPoll);
    }
    g_main_context_push_thread_default(context_);
    // The session belongs to this thread's context, and so does every connection it makes.
    session_ = soup_session_new_with_options("max-conns", 4096, "max-conns-per-host", 4096, nullptr);
    g_main_loop_run(loop_);
    for (auto &client : clients_) {
        if (client->socket) {
            g_signal_handlers_disconnect_by_data(client->socket, client.get());
            g_object_unref(client->socket);
            client->socket = nullptr;
        }
    }
    g_object_unref(session_);
    session_ = nullptr;
    // Dispatch whatever the closes queued, then leave the context to the main thread.
    while (g_main_context_iteration(context_, FALSE)) {
    }
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    finalCpuSeconds_ = double(cpu.tv_sec) + double(cpu.tv_nsec) / 1e9;
    g_main_context_pop_thread_default(context_);
}

void LoadWorker::post(std::function<void()> work) {
    GSource *source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_HIGH);
    g_source_set_callback(
        source,
        [](gpointer data) -> gboolean {
            (*static_cast<std::function<void()> *>(data))();
            return G_SOURCE_REMOVE;
        },
        new std::function<void()>(std::move(work)),
        [](gpointer data) { delete static_cast<std::function<void()> *>(data); });
    g_source_attach(source, context_);
    g_source_unref(source);
}

void LoadWorker::expectFailures() {
    failuresExpected.store(true);
}

double LoadWorker::threadCpuSeconds() const {
    if (!thread_.joinable()) {
        return finalCpuSeconds_;
    }
    clockid_t clock = 0;
    timespec cpu{};
    if (pthread_getcpuclockid(const_cast<std::thread &>(thread_).native_handle(), &clock) != 0 ||
        clock_gettime(clock, &cpu) != 0) {
        return -1;
    }
    return double(cpu.tv_sec) + double(cpu.tv_nsec) / 1e9;
}

// ---- Signing in ------------------------------------------------------------------------------

void LoadWorker::beginLogin() {
    post([this] { connectMore(); });
}

void LoadWorker::connectMore() {
    while (!closing_ && inFlight_ < settings_.connectWindow && nextToConnect_ < clients_.size()) {
        connectOne(*clients_[nextToConnect_++]);
    }
}

void LoadWorker::connectOne(Client &client) {
    const std::string &url = settings_.urls[size_t(client.index)];
    SoupMessage *message = soup_message_new("GET", url.c_str());
    if (!message) {
        report(reportedConnectFailures, "not a URL", url);
        increment(counters_.connectFailures);
        increment(counters_.loginsSettled);
        client.state = Client::State::Out;
        return;
    }
    g_signal_connect(message, "network-event", G_CALLBACK(onNetworkEvent), nullptr);
    client.state = Client::State::Connecting;
    ++inFlight_;
    soup_session_websocket_connect_async(session_, message, nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
                                         onConnected, &client);
    g_object_unref(message);
}

void LoadWorker::onNetworkEvent(SoupMessage *, GSocketClientEvent event, GIOStream *connection, gpointer) {
    // Like browsers: no Nagle delay on small frames. This is the one moment the plain socket is
    // reachable: the connection a finished WebSocket handshake hands over wraps it, so a
    // G_IS_SOCKET_CONNECTION check on soup_websocket_connection_get_io_stream() is always false.
    if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION(connection)) {
        g_socket_set_option(g_socket_connection_get_socket(G_SOCKET_CONNECTION(connection)), IPPROTO_TCP,
                            TCP_NODELAY, 1, nullptr);
    }
}

void LoadWorker::onConnected(GObject *session, GAsyncResult *result, gpointer data) {
    Client &client = *static_cast<Client *>(data);
    LoadWorker *self = client.worker;
    GError *error = nullptr;
    client.socket = soup_session_websocket_connect_finish(SOUP_SESSION(session), result, &error);
    if (!client.socket) {
        report(reportedConnectFailures, "connect failed", error->message);
        g_error_free(error);
        increment(self->counters_.connectFailures);
        client.state = Client::State::Out;
        self->loginDone();
        return;
    }
    ++self->openSockets_;
    // The users list grows with every client (about 10 bytes a name): no 128 KiB default cap.
    soup_websocket_connection_set_max_incoming_payload_size(client.socket, 256 * 1024 * 1024);
    soup_websocket_connection_set_keepalive_interval(client.socket, 0);
    g_signal_connect(client.socket, "message", G_CALLBACK(onMessage), &client);
    g_signal_connect(client.socket, "closed", G_CALLBACK(onClosed), &client);
    g_signal_connect(client.socket, "error", G_CALLBACK(onError), &client);
    if (self->closing_) {
        soup_websocket_connection_close(client.socket, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
        return;
    }
    client.state = Client::State::LoggingIn;
    soup_websocket_connection_send_text(client.socket,
                                        loginFrame(self->settings_.names[size_t(client.index)]).c_str());
}

void LoadWorker::loginDone() {
    increment(counters_.loginsSettled);
    counters_.lastLoginUs.store(g_get_monotonic_time(), std::memory_order_relaxed);
    --inFlight_;
    connectMore();
}

// ---- Receiving -------------------------------------------------------------------------------

void LoadWorker::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer data) {
    Client &client = *static_cast<Client *>(data);
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        return;
    }
    gsize size = 0;
    const auto *text = static_cast<const char *>(g_bytes_get_data(message, &size));
    client.worker->receive(client, std::string_view(text, size));
}

void LoadWorker::receive(Client &client, std::string_view frame) {
    // Only the members the bench needs, found by a scan: no JSON tree on the receive path.
    const std::optional<std::string_view> type = stringMember(frame, "type");
    if (!type) {
        report(reportedErrors, "a frame without a type", frame);
        increment(counters_.errorMessages);
    } else if (*type == "candidate") {
        receiveCandidate(client, frame);
    } else if (*type == "presence") {
        increment(counters_.presenceMessages);
        counters_.lastPresenceUs.store(g_get_monotonic_time(), std::memory_order_relaxed);
    } else if (*type == "users") {
        increment(counters_.usersLists);
        counters_.lastPresenceUs.store(g_get_monotonic_time(), std::memory_order_relaxed);
    } else if (*type == "login" && client.state == Client::State::LoggingIn) {
        if (isTrue(frame, "success")) {
            client.state = Client::State::In;
            increment(counters_.loggedIn);
        } else {
            report(reportedErrors, "login refused", frame);
            client.state = Client::State::Out;
            increment(counters_.loginRefused);
            soup_websocket_connection_close(client.socket, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
        }
        loginDone();
    } else if (*type == "error") {
        report(reportedErrors, "error from the server", frame);
        increment(counters_.errorMessages);
    }
    // Anything else is a type this bench does not know, which clients must ignore.
}

void LoadWorker::receiveCandidate(Client &client, std::string_view frame) {
    if (frozen_) {
        return;
    }
    const gint64 nowUs = g_get_monotonic_time();
    increment(counters_.received);
    if (nowUs < plan_.endUs) {
        increment(counters_.receivedInWindow);
    }
    if (const std::optional<gint64> sentUs = sendStamp(frame)) {
        latencies_.add(nowUs - *sentUs);
    } else {
        increment(counters_.unreadable);
    }
    if (client.peer < 0 || stringMember(frame, "name") != settings_.names[size_t(client.peer)]) {
        report(reportedErrors, "relayed with the wrong name", frame);
        increment(counters_.misrouted);
        return;
    }
    if (plan_.rate == 0 && maySend(nowUs)) {
        send(client, nowUs);  // flood: keep the pair's window full
    }
}

void LoadWorker::onClosed(SoupWebsocketConnection *, gpointer data) {
    Client &client = *static_cast<Client *>(data);
    LoadWorker *self = client.worker;
    --self->openSockets_;
    if (self->closing_) {
        if (self->openSockets_ == 0) {
            g_main_loop_quit(self->loop_);
        }
        return;
    }
    if (client.state == Client::State::Out) {
        return;  // we closed it after a refused login
    }
    const bool wasLoggingIn = client.state == Client::State::LoggingIn;
    if (client.state == Client::State::In) {
        increment(self->counters_.droppedAfterLogin);
    }
    client.state = Client::State::Out;
    const gushort code = soup_websocket_connection_get_close_code(client.socket);
    char detail[128];
    std::snprintf(detail, sizeof detail, "code %u, %s", unsigned(code),
                  soup_websocket_connection_get_close_data(client.socket)
                      ? soup_websocket_connection_get_close_data(client.socket)
                      : "no reason");
    report(reportedErrors, "the server closed a connection", detail);
    increment(self->counters_.closedByServer);
    if (wasLoggingIn) {
        self->loginDone();
    }
}

void LoadWorker::onError(SoupWebsocketConnection *, GError *error, gpointer) {
    report(reportedErrors, "WebSocket error", error->message);
}

// ---- Relaying --------------------------------------------------------------------------------

void LoadWorker::beginRelay(const RelayPlan &plan) {
    post([this, plan] {
        plan_ = plan;
        if (settings_.pairs.empty()) {
            return;
        }
        if (plan_.rate > 0) {
            rateTimer_ = g_timeout_source_new(1);
            g_source_set_callback(rateTimer_, &LoadWorker::onRateTick, this, nullptr);
            g_source_attach(rateTimer_, context_);
            return;
        }
        const gint64 nowUs = g_get_monotonic_time();
        for (int w = 0; w < plan_.floodWindow; ++w) {
            for (const auto &[a, b] : settings_.pairs) {
                if (maySend(nowUs)) {
                    send(*clients_[size_t(w % 2 ? b : a)], nowUs);
                }
            }
        }
    });
}

bool LoadWorker::maySend(gint64 nowUs) const {
    return !closing_ && !frozen_ && nowUs < plan_.endUs &&
           counters_.sent.load(std::memory_order_relaxed) < plan_.maxMessages;
}

void LoadWorker::send(Client &from, gint64 nowUs) {
    if (from.peer < 0 || from.state != Client::State::In || !from.socket ||
        soup_websocket_connection_get_state(from.socket) != SOUP_WEBSOCKET_STATE_OPEN) {
        return;
    }
    const std::string &frame = writer_.write(settings_.names[size_t(from.peer)], nowUs);
    soup_websocket_connection_send_text(from.socket, frame.c_str());
    increment(counters_.sent);
}

gboolean LoadWorker::onRateTick(gpointer data) {
    auto *self = static_cast<LoadWorker *>(data);
    const RelayPlan &plan = self->plan_;
    const gint64 nowUs = g_get_monotonic_time();
    if (!self->maySend(nowUs)) {
        g_source_unref(self->rateTimer_);
        self->rateTimer_ = nullptr;
        return G_SOURCE_REMOVE;
    }
    // Whatever is due by now, however late this tick fires; each message's lag behind its own
    // slot in the schedule is kept, so a bench that cannot keep up shows it.
    const long due = std::min(plan.maxMessages, long(double(nowUs - plan.startUs) * plan.rate / 1e6));
    const size_t pairs = self->settings_.pairs.size();
    while (self->scheduled_ < due) {
        const auto &[a, b] = self->settings_.pairs[size_t(self->scheduled_) % pairs];
        const bool fromA = (size_t(self->scheduled_) / pairs) % 2 == 0;
        const gint64 slotUs = plan.startUs + gint64(double(self->scheduled_) * 1e6 / plan.rate);
        self->maxSendLagUs_ = std::max(self->maxSendLagUs_, nowUs - slotUs);
        self->send(*self->clients_[size_t(fromA ? a : b)], nowUs);
        ++self->scheduled_;
    }
    return G_SOURCE_CONTINUE;
}

// ---- Finishing -------------------------------------------------------------------------------

void LoadWorker::freeze() {
    if (!thread_.joinable()) {
        return;
    }
    auto frozen = std::make_shared<std::promise<void>>();
    post([this, frozen] {
        frozen_ = true;
        frozen->set_value();
    });
    frozen->get_future().wait();
}

void LoadWorker::finish(bool closePolitely) {
    if (!thread_.joinable()) {
        return;
    }
    post([this, closePolitely] {
        closing_ = true;
        if (rateTimer_) {
            g_source_destroy(rateTimer_);
            g_source_unref(rateTimer_);
            rateTimer_ = nullptr;
        }
        if (!closePolitely || openSockets_ == 0) {
            g_main_loop_quit(loop_);
            return;
        }
        for (auto &client : clients_) {
            if (client->socket &&
                soup_websocket_connection_get_state(client->socket) == SOUP_WEBSOCKET_STATE_OPEN) {
                soup_websocket_connection_close(client->socket, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
            }
        }
        GSource *timeout = g_timeout_source_new_seconds(3);
        g_source_set_callback(
            timeout,
            [](gpointer loop) -> gboolean {
                g_main_loop_quit(static_cast<GMainLoop *>(loop));
                return G_SOURCE_REMOVE;
            },
            loop_, nullptr);
        g_source_attach(timeout, context_);
        g_source_unref(timeout);
    });
    thread_.join();
}

}  // namespace confab::bench
