// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/Message.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace confab {

// Short-lived TURN credentials in the "TURN REST API" scheme that coturn's `use-auth-secret`
// (`static-auth-secret=SECRET`) checks without asking us: the username is
// "<expiry as Unix time>:<name>" and the password base64(HMAC-SHA1(secret, username)). The TURN
// server needs only the shared secret; a leaked credential stops working at its expiry.
class TurnCredentials {
public:
    static protocol::IceServer issue(const QByteArray &secret, const QStringList &urls, const QString &name,
                                     qint64 expiryUnixSeconds);
};

}  // namespace confab
