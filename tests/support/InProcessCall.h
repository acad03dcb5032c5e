// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CallFailure.h"

#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QObject>
#include <QString>
#include <QTest>
#include <QtDebug>

#include <functional>
#include <initializer_list>

// Setting up a call between two peers in the test's own process, each a SignalingClient `client`
// with a CallController `controller` on it, as the desktop app has them (TestPeer, ColourPeer).
// Only functions: the peers belong to the test.
class InProcessCall {
public:
    // Waits until `peer` has signed in; false after a warning naming it.
    template <class Peer>
    static bool waitSignedIn(const Peer &peer, int timeoutMs) {
        if (!peer.waitFor([&] { return peer.client.state() == confab::SignalingClient::State::LoggedIn; },
                          timeoutMs)) {
            qWarning("peer %s did not sign in", qPrintable(peer.client.name()));
            return false;
        }
        return true;
    }

    // `caller` calls `callee`, which accepts this and every later call as soon as it rings; true
    // once both are connected and `also` (when given) holds, within `timeoutMs`. A call that ends
    // on either side meanwhile (declined, a pipeline error, no network path, ...) fails at once,
    // with a warning giving its reason, instead of when the time is up (as GStreamer's own
    // webrtcbin test fails on any event it did not expect).
    template <class Peer>
    static bool connect(Peer &caller, Peer &callee, int timeoutMs, const std::function<bool()> &also = {}) {
        QObject::connect(callee.controller.get(), &confab::CallController::incomingCall,
                         callee.controller.get(), [&callee] {
                             QString error;
                             callee.controller->accept(&error);
                         });
        CallFailure failure;
        QObject watching;  // disconnects the watchers below when this returns
        for (Peer *peer : {&caller, &callee}) {
            failure.recordEnds(peer->controller.get(), peer->client.name(), &watching, false);
        }
        QString error;
        if (!caller.controller->call(callee.client.name(), &error)) {
            qWarning("call failed: %s", qPrintable(error));
            return false;
        }
        // What the peers' own watches see (a server error, ...) ends the wait at once too.
        const auto peersFailed = [&] { return !caller.failure().isEmpty() || !callee.failure().isEmpty(); };
        const bool connected = failure.waitFor(
            [&] {
                return peersFailed() || (caller.state() == confab::CallState::Connected &&
                                         callee.state() == confab::CallState::Connected && (!also || also()));
            },
            timeoutMs);
        if (!failure.isEmpty() || peersFailed()) {
            const QString why = !failure.isEmpty()            ? failure.text()
                                : !caller.failure().isEmpty() ? caller.failure()
                                                              : callee.failure();
            qWarning("%s", qPrintable(why));
            return false;
        }
        if (!connected) {
            qWarning("the call was not connected within %d ms (caller %s, callee %s)", timeoutMs,
                     qPrintable(confab::describe(caller.state())),
                     qPrintable(confab::describe(callee.state())));
        }
        return connected;
    }
};
