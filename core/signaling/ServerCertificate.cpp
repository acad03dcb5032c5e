// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/ServerCertificate.h"

#include "util/GLibPtr.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QRegularExpression>

namespace confab {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("confab", text);
}

// Both take ownership of what GLib handed out.
QDateTime takeDateTime(GDateTime *time) {
    g_autoptr(GDateTime) owned = time;
    return owned ? QDateTime::fromSecsSinceEpoch(g_date_time_to_unix(owned), Qt::UTC) : QDateTime();
}

QString takeString(gchar *text) {
    g_autofree gchar *owned = text;
    return QString::fromUtf8(owned);
}

// GTlsCertificateFlags, one sentence each, in the order a person would fix them.
QStringList describe(GTlsCertificateFlags errors) {
    QStringList problems;
    if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA) {
        problems << tr(
            "It is not signed by an authority this computer trusts (for example, it is self-signed).");
    }
    if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY) {
        problems << tr("It is not made out to the address you are connecting to.");
    }
    if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED) {
        problems << tr("It is not valid yet.");
    }
    if (errors & G_TLS_CERTIFICATE_EXPIRED) {
        problems << tr("It has expired.");
    }
    if (errors & G_TLS_CERTIFICATE_REVOKED) {
        problems << tr("It has been revoked.");
    }
    if (errors & G_TLS_CERTIFICATE_INSECURE) {
        problems << tr("It uses an insecure algorithm.");
    }
    if (errors & G_TLS_CERTIFICATE_GENERIC_ERROR) {
        problems << tr("It could not be verified.");
    }
    return problems;
}

}  // namespace

QString ServerCertificate::formatFingerprint(const QByteArray &bytes) {
    return QString::fromLatin1(bytes.toHex(':').toUpper());
}

QString ServerCertificate::normalizeFingerprint(const QString &text) {
    static const QRegularExpression withColons(QStringLiteral("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}$"));
    static const QRegularExpression plain(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    const QString trimmed = text.trimmed();
    if (!withColons.match(trimmed).hasMatch() && !plain.match(trimmed).hasMatch()) {
        return {};
    }
    QString hex = trimmed;
    return formatFingerprint(QByteArray::fromHex(hex.remove(QLatin1Char(':')).toLatin1()));
}

ServerCertificate ServerCertificate::fromTls(GTlsCertificate *certificate, GTlsCertificateFlags errors) {
    ServerCertificate result;
    result.problems = describe(errors);
    if (!certificate) {
        return result;
    }
    g_autofree gchar *pem = nullptr;
    g_autoptr(GByteArray) der = nullptr;
    g_object_get(certificate, "certificate-pem", &pem, "certificate", &der, nullptr);
    result.pem = QByteArray(pem ? pem : "");
    if (der) {
        result.sha256Fingerprint = formatFingerprint(QCryptographicHash::hash(
            QByteArrayView(reinterpret_cast<const char *>(der->data), der->len), QCryptographicHash::Sha256));
    }
    result.subject = takeString(g_tls_certificate_get_subject_name(certificate));
    result.issuer = takeString(g_tls_certificate_get_issuer_name(certificate));
    result.notBefore = takeDateTime(g_tls_certificate_get_not_valid_before(certificate));
    result.notAfter = takeDateTime(g_tls_certificate_get_not_valid_after(certificate));
    return result;
}

QString ServerCertificate::fingerprintOfPem(const QByteArray &pem) {
    if (pem.isEmpty()) {
        return {};
    }
    GErrorPtr error;
    GObjectPtr<GTlsCertificate> certificate(
        g_tls_certificate_new_from_pem(pem.constData(), pem.size(), out(error)));
    return certificate ? fromTls(certificate.get(), GTlsCertificateFlags(0)).sha256Fingerprint : QString();
}

}  // namespace confab
