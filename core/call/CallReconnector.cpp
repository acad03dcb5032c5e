// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallReconnector.h"

#include "util/Logging.h"

namespace confab {

CallReconnector::CallReconnector(QObject *parent) : QObject(parent) {
    window_.setSingleShot(true);
    connect(&window_, &QTimer::timeout, this, [this] {
        qCWarning(lcCall).noquote() << "no media for" << since_.elapsed() << "ms: the reconnect window of"
                                    << timing_.windowMs << "ms is over";
        reconnecting_ = false;
        reoffer_.stop();
        Q_EMIT windowExpired();
    });
    reoffer_.setSingleShot(true);
    connect(&reoffer_, &QTimer::timeout, this, [this] {
        if (reconnecting_) {
            Q_EMIT reofferDue();
        }
    });
}

void CallReconnector::connected() {
    reoffer_.stop();
    if (!reconnecting_) {
        return;
    }
    reconnecting_ = false;
    window_.stop();
    const qint64 ms = since_.elapsed();
    qCInfo(lcCall).noquote() << "call restored after" << ms << "ms";
    Q_EMIT restored(ms);
}

void CallReconnector::begin(const QString &detail) {
    reconnecting_ = true;
    since_.start();
    window_.start(timing_.windowMs);
    qCWarning(lcCall).noquote() << "call interrupted:" << detail << "- reconnecting for up to" << timing_.windowMs
                                << "ms";
    Q_EMIT reconnecting(detail);
}

void CallReconnector::interrupted(const QString &detail) {
    if (reconnecting_) {
        return;
    }
    begin(detail);
    if (reconnecting_) {  // a slot may have ended the call
        reoffer_.start(caller_ ? timing_.callerFirstOfferMs : timing_.calleeFirstOfferMs);
    }
}

void CallReconnector::addressLost(const QString &detail) {
    if (!reconnecting_) {
        begin(detail);
    }
    if (reconnecting_) {
        reoffer_.start(0);
    }
}

void CallReconnector::reestablishing(bool weOffered) {
    if (!reconnecting_) {
        return;
    }
    // Either side retries a re-establishment that did not connect; the callee a little later,
    // so that a caller's retry usually comes first.
    reoffer_.start(timing_.retryMs + (caller_ || weOffered ? 0 : timing_.retryMs / 2));
}

void CallReconnector::reset() {
    reconnecting_ = false;
    window_.stop();
    reoffer_.stop();
}

}  // namespace confab
