// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/Message.h"

#include <QObject>

namespace confab {

// What a call needs of signaling: whether we are signed in and as whom, the server's ICE servers,
// sending a call message to a named user, and the call messages that arrive. SignalingClient is
// the real one (a WebSocket to a server); LoopbackSignaling connects endpoints in memory, for
// tests of the call flow without a server. Main thread only.
class CallSignaling : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    virtual bool isSignedIn() const = 0;
    // The name we are signed in as (or signing in as).
    virtual QString name() const = 0;
    virtual QList<protocol::IceServer> iceServers() const = 0;
    // Sends a message once signed in; false (and a log line) otherwise.
    virtual bool send(const protocol::Message &message) = 0;
    // This computer's addresses changed during a call: a connection to the server that may be
    // dead (its address gone) is replaced now rather than after the keep-alive notices.
    virtual void networkChanged() {}

    // `reconnect`: the media session of the running call they belong to (0: its first; -1: left
    // out, as a seed-protocol peer sends them). `call`: the call's identity (left out when empty).
    bool sendOffer(const QString &to, const protocol::SessionDescription &offer, int reconnect = -1,
                   const QString &call = {});
    bool sendAnswer(const QString &to, const protocol::SessionDescription &answer, int reconnect = -1,
                    const QString &call = {});
    bool sendCandidate(const QString &to, const protocol::IceCandidate &candidate, int reconnect = 0,
                       const QString &call = {});
    bool sendLeave(const QString &to, const QString &reason = {}, const QString &call = {});
    bool sendRinging(const QString &to, const QString &call = {});

Q_SIGNALS:
    // isSignedIn() may have changed.
    void signedInChanged(bool signedIn);
    void offerReceived(const confab::protocol::OfferMessage &offer);
    void answerReceived(const confab::protocol::AnswerMessage &answer);
    void candidateReceived(const confab::protocol::CandidateMessage &candidate);
    void leaveReceived(const confab::protocol::LeaveMessage &leave);
    void ringingReceived(const confab::protocol::RingingMessage &ringing);
    // An `error` from the server, or a message from it we could not read.
    void serverError(const confab::protocol::ErrorMessage &error);
};

}  // namespace confab

Q_DECLARE_METATYPE(confab::protocol::OfferMessage)
Q_DECLARE_METATYPE(confab::protocol::AnswerMessage)
Q_DECLARE_METATYPE(confab::protocol::CandidateMessage)
Q_DECLARE_METATYPE(confab::protocol::LeaveMessage)
Q_DECLARE_METATYPE(confab::protocol::RingingMessage)
Q_DECLARE_METATYPE(confab::protocol::ErrorMessage)
