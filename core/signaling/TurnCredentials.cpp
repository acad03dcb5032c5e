// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/TurnCredentials.h"

#include "util/GLibPtr.h"

#include <glib.h>

namespace confab {

protocol::IceServer TurnCredentials::issue(const QByteArray &secret, const QStringList &urls, const QString &name,
                                           qint64 expiryUnixSeconds) {
    const QByteArray username = QByteArray::number(expiryUnixSeconds) + ':' + name.toUtf8();
    GHmac *hmac = g_hmac_new(G_CHECKSUM_SHA1, reinterpret_cast<const guchar *>(secret.constData()),
                             gsize(secret.size()));
    g_hmac_update(hmac, reinterpret_cast<const guchar *>(username.constData()), gssize(username.size()));
    guint8 digest[20];
    gsize length = sizeof digest;
    g_hmac_get_digest(hmac, digest, &length);
    g_hmac_unref(hmac);
    protocol::IceServer server;
    server.urls = urls;
    server.username = QString::fromUtf8(username);
    server.credential = QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest), qsizetype(length)).toBase64());
    return server;
}

}  // namespace confab
