// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerTestCase.h"

#include <QTest>

using namespace confab;

SignalingServerOptions ServerTestCase::fastOptions() {
    SignalingServerOptions options;
    options.presenceBatchMilliseconds = 20;
    // Each connection in a main-loop shard of its own, so that every relay crosses shards;
    // tst_signalingserver runs once more with 0 (one shard for all), see tests/signaling.
    bool set = false;
    const int perShard = qEnvironmentVariableIntValue("CONFAB_TEST_CONNECTIONS_PER_SHARD", &set);
    options.connectionsPerShard = set ? perShard : 1;
    return options;
}

void ServerTestCase::startServer(SignalingServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<SignalingServer>(options);
    QString error;
    QVERIFY2(server_->start(&error), qPrintable(error));
    url_ = server_->url();
}
