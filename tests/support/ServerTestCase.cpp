#include "ServerTestCase.h"

#include <QTest>

using namespace confab;

SignalingServerOptions ServerTestCase::fastOptions() {
    SignalingServerOptions options;
    options.presenceBatchMilliseconds = 20;
    return options;
}

void ServerTestCase::startServer(SignalingServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<SignalingServer>(options);
    QString error;
    QVERIFY2(server_->start(&error), qPrintable(error));
    url_ = server_->url();
}
