// SPDX-License-Identifier: GPL-3.0-or-later
#include "NatNetwork.h"

namespace {

const QString kA = QStringLiteral("nat-a");
const QString kB = QStringLiteral("nat-b");
const QString kRelay = QStringLiteral("nat-relay");

QString withPrefix(const char *address, int bits) {
    return QLatin1String(address) + QLatin1Char('/') + QString::number(bits);
}

}  // namespace

QString NatNetwork::placeName(Place place) {
    switch (place) {
        case Place::PeerA:
            return kA;
        case Place::PeerB:
            return kB;
        case Place::Relay:
            return kRelay;
    }
    return {};
}

bool NatNetwork::create(QString *error, bool *refused) {
    *refused = false;
    if (!namespaces_.add(kRelay, error)) {
        *refused = true;
        return false;
    }
    // The peers' ends are not named veth*: libnice 0.1.21 gathers no candidates on interfaces
    // named veth*, docker*, virbr* or vnet* (it takes them for a host's container bridges).
    return namespaces_.add(kA, error) && namespaces_.add(kB, error) &&
           namespaces_.link(kRelay, QStringLiteral("to-a"), QStringLiteral("192.0.2.1/24"), kA,
                            QStringLiteral("nat0"), withPrefix(kPeerAAddress, 24), error) &&
           namespaces_.link(kRelay, QStringLiteral("to-b"), QStringLiteral("198.51.100.1/24"), kB,
                            QStringLiteral("nat0"), withPrefix(kPeerBAddress, 24), error) &&
           namespaces_.exec(kRelay,
                            {QStringLiteral("ip"), QStringLiteral("addr"), QStringLiteral("add"),
                             withPrefix(kRelayAddress, 32), QStringLiteral("dev"), QStringLiteral("lo")},
                            error) &&
           // The one way out of each peer's namespace: to the public server.
           namespaces_.exec(
               kA,
               {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("add"),
                withPrefix(kRelayAddress, 32), QStringLiteral("via"), QStringLiteral("192.0.2.1")},
               error) &&
           namespaces_.exec(
               kB,
               {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("add"),
                withPrefix(kRelayAddress, 32), QStringLiteral("via"), QStringLiteral("198.51.100.1")},
               error);
}

bool NatNetwork::hasRoute(Place from, const QString &address) const {
    return namespaces_.exec(placeName(from),
                            {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("get"), address},
                            nullptr);
}
