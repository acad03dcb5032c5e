// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CallFailure.h"

#include "call/CallController.h"
#include "call/MediaSession.h"
#include "signaling/SignalingClient.h"

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QTest>
#include <QtDebug>

#include <functional>
#include <memory>

// Watches an in-process test peer (a SignalingClient with a CallController: TestPeer, ColourPeer)
// for what no test of a working call expects, and fails the running test function with it at
// once: a call that ends by a failure (CallFailure::isFailure), the pipeline error behind it, an
// error from the server, a refused sign-in or certificate. Qt Test's QTRY_* loops stop as soon as
// the running test has failed, so every wait on the peer ends then, with the sentence in the
// failure message, instead of at its bound; waits of their own use waitFor(). The peer owns it
// and calls stop() before it destroys its controller.
class PeerFailureWatch {
public:
    PeerFailureWatch(const confab::SignalingClient *client, const confab::CallController *controller,
                     const QString &name)
        : controller_(controller), name_(name) {
        // Reported from the event loop, once whatever is being emitted now (a media session's
        // failure and the end of the call it causes) has been recorded too.
        failure_.setOnFirst([this] {
            QMetaObject::invokeMethod(
                context_.get(), [this] { report(); }, Qt::QueuedConnection);
        });
        failure_.recordEnds(controller, name, context_.get(), true);
        QObject::connect(controller, &confab::CallController::stateChanged, context_.get(),
                         [this] { watchSession(); });
        QObject::connect(client, &confab::SignalingClient::loginRefused, context_.get(),
                         [this](confab::protocol::ErrorCode code, const QString &message) {
                             record(QStringLiteral("%1's sign-in was refused (%2): %3")
                                        .arg(name_, confab::protocol::wireName(code), message));
                         });
        QObject::connect(client, &confab::SignalingClient::untrustedCertificate, context_.get(), [this] {
            record(QStringLiteral("%1 refused the server's certificate").arg(name_));
        });
        QObject::connect(
            client, &confab::SignalingClient::serverError, context_.get(),
            [this](const confab::protocol::ErrorMessage &error) {
                // Calling someone who is not online ends the call as UserOffline,
                // which tests provoke on purpose.
                if (error.code != confab::protocol::ErrorCode::UserOffline) {
                    record(QStringLiteral("the server sent %1 an error (%2): %3")
                               .arg(name_, confab::protocol::wireName(error.code), error.message));
                }
            });
    }

    // What went wrong so far; empty while nothing did.
    QString failure() const { return failure_.text(); }
    bool waitFor(const std::function<bool()> &condition, int timeoutMs) const {
        return failure_.waitFor(condition, timeoutMs);
    }
    // From now on nothing is recorded or reported (the peer is going away).
    void stop() { context_.reset(); }

private:
    // Each call's media session says what failed in its pipeline (GStreamer's error message),
    // which the call's end only names as a media error.
    void watchSession() {
        confab::MediaSession *session = controller_->session();
        if (!session || session == session_) {
            return;
        }
        session_ = session;
        QObject::connect(session, &confab::MediaSession::failed, context_.get(),
                         [this](confab::CallEndReason reason, const QString &detail) {
                             if (reason == confab::CallEndReason::MediaError) {
                                 record(QStringLiteral("%1's pipeline failed: %2").arg(name_, detail));
                             }
                         });
    }

    void record(const QString &sentence) { failure_.record(sentence); }

    void report() const {
        const QByteArray text = failure().toUtf8();
        if (QTest::currentTestFunction() && !QTest::currentTestFailed()) {
            QTest::qFail(text.constData(), __FILE__, __LINE__);
        } else {
            qWarning("%s", text.constData());
        }
    }

    const confab::CallController *controller_;
    QString name_;
    QPointer<confab::MediaSession> session_;
    CallFailure failure_;
    // Holds the watch's connections and its pending report: both go first when it goes.
    std::unique_ptr<QObject> context_ = std::make_unique<QObject>();
};
