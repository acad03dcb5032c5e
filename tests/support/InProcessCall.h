// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QObject>
#include <QString>
#include <QTest>
#include <QtDebug>

#include <functional>

// Setting up a call between two peers in the test's own process, each a SignalingClient `client`
// with a CallController `controller` on it, as the desktop app has them (TestPeer, ColourPeer).
// Only functions: the peers belong to the test.
class InProcessCall {
public:
    // Waits until `peer` has signed in; false after a warning naming it.
    template <class Peer>
    static bool waitSignedIn(const Peer &peer, int timeoutMs) {
        if (!QTest::qWaitFor([&] { return peer.client.state() == confab::SignalingClient::State::LoggedIn; },
                             timeoutMs)) {
            qWarning("peer %s did not sign in", qPrintable(peer.client.name()));
            return false;
        }
        return true;
    }

    // `caller` calls `callee`, which accepts this and every later call as soon as it rings; true
    // once both are connected and `also` (when given) holds, within `timeoutMs`.
    template <class Peer>
    static bool connect(Peer &caller, Peer &callee, int timeoutMs, const std::function<bool()> &also = {}) {
        QObject::connect(callee.controller.get(), &confab::CallController::incomingCall,
                         callee.controller.get(), [&callee] {
                             QString error;
                             callee.controller->accept(&error);
                         });
        QString error;
        if (!caller.controller->call(callee.client.name(), &error)) {
            qWarning("call failed: %s", qPrintable(error));
            return false;
        }
        return QTest::qWaitFor(
            [&] {
                return caller.state() == confab::CallState::Connected &&
                       callee.state() == confab::CallState::Connected && (!also || also());
            },
            timeoutMs);
    }
};
