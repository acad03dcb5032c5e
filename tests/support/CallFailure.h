// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallController.h"
#include "call/CallState.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTest>

#include <functional>
#include <utility>

// What went wrong in a call between in-process peers, as sentences, the first one first; and a
// wait that gives up as soon as one is recorded instead of at its bound (as GStreamer's own
// webrtcbin test fails on the first event it did not expect). Shared by InProcessCall::connect,
// for which any end of the call is a failure, and by PeerFailureWatch, which watches a test peer
// for the whole of its life.
class CallFailure {
public:
    bool isEmpty() const { return sentences_.isEmpty(); }
    // Every sentence recorded, the first first.
    QString text() const { return sentences_.join(QStringLiteral("; ")); }
    void record(const QString &sentence) {
        sentences_.append(sentence);
        if (sentences_.size() == 1 && onFirst_) {
            onFirst_();
        }
    }
    // Called when the first sentence is recorded.
    void setOnFirst(std::function<void()> onFirst) { onFirst_ = std::move(onFirst); }

    // Records the ends of `controller`'s calls, named after `name`, while `context` lives: every
    // end, or with `failuresOnly` only those that isFailure() says no test expects.
    void recordEnds(const confab::CallController *controller, const QString &name, const QObject *context,
                    bool failuresOnly) {
        QObject::connect(controller, &confab::CallController::ended, context,
                         [this, name, failuresOnly](confab::CallEndReason reason, const QString &sentence) {
                             if (!failuresOnly || isFailure(reason)) {
                                 record(QStringLiteral("%1's call ended (%2): %3")
                                            .arg(name, confab::wireName(reason), sentence));
                             }
                         });
    }

    // Waits until `condition` holds or a failure is recorded, at most `timeoutMs`; true when the
    // condition held with no failure.
    bool waitFor(const std::function<bool()> &condition, int timeoutMs) const {
        return QTest::qWaitFor([&] { return !isEmpty() || condition(); }, timeoutMs) && isEmpty();
    }

    // An end that only a failure causes (no connection, a pipeline error, a peer gone silent, the
    // server lost while setting up), as opposed to one a person chose or the other side said
    // (hung up, declined, busy, cancelled, no answer, not online), which tests provoke on purpose.
    static bool isFailure(confab::CallEndReason reason) {
        using R = confab::CallEndReason;
        switch (reason) {
            case R::HungUp:
            case R::RemoteHungUp:
            case R::Declined:
            case R::DeclinedByUs:
            case R::Busy:
            case R::Cancelled:
            case R::NoAnswer:
            case R::UserOffline:
                return false;
            case R::ConnectionFailed:
            case R::NoRelay:
            case R::PeerVanished:
            case R::MediaError:
            case R::SignalingLost:
            case R::ConnectionLost:
            case R::ReconnectTimedOut:
                return true;
        }
        return true;
    }

private:
    QStringList sentences_;
    std::function<void()> onFirst_;
};
