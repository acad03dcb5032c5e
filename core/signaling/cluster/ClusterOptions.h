// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "signaling/cluster/RedisUrl.h"

#include <QByteArray>
#include <QString>

namespace confab {

// How a confab-server node joins a cluster (confab-server --redis and friends).
struct ClusterOptions {
    RedisUrl redis;
    // How long a user's name stays claimed in Redis without its node refreshing it, and how long
    // a silent node is believed alive. Nodes refresh and say they are alive every third of it.
    int presenceTtlMs = 15000;
    QString nodeId;                                      // empty: a random one at start
    QByteArray keyPrefix = QByteArrayLiteral("confab");  // Redis keys and channels start with it
    int presenceBatchMs = 100;                           // sign-ins and -outs sent to other nodes at once
};

}  // namespace confab
