// SPDX-License-Identifier: GPL-3.0-or-later
#include "SoakClients.h"

#include "WireFrames.h"

#include <algorithm>
#include <cstdio>

namespace confab::soak {

using bench::jsonQuoted;
using bench::loginFrame;
using bench::memberValue;
using bench::stringMember;

namespace {

constexpr int kNameDigits = 4;

// An offer about the size webrtcbin writes for audio, video and a data channel (≈2.5 KB).
std::string sessionDescription(const char *setup) {
    std::string sdp =
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "a=group:BUNDLE video0 audio1 application2\r\na=ice-options:trickle\r\na=msid-semantic:WMS *\r\n";
    const std::string transport = std::string(
                                      "c=IN IP4 0.0.0.0\r\na=ice-ufrag:Yh7nQ1mSZ0zTzQ3OJ1oGJH1nMRg2qPcN\r\n"
                                      "a=ice-pwd:hLmtHnQPc4nJ6C1VVh2vJ5FcO5QyIhy7\r\n"
                                      "a=fingerprint:sha-256 A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:"
                                      "01:12:23:34:45:56:67:78:89:9A:AB:BC:CD:DE:EF:F0\r\na=setup:") +
                                  setup + "\r\n";
    sdp +=
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" + transport +
        "a=mid:video0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\n"
        "a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 transport-cc\r\n"
        "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\na=ssrc-group:FID 1349455989 3024524394\r\n"
        "a=ssrc:1349455989 msid:user1@host-3c8a4b2f webrtctransceiver0\r\n"
        "a=ssrc:1349455989 cname:user1@host-3c8a4b2f\r\n"
        "a=ssrc:3024524394 msid:user1@host-3c8a4b2f webrtctransceiver0\r\n"
        "a=ssrc:3024524394 cname:user1@host-3c8a4b2f\r\n"
        "a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n";
    sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + transport +
           "a=mid:audio1\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 OPUS/48000/2\r\n"
           "a=fmtp:111 minptime=10;useinbandfec=1;stereo=0\r\na=rtcp-fb:111 transport-cc\r\n"
           "a=ssrc:1046399812 msid:user1@host-3c8a4b2f webrtctransceiver1\r\n"
           "a=ssrc:1046399812 cname:user1@host-3c8a4b2f\r\n";
    sdp += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" + transport +
           "a=mid:application2\r\na=sctp-port:5000\r\n";
    return sdp;
}

std::string descriptionFrame(const char *type, const std::string &sdp, std::string_view target) {
    return std::string("{\"type\":\"") + type + "\",\"" + type + "\":{\"type\":\"" + type +
           "\",\"sdp\":" + jsonQuoted(sdp) + "},\"name\":" + jsonQuoted(target) + "}";
}

std::string candidateFrame(int index, std::string_view target) {
    char candidate[160];
    std::snprintf(candidate, sizeof candidate, "candidate:%d 1 UDP %d 192.0.2.%d %d typ host", index + 1,
                  2015363327 - index, index + 1, 40000 + index);
    return std::string("{\"type\":\"candidate\",\"candidate\":{\"candidate\":") + jsonQuoted(candidate) +
           ",\"sdpMid\":\"video0\",\"sdpMLineIndex\":0},\"name\":" + jsonQuoted(target) + "}";
}

std::string leaveFrame(std::string_view target) {
    return "{\"type\":\"leave\",\"name\":" + jsonQuoted(target) + "}";
}

}  // namespace

struct SoakClients::Client {
    enum class State { Idle, Connecting, LoggingIn, In, Done, Closed };
    SoakClients *owner = nullptr;
    std::string name;
    int partner = -1;
    bool caller = false;
    State state = State::Idle;
    SoupWebsocketConnection *socket = nullptr;
    bool gotOffer = false;
    bool gotAnswer = false;
    int candidates = 0;
    // The probe: the text of its first `users` list.
    bool probe = false;
    std::string usersList;
};

SoakClients::SoakClients(Settings settings)
    : settings_(std::move(settings)),
      offerSdp_(sessionDescription("actpass")),
      answerSdp_(sessionDescription("active")) {
    session_ = soup_session_new_with_options("max-conns", 8192, "max-conns-per-host", 8192, nullptr);
    for (int i = 0; i < settings_.clients; ++i) {
        auto client = std::make_unique<Client>();
        client->owner = this;
        char name[64];
        std::snprintf(name, sizeof name, "%s%0*d", settings_.namePrefix.c_str(), kNameDigits, i);
        client->name = name;
        client->partner = i ^ 1;
        client->caller = i % 2 == 0;
        clients_.push_back(std::move(client));
    }
}

SoakClients::~SoakClients() {
    for (auto &client : clients_) {
        if (client->socket) {
            g_signal_handlers_disconnect_by_data(client->socket, client.get());
            g_object_unref(client->socket);
        }
    }
    g_object_unref(session_);
}

void SoakClients::fail(long &counter, std::string_view what, std::string_view detail) {
    ++counter;
    if (round_.firstFailure.empty()) {
        round_.firstFailure = std::string(what) + ": " + std::string(detail.substr(0, 300));
    }
}

void SoakClients::iterateUntil(const std::function<bool()> &done, gint64 deadlineUs) {
    // A timer so that the loop wakes to look at the clock even when nothing arrives.
    GSource *tick = g_timeout_source_new(200);
    g_source_set_callback(
        tick, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr, nullptr);
    g_source_attach(tick, g_main_context_get_thread_default());
    while (!done() && g_get_monotonic_time() < deadlineUs) {
        g_main_context_iteration(g_main_context_get_thread_default(), TRUE);
    }
    g_source_destroy(tick);
    g_source_unref(tick);
}

SoakClients::Round SoakClients::runRound(int timeoutMs) {
    round_ = Round{};
    nextToConnect_ = 0;
    inFlight_ = 0;
    loginsSettled_ = 0;
    closed_ = 0;
    for (auto &client : clients_) {
        const std::string name = client->name;
        const int partner = client->partner;
        const bool caller = client->caller;
        *client = Client{};
        client->owner = this;
        client->name = name;
        client->partner = partner;
        client->caller = caller;
    }
    const gint64 startUs = g_get_monotonic_time();
    roundStartUs_ = startUs;
    connectMore();
    const long all = long(clients_.size());
    iterateUntil([&] { return closed_ == all; }, startUs + gint64(timeoutMs) * 1000);
    if (closed_ != all) {
        round_.timedOut = true;
        if (round_.firstFailure.empty()) {
            char detail[160];
            std::snprintf(detail, sizeof detail,
                          "%ld of %ld clients still connected, %ld signed in, %ld calls done", all - closed_,
                          all, round_.signedIn, round_.callsCompleted);
            round_.firstFailure = std::string("round timed out: ") + detail;
        }
        // Drop whatever is left; the next round starts from nothing.
        for (auto &client : clients_) {
            if (client->socket) {
                g_signal_handlers_disconnect_by_data(client->socket, client.get());
                g_object_unref(client->socket);
                client->socket = nullptr;
            }
        }
        open_ = 0;
    }
    round_.seconds = double(g_get_monotonic_time() - startUs) / 1e6;
    return round_;
}

// ---- Signing in ------------------------------------------------------------------------------

void SoakClients::connectMore() {
    while (inFlight_ < settings_.connectWindow && nextToConnect_ < clients_.size()) {
        connectOne(*clients_[nextToConnect_++]);
    }
}

void SoakClients::connectOne(Client &client) {
    SoupMessage *message = soup_message_new("GET", settings_.url.c_str());
    if (!message) {
        fail(round_.connectFailures, "not a URL", settings_.url);
        client.state = Client::State::Closed;
        ++closed_;
        loginSettled();
        return;
    }
    client.state = Client::State::Connecting;
    ++inFlight_;
    soup_session_websocket_connect_async(session_, message, nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
                                         onConnected, &client);
    g_object_unref(message);
}

void SoakClients::onConnected(GObject *session, GAsyncResult *result, gpointer data) {
    Client &client = *static_cast<Client *>(data);
    SoakClients *self = client.owner;
    GError *error = nullptr;
    client.socket = soup_session_websocket_connect_finish(SOUP_SESSION(session), result, &error);
    if (!client.socket) {
        if (!client.probe) {
            self->fail(self->round_.connectFailures, "connect failed", error->message);
            ++self->closed_;
            self->loginSettled();
        }
        client.state = Client::State::Closed;
        g_error_free(error);
        return;
    }
    ++self->open_;
    // The users list holds every name online: no 128 KiB cap on it.
    soup_websocket_connection_set_max_incoming_payload_size(client.socket, 64 * 1024 * 1024);
    soup_websocket_connection_set_keepalive_interval(client.socket, 0);
    g_signal_connect(client.socket, "message", G_CALLBACK(onMessage), &client);
    g_signal_connect(client.socket, "closed", G_CALLBACK(onClosed), &client);
    client.state = Client::State::LoggingIn;
    soup_websocket_connection_send_text(client.socket, loginFrame(client.name).c_str());
}

void SoakClients::loginSettled() {
    --inFlight_;
    ++loginsSettled_;
    connectMore();
    if (loginsSettled_ == long(clients_.size())) {
        round_.loginSeconds = double(g_get_monotonic_time() - roundStartUs_) / 1e6;
        startCalls();
    }
}

// ---- The calls -------------------------------------------------------------------------------

void SoakClients::startCalls() {
    for (auto &client : clients_) {
        Client &partner = *clients_[size_t(client->partner)];
        if (client->state == Client::State::In && partner.state != Client::State::In) {
            finish(*client);  // its partner never signed in (already counted as a failure)
        } else if (client->caller && client->state == Client::State::In) {
            send(*client, descriptionFrame("offer", offerSdp_, partner.name));
        }
    }
}

void SoakClients::send(Client &from, const std::string &frame) {
    if (from.socket && soup_websocket_connection_get_state(from.socket) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_send_text(from.socket, frame.c_str());
    }
}

void SoakClients::finish(Client &client) {
    client.state = Client::State::Done;
    if (client.socket && soup_websocket_connection_get_state(client.socket) == SOUP_WEBSOCKET_STATE_OPEN) {
        soup_websocket_connection_close(client.socket, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
    }
}

void SoakClients::onMessage(SoupWebsocketConnection *, gint type, GBytes *message, gpointer data) {
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        return;
    }
    Client &client = *static_cast<Client *>(data);
    gsize size = 0;
    const auto *text = static_cast<const char *>(g_bytes_get_data(message, &size));
    client.owner->receive(client, std::string_view(text, size));
}

void SoakClients::receive(Client &client, std::string_view frame) {
    ++round_.framesReceived;
    const std::optional<std::string_view> type = stringMember(frame, "type");
    if (!type) {
        fail(round_.unexpected, "a frame without a type", frame);
    } else if (*type == "users" || *type == "presence") {
        ++round_.presenceFrames;
        if (client.probe && *type == "users" && client.usersList.empty()) {
            client.usersList = std::string(memberValue(frame, "users").value_or("[]"));
        }
    } else if (*type == "login" && client.state == Client::State::LoggingIn) {
        if (client.probe) {
            client.state = bench::isTrue(frame, "success") ? Client::State::In : Client::State::Done;
            return;
        }
        if (bench::isTrue(frame, "success")) {
            client.state = Client::State::In;
            ++round_.signedIn;
        } else {
            fail(round_.loginRefused, "login refused", frame);
            finish(client);
        }
        loginSettled();
    } else if (*type == "error") {
        fail(round_.errorFrames, "error from the server", frame);
    } else if (*type == "offer" || *type == "answer" || *type == "candidate" || *type == "leave") {
        receiveCall(client, *type, frame);
    }
    // Other types (ringing, extensions): clients ignore what they do not know.
}

void SoakClients::receiveCall(Client &client, std::string_view type, std::string_view frame) {
    if (client.state != Client::State::In) {
        // A late candidate or the server's `leave` after the partner went: not for a finished call.
        if (client.state != Client::State::Done) {
            fail(round_.unexpected, "a call message before signing in", frame);
        }
        return;
    }
    const Client &partner = *clients_[size_t(client.partner)];
    if (stringMember(frame, "name") != partner.name) {
        fail(round_.misrouted, "a call message from someone else", frame);
        return;
    }
    const int wanted = settings_.candidatesPerSide;
    if (type == "offer" && !client.caller && !client.gotOffer) {
        client.gotOffer = true;
        send(client, descriptionFrame("answer", answerSdp_, partner.name));
        for (int i = 0; i < wanted; ++i) {
            send(client, candidateFrame(i, partner.name));
        }
    } else if (type == "answer" && client.caller && !client.gotAnswer) {
        client.gotAnswer = true;
        for (int i = 0; i < wanted; ++i) {
            send(client, candidateFrame(i, partner.name));
        }
    } else if (type == "candidate" && (client.caller ? client.gotAnswer : client.gotOffer) &&
               client.candidates < wanted) {
        ++client.candidates;
    } else if (type == "leave" && !client.caller && client.candidates == wanted) {
        ++round_.callsCompleted;
        round_.callsSeconds = double(g_get_monotonic_time() - roundStartUs_) / 1e6;
        finish(client);
        return;
    } else {
        fail(round_.unexpected, "a call message out of order", frame);
        return;
    }
    if (client.caller && client.gotAnswer && client.candidates == wanted) {
        send(client, leaveFrame(partner.name));
        finish(client);
    }
}

void SoakClients::onClosed(SoupWebsocketConnection *socket, gpointer data) {
    Client &client = *static_cast<Client *>(data);
    SoakClients *self = client.owner;
    --self->open_;
    const Client::State was = client.state;
    client.state = Client::State::Closed;
    g_signal_handlers_disconnect_by_data(socket, &client);
    client.socket = nullptr;
    if (client.probe) {
        g_object_unref(socket);
        return;
    }
    ++self->closed_;
    if (was != Client::State::Done) {
        char detail[160];
        std::snprintf(detail, sizeof detail, "%s, code %u, %s", client.name.c_str(),
                      unsigned(soup_websocket_connection_get_close_code(socket)),
                      soup_websocket_connection_get_close_data(socket)
                          ? soup_websocket_connection_get_close_data(socket)
                          : "no reason");
        self->fail(self->round_.closedByServer, "the server closed a connection", detail);
        if (was == Client::State::LoggingIn) {
            self->loginSettled();
        }
    }
    g_object_unref(socket);
}

// ---- Between rounds --------------------------------------------------------------------------

int SoakClients::othersOnline(int timeoutMs) {
    Client probe;
    probe.owner = this;
    probe.probe = true;
    probe.name = settings_.namePrefix + "-probe";
    const gint64 deadlineUs = g_get_monotonic_time() + gint64(timeoutMs) * 1000;
    connectOne(probe);
    --inFlight_;  // not part of a round's login window
    iterateUntil(
        [&] {
            return !probe.usersList.empty() || probe.state == Client::State::Closed ||
                   probe.state == Client::State::Done;
        },
        deadlineUs);
    int others = -1;
    if (!probe.usersList.empty()) {
        // ["a","b",...]: names are plain ASCII here, so two quotes per name.
        const std::string_view list = std::string_view(probe.usersList).substr(0, probe.usersList.find(']'));
        others = int(std::count(list.begin(), list.end(), '"') / 2) - 1;
    }
    if (probe.socket) {
        finish(probe);
        iterateUntil([&] { return probe.state == Client::State::Closed; }, g_get_monotonic_time() + 5000000);
        if (probe.socket) {
            g_signal_handlers_disconnect_by_data(probe.socket, &probe);
            g_object_unref(probe.socket);
        }
    }
    return others;
}

}  // namespace confab::soak
