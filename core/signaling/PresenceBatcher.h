#pragma once

#include "protocol/Message.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace confab {

// Collects sign-ins and sign-outs for a short window and hands them on as one `presence` change,
// so a burst of N logins costs each client a few messages rather than N. Each name carries its
// final state in the window, which makes the change idempotent for a client that just got the full list.
class PresenceBatcher : public QObject {
    Q_OBJECT
public:
    explicit PresenceBatcher(int windowMs, QObject *parent = nullptr);

    void userOnline(const QString &name) { note(name, true); }
    void userOffline(const QString &name) { note(name, false); }

Q_SIGNALS:
    void changed(const confab::protocol::PresenceMessage &change);

private:
    void note(const QString &name, bool online);
    void flush();

    QHash<QString, bool> pending_;
    QTimer timer_;
};

}  // namespace confab
