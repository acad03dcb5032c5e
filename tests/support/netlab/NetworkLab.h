// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DelayForwarder.h"
#include "LinkConditions.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace netlab {

// Two sites and a router between them, in network namespaces of their own, for calls over a
// network whose conditions a test or benchmark sets (bench/network; impaired-network call tests):
//
//     site a  uplink 192.0.2.2/26 ─── to-a 192.0.2.1   ┐
//                                                      router (forwards; 192.0.2.200 on lo: services,
//     site b  uplink 198.51.100.2/26 ─ to-b 198.51.100.1 ┘  e.g. confab-server on 0.0.0.0)
//             uplink2 (198.51.100.66/26 ─ to-b2 198.51.100.65: site b's second network, for
//                      hand-overs; down until moveSiteB())
//
// Both sites route everything through the router, so the service address is reachable from
// either (and from b after it changed networks). LinkConditions apply to traffic between the sites,
// the same both ways: a rate cap at the router's egress to each site, UDP and TCP loss as it
// arrives at each site, delay and jitter in the router (DelayForwarder). The signaling server on the router sees
// the rate cap but not the loss or delay: the call's media is what is impaired.
//
// Addresses are from the documentation ranges; nothing on the host's own interfaces is touched.
// Namespace names carry this process's pid ("confab-lab-PID-a"); the destructor removes them, and
// a NetworkLab made later removes those of processes that died without doing so. Needs root,
// iproute2 (ip, tc), nftables and /dev/net/tun.
class NetworkLab {
public:
    enum class Site { A, B };

    NetworkLab();
    ~NetworkLab();  // stops the forwarder, then removes the namespaces (processes in them must be gone)
    NetworkLab(const NetworkLab &) = delete;
    NetworkLab &operator=(const NetworkLab &) = delete;

    // Empty when labs can be made here; otherwise why not (not root, a missing tool or device).
    static QString unavailableReason();

    // Makes the namespaces, links and routes; false with *error.
    bool start(QString *error);

    // The prefix that runs a program in a place: {"ip", "netns", "exec", NAME}.
    QStringList launcher(Site site) const;
    QStringList routerLauncher() const;
    // The address of services on the router (confab-server listening on 0.0.0.0), from either site.
    static QString serviceAddress() { return QStringLiteral("192.0.2.200"); }
    // A site's address now (site b's changes with moveSiteB()).
    QString siteAddress(Site site) const;

    // Sets the conditions between the sites (replacing the previous ones); false with *error.
    bool apply(const LinkConditions &conditions, QString *error);
    // Only the rate (a step mid-call), keeping the other conditions.
    bool setRate(int rateKbps, QString *error);
    const LinkConditions &conditions() const { return conditions_; }

    // Site b's network goes away (its uplink loses its address) and it joins its second network
    // (uplink2 up with 198.51.100.66, default route through it); false with *error. Once.
    bool moveSiteB(QString *error);
    // Every packet to or from site b is dropped at the router (signaling too), or let through again.
    bool cutSiteB(bool cut, QString *error);

    // A self-check of the conditions: `count` UDP probes from site a to an echo in site b, one
    // every `intervalMs`, and the round trips of those that came back.
    struct Probe {
        int sent = 0;
        int received = 0;
        double minMs = 0;
        double medianMs = 0;
        double maxMs = 0;
    };
    std::optional<Probe> probe(int count, int intervalMs, QString *error);

    // Runs a command in a place (or on the router); false with its output in *error.
    bool exec(Site site, const QStringList &command, QString *error);
    bool execOnRouter(const QStringList &command, QString *error);

private:
    QString name(const QString &place) const;
    bool setRateOn(const QString &device, int rateKbps, int queueMs, QString *error);
    void removeAll();
    static void removeLeftovers();

    QString prefix_;
    QStringList created_;
    LinkConditions conditions_;
    DelayForwarder forwarder_;
    bool forwarding_ = false;
    bool moved_ = false;
};

}  // namespace netlab
