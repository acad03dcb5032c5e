// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "signaling/CallSignaling.h"

#include <QHash>
#include <QPointer>
#include <QSet>

#include <memory>

namespace confab {

// CallSignaling without a server: endpoints on one in-memory switchboard (Switchboard) reach
// each other by name, as they would through confab-server. A message arrives on the next turn
// of the event loop with `name` rewritten to the sender; a message to a name nobody holds gets
// the server's `user-offline` error; an offer pairs the two for the call, and an endpoint that
// signs out makes the switchboard tell its partners `leave` "disconnected", as the server does.
// For fast tests of the call flow (CallController) without sockets, and for anything that wants
// two call parties in one process.
class LoopbackSignaling : public CallSignaling {
    Q_OBJECT
public:
    class Switchboard;

    // Signs in as `name` on `switchboard` at once.
    LoopbackSignaling(std::shared_ptr<Switchboard> switchboard, const QString &name, QObject *parent = nullptr);
    ~LoopbackSignaling() override;

    static std::shared_ptr<Switchboard> newSwitchboard();

    bool isSignedIn() const override { return signedIn_; }
    QString name() const override { return name_; }
    QList<protocol::IceServer> iceServers() const override { return {}; }
    bool send(const protocol::Message &message) override;

    // Signs out (partners hear `leave` "disconnected", as when a connection drops) or in again.
    void setSignedIn(bool signedIn);
    // While false, messages sent to this endpoint are dropped on the way, as on a dead link
    // before the server notices: nobody is told.
    void setReachable(bool reachable) { reachable_ = reachable; }
    // Every message this endpoint sent, in order (as sent: `name` is the target).
    const QList<protocol::Message> &sent() const { return sent_; }

private:
    void deliver(const protocol::Message &message);

    std::shared_ptr<Switchboard> switchboard_;
    QString name_;
    bool signedIn_ = false;
    bool reachable_ = true;
    QList<protocol::Message> sent_;
};

// The names signed in on one switchboard and who is in a call with whom.
class LoopbackSignaling::Switchboard {
public:
    QHash<QString, QPointer<LoopbackSignaling>> online;
    QHash<QString, QSet<QString>> partners;
};

}  // namespace confab
