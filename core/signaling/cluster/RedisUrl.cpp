// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/cluster/RedisUrl.h"

#include <QCoreApplication>
#include <QUrl>

namespace confab {

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error) {
    const auto refuse = [&](const QString &why) {
        *error = QCoreApplication::translate("confab", "\"%1\" is not a Redis URL: %2").arg(text, why);
        return std::nullopt;
    };
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QStringLiteral("redis")) {
        return refuse(QCoreApplication::translate(
            "confab", "write it as redis://host:port (or redis://:password@host:port/db)."));
    }
    RedisUrl result;
    result.host = url.host();
    if (result.host.isEmpty()) {
        return refuse(QCoreApplication::translate("confab", "it names no host."));
    }
    result.port = url.port(6379);
    if (result.port < 1 || result.port > 65535) {
        return refuse(QCoreApplication::translate("confab", "the port must be from 1 to 65535."));
    }
    result.user = url.userName(QUrl::FullyDecoded).toUtf8();
    result.password = url.password(QUrl::FullyDecoded).toUtf8();
    if (!result.user.isEmpty() && result.password.isEmpty()) {
        return refuse(
            QCoreApplication::translate("confab", "a user needs a password (redis://user:password@host)."));
    }
    QString path = url.path();
    if (path.startsWith(QLatin1Char('/'))) {
        path.remove(0, 1);
    }
    if (!path.isEmpty()) {
        bool ok = false;
        result.database = path.toInt(&ok);
        if (!ok || result.database < 0) {
            return refuse(
                QCoreApplication::translate("confab", "the path must be a database number, like /0."));
        }
    }
    if (url.hasQuery() || url.hasFragment()) {
        return refuse(QCoreApplication::translate("confab", "it must have no query or fragment."));
    }
    return result;
}

QString RedisUrl::display() const {
    return QStringLiteral("%1:%2/%3").arg(host).arg(port).arg(database);
}

}  // namespace confab
