// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

class QSettings;
class QUrl;

namespace confab::ui {

// The wss:// certificates the user chose to trust, one per server (host and port), kept in the
// app's QSettings under trustedCertificates/ as PEM. Not secret: a certificate is public. Reads
// and writes `settings`, which must outlive it.
class TrustedCertificates {
public:
    explicit TrustedCertificates(QSettings &settings) : settings_(settings) {}

    // The certificate trusted for `server`'s host and port; empty when none.
    QByteArray pem(const QUrl &server) const;
    void trust(const QUrl &server, const QByteArray &pem);
    void forget(const QUrl &server);

    // "host:port" (443 when a wss:// address names none): a certificate belongs to an address,
    // not to a path on it.
    static QString serverKey(const QUrl &server);

private:
    QSettings &settings_;
};

}  // namespace confab::ui
