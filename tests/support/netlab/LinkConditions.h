// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace netlab {

// What the network between the two sites of a NetworkLab does to the traffic crossing it, the same
// in both directions. Zero means "not limited" for each field.
struct LinkConditions {
    // A token bucket at the router's egress towards each site (tc tbf): the bottleneck's rate,
    // with a queue of `queueMs` at that rate before it drops.
    int rateKbps = 0;
    int queueMs = 150;
    // Random loss of the UDP and TCP packets crossing between the sites (the call's media, over
    // whichever ICE pair) as they arrive at each site (nftables, numgen random in prerouting), in
    // percent. The signaling server's traffic is not dropped.
    double lossPercent = 0;
    // One-way delay added by the router in each direction (a user-space forwarder between two TUN
    // devices; this kernel has no netem), varying smoothly within ±jitterMs: a round trip of
    // 2 × delayMs ± 2 × jitterMs. Packets are never reordered.
    int delayMs = 0;
    int jitterMs = 0;
};

}  // namespace netlab
