// SPDX-License-Identifier: GPL-3.0-or-later
#include "LoadWorker.h"

#include "EpollTransport.h"
#include "SoupTransport.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <future>

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
    int index = 0;  // into Settings::names, and the transport's name for the connection
    int peer = -1;  // the client it relays with, if any
    State state = State::Waiting;
};

LoadWorker::LoadWorker(Settings settings)
    : settings_(std::move(settings)), writer_(settings_.messageBytes, settings_.nameWidth) {
    for (size_t i = 0; i < settings_.names.size(); ++i) {
        auto client = std::make_unique<Client>();
        client->index = int(i);
        clients_.push_back(std::move(client));
    }
    for (const auto &[a, b] : settings_.pairs) {
        clients_[size_t(a)]->peer = b;
        clients_[size_t(b)]->peer = a;
    }
    // The transport reports to this worker through its private Events base, named here because
    // make_unique could not reach it.
    const int count = int(clients_.size());
    ClientTransport::Events &events = *this;
    if (settings_.transport == ClientTransport::Kind::Soup) {
        transport_ = std::make_unique<SoupTransport>(count, events, settings_.batchMicroseconds);
    } else {
        transport_ = std::make_unique<EpollTransport>(count, events, settings_.pollMicroseconds);
    }
}

LoadWorker::~LoadWorker() {
    finish(false);
}

void LoadWorker::start() {
    thread_ = std::thread([this] { run(); });
}

void LoadWorker::run() {
    threadId_ = gettid();
    transport_->run();
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    finalCpuSeconds_ = double(cpu.tv_sec) + double(cpu.tv_nsec) / 1e9;
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
    transport_->post([this] { connectMore(); });
}

void LoadWorker::connectMore() {
    while (!closing_ && inFlight_ < settings_.connectWindow && nextToConnect_ < clients_.size()) {
        connectOne(*clients_[nextToConnect_++]);
    }
}

void LoadWorker::connectOne(Client &client) {
    client.state = Client::State::Connecting;
    ++inFlight_;
    transport_->connect(client.index, settings_.urls[size_t(client.index)]);
}

void LoadWorker::opened(int index) {
    Client &client = *clients_[size_t(index)];
    ++openSockets_;
    if (closing_) {
        transport_->close(index);
        return;
    }
    client.state = Client::State::LoggingIn;
    transport_->sendText(index, loginFrame(settings_.names[size_t(index)]));
}

void LoadWorker::openFailed(int index, std::string_view why) {
    report(reportedConnectFailures, "connect failed", why);
    increment(counters_.connectFailures);
    clients_[size_t(index)]->state = Client::State::Out;
    loginDone();
}

void LoadWorker::loginDone() {
    increment(counters_.loginsSettled);
    counters_.lastLoginUs.store(g_get_monotonic_time(), std::memory_order_relaxed);
    --inFlight_;
    connectMore();
}

// ---- Receiving -------------------------------------------------------------------------------

void LoadWorker::received(int index, std::string_view frame) {
    Client &client = *clients_[size_t(index)];
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
            transport_->close(index);
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

void LoadWorker::closed(int index, int code, std::string_view reason) {
    Client &client = *clients_[size_t(index)];
    --openSockets_;
    if (closing_) {
        if (openSockets_ == 0) {
            transport_->quit();
        }
        return;
    }
    if (client.state == Client::State::Out) {
        return;  // we closed it after a refused login
    }
    const bool wasLoggingIn = client.state == Client::State::LoggingIn;
    if (client.state == Client::State::In) {
        increment(counters_.droppedAfterLogin);
    }
    client.state = Client::State::Out;
    const std::string_view why = reason.empty() ? std::string_view("no reason") : reason;
    char detail[160];
    std::snprintf(detail, sizeof detail, "code %d, %.*s", code, int(std::min<size_t>(why.size(), 120)),
                  why.data());
    report(reportedErrors, "the server closed a connection", detail);
    increment(counters_.closedByServer);
    if (wasLoggingIn) {
        loginDone();
    }
}

void LoadWorker::failed(int, std::string_view why) {
    report(reportedErrors, "WebSocket error", why);
}

// ---- Relaying --------------------------------------------------------------------------------

void LoadWorker::beginRelay(const RelayPlan &plan) {
    transport_->post([this, plan] {
        plan_ = plan;
        if (settings_.pairs.empty()) {
            return;
        }
        if (plan_.rate > 0) {
            transport_->every(1000, [this] { return rateTick(); });
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
    if (from.peer < 0 || from.state != Client::State::In || !transport_->isOpen(from.index)) {
        return;
    }
    transport_->sendText(from.index, writer_.write(settings_.names[size_t(from.peer)], nowUs));
    increment(counters_.sent);
}

bool LoadWorker::rateTick() {
    const gint64 nowUs = g_get_monotonic_time();
    if (!maySend(nowUs)) {
        return false;
    }
    // Whatever is due by now, however late this tick fires; each message's lag behind its own
    // slot in the schedule is kept, so a bench that cannot keep up shows it.
    const long due = std::min(plan_.maxMessages, long(double(nowUs - plan_.startUs) * plan_.rate / 1e6));
    const size_t pairs = settings_.pairs.size();
    while (scheduled_ < due) {
        const auto &[a, b] = settings_.pairs[size_t(scheduled_) % pairs];
        const bool fromA = (size_t(scheduled_) / pairs) % 2 == 0;
        const gint64 slotUs = plan_.startUs + gint64(double(scheduled_) * 1e6 / plan_.rate);
        maxSendLagUs_ = std::max(maxSendLagUs_, nowUs - slotUs);
        send(*clients_[size_t(fromA ? a : b)], nowUs);
        ++scheduled_;
    }
    return true;
}

// ---- Finishing -------------------------------------------------------------------------------

void LoadWorker::freeze() {
    if (!thread_.joinable()) {
        return;
    }
    auto frozen = std::make_shared<std::promise<void>>();
    transport_->post([this, frozen] {
        frozen_ = true;
        frozen->set_value();
    });
    frozen->get_future().wait();
}

void LoadWorker::finish(bool closePolitely) {
    if (!thread_.joinable()) {
        return;
    }
    transport_->post([this, closePolitely] {
        closing_ = true;  // also ends the rate ticks
        if (!closePolitely || openSockets_ == 0) {
            transport_->quit();
            return;
        }
        for (const auto &client : clients_) {
            if (transport_->isOpen(client->index)) {
                transport_->close(client->index);
            }
        }
        transport_->every(3'000'000, [this] {
            transport_->quit();
            return false;
        });
    });
    thread_.join();
}

}  // namespace confab::bench
