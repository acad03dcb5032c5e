// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <gio/gio.h>

namespace confab {

// What a person needs to decide whether to trust a wss:// server's certificate that the system
// does not: the certificate itself (PEM, to pin it), its SHA-256 fingerprint (to compare with
// what the server's operator publishes), who it names, who signed it, when it is valid and what
// the TLS library found wrong with it. A value; SignalingClient hands one out when it refuses a
// certificate.
struct ServerCertificate {
    QByteArray pem;
    QString sha256Fingerprint;  // "AB:CD:…", 32 bytes in upper-case hex, over the DER encoding
    QString subject;            // distinguished names as GnuTLS prints them ("CN=example.org")
    QString issuer;
    QDateTime notBefore;  // invalid when unknown
    QDateTime notAfter;
    QStringList problems;  // sentences, one per verification error; empty when none were given

    // From the certificate a TLS handshake presented and the errors it was verified with.
    static ServerCertificate fromTls(GTlsCertificate *certificate, GTlsCertificateFlags errors);
    // The SHA-256 fingerprint of the first certificate in `pem`; empty when it is not one.
    static QString fingerprintOfPem(const QByteArray &pem);
    // "AB:CD:…" for `bytes`.
    static QString formatFingerprint(const QByteArray &bytes);
    // A SHA-256 fingerprint a person typed or pasted, in the "AB:CD:…" form this class prints (as
    // the desktop app's trust dialog and `openssl x509 -fingerprint -sha256` show it; lower case
    // and without the colons are accepted too), in that form; empty when it is not 32 bytes of hex.
    static QString normalizeFingerprint(const QString &text);
};

}  // namespace confab

Q_DECLARE_METATYPE(confab::ServerCertificate)
