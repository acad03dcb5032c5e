// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/Message.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace confab {

// Collects sign-ins and sign-outs for a short window and hands them on as one `presence` change,
// so a burst of N logins costs each client a few messages rather than N. Each name carries its
// final state in the window, which makes the change idempotent for a client that just got the full list.
//
// Every flush goes to everyone online, so with a fixed window a sign-in storm costs O(online)
// messages per window: 10,000 clients signing in behind 100 ms windows made millions of presence
// messages and the last sign-ins took minutes. The window therefore grows with the audience:
// kAudiencePerMs online users per millisecond of window, never below the configured base nor above
// kMaxWindowMs. That holds presence fan-out near 10,000 messages a second however many are online,
// for news that arrives up to a second late on a server with 10,000 users.
class PresenceBatcher : public QObject {
    Q_OBJECT
public:
    static constexpr int kAudiencePerMs = 10;
    static constexpr int kMaxWindowMs = 1000;

    // `audience` says how many clients a flush goes to (asked when a window opens).
    PresenceBatcher(int baseWindowMs, std::function<qsizetype()> audience, QObject *parent = nullptr);

    void userOnline(const QString &name) { note(name, true); }
    void userOffline(const QString &name) { note(name, false); }

    // The window for this many online users.
    static int windowFor(int baseWindowMs, qsizetype audience);

Q_SIGNALS:
    void changed(const confab::protocol::PresenceMessage &change);

private:
    void note(const QString &name, bool online);
    void flush();

    int baseWindowMs_;
    std::function<qsizetype()> audience_;
    QHash<QString, bool> pending_;
    QTimer timer_;
};

}  // namespace confab
