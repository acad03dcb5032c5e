// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace confab::soak {

// Drives a crowd of WebSocket clients through rounds against one signaling server, on the calling
// thread's default GMainContext. In each round every client connects and signs in (at most
// `connectWindow` handshakes and logins in flight); once all are in, each pair does what two
// Confab peers do for a call: the caller sends an offer, the callee an answer and its candidates,
// the caller its candidates and then `leave`; then both disconnect. A round ends when every
// connection has closed. Frames are written and read with the signaling-load bench's WireFrames
// (no JSON tree per frame), so the clients stay cheap next to the server they test.
class SoakClients {
public:
    struct Settings {
        std::string url;
        int clients = 2000;  // even: they pair up
        int connectWindow = 128;
        int candidatesPerSide = 4;
        std::string namePrefix = "soak";
    };
    // What one round saw. Everything under "failures" must stay 0.
    struct Round {
        double seconds = 0;
        double loginSeconds = 0;  // until every client had its login answered
        double callsSeconds = 0;  // until the last call's leave arrived
        long signedIn = 0;
        long callsCompleted = 0;  // pairs that got through offer, answer, candidates and leave
        long framesReceived = 0;
        long presenceFrames = 0;  // `users` and `presence`
        // Failures.
        long connectFailures = 0;
        long loginRefused = 0;
        long errorFrames = 0;
        long closedByServer = 0;  // a connection the server closed before its client was done
        long misrouted = 0;       // a call message from someone other than the partner
        long unexpected = 0;      // a call message its client was not waiting for
        bool timedOut = false;
        std::string firstFailure;  // the first failing frame or reason, for the test's message

        long failures() const {
            return connectFailures + loginRefused + errorFrames + closedByServer + misrouted + unexpected +
                   long(timedOut);
        }
    };

    explicit SoakClients(Settings settings);
    ~SoakClients();
    SoakClients(const SoakClients &) = delete;
    SoakClients &operator=(const SoakClients &) = delete;

    // Runs one round; gives up (timedOut, remaining connections dropped) after `timeoutMs`.
    Round runRound(int timeoutMs);
    // Signs in one more client and returns how many other names its `users` list holds (-1 when it
    // could not sign in or got no list within `timeoutMs`): 0 once the server has let every
    // client of the last round go.
    int othersOnline(int timeoutMs);

private:
    struct Client;

    void connectMore();
    void connectOne(Client &client);
    static void onConnected(GObject *session, GAsyncResult *result, gpointer data);
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer data);
    static void onClosed(SoupWebsocketConnection *, gpointer data);
    void receive(Client &client, std::string_view frame);
    void receiveCall(Client &client, std::string_view type, std::string_view frame);
    void loginSettled();
    void startCalls();
    void send(Client &from, const std::string &frame);
    void finish(Client &client);
    void fail(long &counter, std::string_view what, std::string_view detail);
    void iterateUntil(const std::function<bool()> &done, gint64 deadlineUs);

    Settings settings_;
    std::string offerSdp_;
    std::string answerSdp_;
    SoupSession *session_ = nullptr;
    std::vector<std::unique_ptr<Client>> clients_;
    Round round_;
    size_t nextToConnect_ = 0;
    int inFlight_ = 0;
    long loginsSettled_ = 0;
    long open_ = 0;    // connections not yet closed
    long closed_ = 0;  // clients whose connection closed (or never opened) this round
    gint64 roundStartUs_ = 0;
};

}  // namespace confab::soak
