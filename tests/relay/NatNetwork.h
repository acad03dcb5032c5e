// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "TestNamespaces.h"

#include <QString>
#include <QStringList>

// Three network namespaces made for one test and removed with it (tests/faults' TestNamespaces),
// standing for two peers behind NATs that cannot reach each other and a public server both can
// reach:
//
//   peer a 192.0.2.2 ──── 192.0.2.1  relay  198.51.100.1 ──── 198.51.100.2 peer b
//                         203.0.113.1 (lo): TURN and signaling
//
// Each peer has a route to 203.0.113.1 only; the relay namespace does not forward (a new
// namespace starts with ip_forward=0), so a packet from one peer never reaches the other except
// as TURN-relayed data. Addresses are TEST-NET ones and exist inside these namespaces only.
// Needs root and iproute2.
class NatNetwork {
public:
    enum class Place { PeerA, PeerB, Relay };
    static constexpr const char *kRelayAddress = "203.0.113.1";
    static constexpr const char *kPeerAAddress = "192.0.2.2";
    static constexpr const char *kPeerBAddress = "198.51.100.2";

    // Why this machine cannot build the network (not root, no `ip`), or empty when it can.
    static QString unavailableReason() { return TestNamespaces::unavailableReason(); }

    // Builds the namespaces, links, addresses and routes. On failure *error says which step
    // failed; *refused is set when the very first namespace could not be made at all (no
    // CAP_SYS_ADMIN in a container, say): the test cannot run here, rather than a broken set-up.
    bool create(QString *error, bool *refused);

    // The command prefix that runs a program inside `place`: {"ip", "netns", "exec", NAME}.
    QStringList launcher(Place place) const { return namespaces_.launcher(placeName(place)); }
    // Whether the kernel of `from` has a route to `address` (`ip route get`).
    bool hasRoute(Place from, const QString &address) const;

private:
    static QString placeName(Place place);

    TestNamespaces namespaces_;
};
