// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "NetworkLab.h"
#include "ProcessCall.h"
#include "ProcessPeers.h"

#include <QString>
#include <QStringList>

// NetworkLab's two sites with confab-server on the router and a call from alice (site a) to bob
// (site b), for the tests that shape the network between them: the test makes the sites
// (lab.start()) and shapes them (link conditions, router rules); startCall() starts the server
// and both peers and waits for each side's first remote frame. The members stop in the reverse
// order: the peers first, then the server, then the namespaces they ran in.
class LabCall {
public:
    explicit LabCall(int startMs) : call(startMs), startMs_(startMs) {}

    // False with *error when the server or a peer does not start, or a side sees no picture.
    bool startCall(const QStringList &aliceArguments, const QStringList &bobArguments, QString *error);

    netlab::NetworkLab lab;
    ServerProcess server;
    ProcessCall call;

private:
    int startMs_;
};
