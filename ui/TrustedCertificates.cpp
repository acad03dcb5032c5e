// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrustedCertificates.h"

#include <QSettings>
#include <QUrl>

namespace confab::ui {

namespace {
const QString kGroup = QStringLiteral("trustedCertificates/");
}  // namespace

QString TrustedCertificates::serverKey(const QUrl &server) {
    return QStringLiteral("%1:%2").arg(server.host().toLower()).arg(server.port(443));
}

QByteArray TrustedCertificates::pem(const QUrl &server) const {
    return settings_.value(kGroup + serverKey(server)).toByteArray();
}

void TrustedCertificates::trust(const QUrl &server, const QByteArray &pem) {
    settings_.setValue(kGroup + serverKey(server), pem);
    settings_.sync();
}

void TrustedCertificates::forget(const QUrl &server) {
    settings_.remove(kGroup + serverKey(server));
    settings_.sync();
}

}  // namespace confab::ui
