// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallReconnector.h"

#include "util/Logging.h"

namespace confab {

CallReconnector::CallReconnector(QObject *parent) : QObject(parent) {
    window_.setSingleShot(true);
    connect(&window_, &QTimer::timeout, this, [this] {
        qCWarning(lcCall).noquote() << "no media for" << since_.elapsed() << "ms: the reconnect window of"
                                    << windowMs_ << "ms is over";
        reconnecting_ = false;
        Q_EMIT windowExpired();
    });
}

void CallReconnector::connected() {
    if (!reconnecting_) {
        return;
    }
    reconnecting_ = false;
    window_.stop();
    const qint64 ms = since_.elapsed();
    qCInfo(lcCall).noquote() << "call restored after" << ms << "ms";
    Q_EMIT restored(ms);
}

void CallReconnector::interrupted(const QString &detail) {
    if (reconnecting_) {
        return;
    }
    reconnecting_ = true;
    since_.start();
    window_.start(windowMs_);
    qCWarning(lcCall).noquote() << "call interrupted:" << detail << "- reconnecting for up to" << windowMs_ << "ms";
    Q_EMIT reconnecting(detail);
}

void CallReconnector::reset() {
    reconnecting_ = false;
    window_.stop();
}

}  // namespace confab
