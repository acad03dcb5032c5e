// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ClientTransport.h"
#include "LatencyHistogram.h"
#include "WireFrames.h"

#include <glib.h>
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace confab::bench {

// One bench thread holding a share of the clients, on its own event loop (a ClientTransport: libsoup
// on GLib, or our own WebSocket client on epoll). The main thread starts phases with begin*() and
// watches the counters; everything else runs on this thread. Clients that only sit signed in live
// in a different worker from the pairs that relay, so the relaying thread handles only the pairs'
// sockets and its CPU time is theirs.
class LoadWorker final : private ClientTransport::Events {
public:
    struct Settings {
        ClientTransport::Kind transport = ClientTransport::Kind::Raw;
        std::vector<std::string> urls;           // the server each client signs in to
        std::vector<std::string> names;          // one client per name
        std::vector<std::pair<int, int>> pairs;  // indexes into names: who relays with whom
        int connectWindow = 64;                  // handshakes plus logins in flight at once
        int messageBytes = 0;                    // 0: a candidate's natural size
        int nameWidth = 0;
        // SoupTransport only (see there): sleep this long before each poll, to read in batches.
        int batchMicroseconds = 0;
        // EpollTransport only: look for network events this often instead of waiting for them
        // (see EpollLoop::setPollInterval); 0 waits.
        int pollMicroseconds = 0;
    };
    struct RelayPlan {
        gint64 startUs = 0;    // monotonic clock
        gint64 endUs = 0;      // no sends after this
        double rate = 0;       // this thread's share, messages/s; 0 floods
        int floodWindow = 8;   // messages in flight per pair when flooding
        long maxMessages = 0;  // this thread's cap on sends
    };
    // Written by this worker's thread only; read by the main thread while it runs.
    struct Counters {
        std::atomic<long> loginsSettled{0};  // signed in, refused, or never got that far
        std::atomic<long> connectFailures{0};
        std::atomic<long> loggedIn{0};
        std::atomic<long> loginRefused{0};
        std::atomic<long> usersLists{0};
        std::atomic<long> presenceMessages{0};
        std::atomic<long> errorMessages{0};
        std::atomic<long> closedByServer{0};     // closed while the bench still wanted it
        std::atomic<long> droppedAfterLogin{0};  // ... of which were signed in
        std::atomic<long> sent{0};
        std::atomic<long> received{0};          // relayed candidates received
        std::atomic<long> receivedInWindow{0};  // ... before RelayPlan::endUs
        std::atomic<long> misrouted{0};         // relayed with the wrong `name`
        std::atomic<long> unreadable{0};        // a candidate without the bench's stamp
        std::atomic<gint64> lastLoginUs{0};
        std::atomic<gint64> lastPresenceUs{0};  // users or presence
    };

    explicit LoadWorker(Settings settings);
    ~LoadWorker();
    LoadWorker(const LoadWorker &) = delete;
    LoadWorker &operator=(const LoadWorker &) = delete;

    void start();  // returns once the thread is running
    void beginLogin();
    void beginRelay(const RelayPlan &plan);
    // Stops sending and counting, and returns once this thread has done so: the counters and
    // latencies then describe the same messages.
    void freeze();
    // Closes every client (politely: a WebSocket close, waiting up to 3 s for the server's
    // answers; otherwise at once, without a handshake) and joins the thread. Then latencies() and
    // maxSendLagUs() may be read.
    void finish(bool closePolitely);

    // From now on connections may fail or close (the bench is stopping the server): no more
    // failure reports on stderr.
    static void expectFailures();

    int clientCount() const { return int(settings_.names.size()); }
    const Counters &counters() const { return counters_; }
    double threadCpuSeconds() const;
    const LatencyHistogram &latencies() const { return latencies_; }
    // The kernel's id of this worker's thread, 0 before it runs (for CpuWaitSampler).
    pid_t threadId() const { return threadId_.load(); }
    gint64 maxSendLagUs() const { return maxSendLagUs_; }
    int frameBytes() const { return writer_.frameBytes(); }

private:
    struct Client;

    void run();
    void connectMore();
    void connectOne(Client &client);
    void opened(int client) override;
    void openFailed(int client, std::string_view why) override;
    void received(int client, std::string_view text) override;
    void failed(int client, std::string_view why) override;
    void closed(int client, int code, std::string_view reason) override;
    void receiveCandidate(Client &client, std::string_view frame);
    void loginDone();
    void send(Client &from, gint64 nowUs);
    bool maySend(gint64 nowUs) const;
    bool rateTick();

    Settings settings_;
    CandidateWriter writer_;
    Counters counters_;
    std::unique_ptr<ClientTransport> transport_;
    std::thread thread_;
    std::vector<std::unique_ptr<Client>> clients_;

    // Login ramp.
    size_t nextToConnect_ = 0;
    int inFlight_ = 0;
    long openSockets_ = 0;
    double finalCpuSeconds_ = -1;
    std::atomic<pid_t> threadId_{0};

    // Relay phase.
    RelayPlan plan_;
    bool closing_ = false;
    bool frozen_ = false;
    long scheduled_ = 0;  // rate mode: messages sent on schedule so far
    LatencyHistogram latencies_;
    gint64 maxSendLagUs_ = 0;
};

}  // namespace confab::bench
