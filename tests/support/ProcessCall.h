// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProcessPeers.h"

#include <QList>
#include <QStringList>
#include <QUrl>

#include <memory>

// A call between two confab-call processes as a user sets one up: bob signs in with --answer, and
// once the server has him, alice starts with --call bob. Each side may take more arguments, sign in
// to a server of its own (a cluster node, an address inside a network namespace) and run under a
// launcher, or both use a server the call starts itself. Owned by the test; its processes are
// killed when it goes (the peers also on stop()).
class ProcessCall {
public:
    // `signInTimeoutMs` bounds the wait for bob's logged-in event.
    explicit ProcessCall(int signInTimeoutMs) : signInTimeoutMs_(signInTimeoutMs) {}

    // A confab-server of its own (server()) on an ephemeral port, then the call on it; false after a
    // warning when the server did not start or bob did not sign in.
    bool startWithServer(const QStringList &aliceArguments = {}, const QStringList &bobArguments = {});

    // bob on `server`, and alice on the same server; false, after a warning with bob's stderr,
    // when bob did not sign in (alice is then not started).
    bool start(const QUrl &server, const QStringList &aliceArguments = {},
               const QStringList &bobArguments = {});

    // The two halves of start(), for tests that do something between them or sign each side in
    // to a different server.
    bool startBob(const QUrl &server, const QStringList &arguments = {}, const QStringList &launcher = {});
    void startAlice(const QUrl &server, const QStringList &arguments = {}, const QStringList &launcher = {});

    // SIGKILL to both: the server ends the pairing and frees both names.
    void stop();

    // The server startWithServer() started, for a test to kill or restart.
    ServerProcess &server() { return server_; }
    CallProcess &alice() { return *alice_; }
    CallProcess &bob() { return *bob_; }
    // For `auto [alice, bob] = call.peers();` once both are started.
    struct Peers {
        CallProcess &alice;
        CallProcess &bob;
    };
    Peers peers() { return {*alice_, *bob_}; }
    // alice then bob, for checks that hold on both sides.
    QList<CallProcess *> both() { return {alice_.get(), bob_.get()}; }

private:
    int signInTimeoutMs_;
    // In the order a test would declare them: alice, who started last, is killed first, the
    // server last.
    ServerProcess server_;
    std::unique_ptr<CallProcess> bob_;
    std::unique_ptr<CallProcess> alice_;
};
