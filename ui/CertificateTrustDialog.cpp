// SPDX-License-Identifier: GPL-3.0-or-later
#include "CertificateTrustDialog.h"

#include "TrustedCertificates.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace confab::ui {

namespace {

QLabel *valueLabel(const QString &text, QWidget *parent) {
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);  // from the network
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

// 32 bytes in two lines of 16 (the first keeps its last colon), so it can be read out in halves.
QString fingerprintLines(const QString &fingerprint) {
    return fingerprint.size() > 48 ? fingerprint.left(48) + QLatin1Char('\n') + fingerprint.mid(48)
                                   : fingerprint;
}

}  // namespace

CertificateTrustDialog::CertificateTrustDialog(const QUrl &server, const ServerCertificate &certificate,
                                               const QString &trustedFingerprint, QWidget *parent)
    : QDialog(parent),
      server_(server),
      certificate_(certificate),
      replacesTrusted_(!trustedFingerprint.isEmpty()) {
    const QString address = server.toString();
    setWindowTitle(replacesTrusted_ ? tr("Server certificate changed") : tr("Trust this certificate?"));
    setAccessibleName(windowTitle());

    auto *icon = new QLabel(this);
    icon->setPixmap(
        style()
            ->standardIcon(replacesTrusted_ ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning)
            .pixmap(48, 48));
    auto *headline = new QLabel(this);
    headline->setTextFormat(Qt::PlainText);
    headline->setWordWrap(true);
    QFont bold = headline->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    headline->setFont(bold);
    auto *explanation = new QLabel(this);
    explanation->setTextFormat(Qt::PlainText);
    explanation->setWordWrap(true);
    if (replacesTrusted_) {
        headline->setText(tr("The certificate of %1 has changed. Confab did not connect.").arg(address));
        explanation->setText(tr(
            "You trusted a different certificate for this server before. Someone may be pretending to be "
            "the server to read your calls' signaling and sit in the middle of your calls. If the server's "
            "operator tells you they replaced the certificate, compare the new fingerprint below with "
            "theirs, then forget the old certificate and sign in again to decide about the new one."));
    } else {
        headline->setText(tr("This computer does not trust the certificate of %1.").arg(address));
        explanation->setText(
            tr("Servers with a self-signed certificate look like this; so does someone pretending to be the "
               "server. Ask the server's operator for its SHA-256 fingerprint and compare it with the one "
               "below. Trust it only if they are the same: Confab will then accept this certificate, and "
               "only "
               "this one, for %1.")
                .arg(TrustedCertificates::serverKey(server)));
    }
    headline->setObjectName(QStringLiteral("headline"));
    explanation->setObjectName(QStringLiteral("explanation"));

    auto *fingerprint = valueLabel(fingerprintLines(certificate.sha256Fingerprint), this);
    fingerprint->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    fingerprint->setObjectName(QStringLiteral("fingerprint"));
    fingerprint->setAccessibleName(tr("SHA-256 fingerprint"));
    const QLocale locale;
    const auto when = [&locale](const QDateTime &time) {
        return time.isValid() ? locale.toString(time.toLocalTime(), QLocale::LongFormat) : tr("not given");
    };
    auto *form = new QFormLayout;
    form->addRow(tr("SHA-256 fingerprint:"), fingerprint);
    if (replacesTrusted_) {
        auto *trusted = valueLabel(fingerprintLines(trustedFingerprint), this);
        trusted->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        trusted->setObjectName(QStringLiteral("trustedFingerprint"));
        form->addRow(tr("Trusted until now:"), trusted);
    }
    form->addRow(tr("Issued to:"), valueLabel(certificate.subject, this));
    form->addRow(tr("Issued by:"), valueLabel(certificate.issuer, this));
    form->addRow(tr("Valid from:"), valueLabel(when(certificate.notBefore), this));
    form->addRow(tr("Valid until:"), valueLabel(when(certificate.notAfter), this));
    if (!certificate.problems.isEmpty()) {
        auto *problems = valueLabel(certificate.problems.join(QLatin1Char('\n')), this);
        problems->setObjectName(QStringLiteral("problems"));
        form->addRow(tr("Problems:"), problems);
    }

    auto *buttons = new QDialogButtonBox(this);
    auto *refuse = buttons->addButton(tr("&Don't connect"), QDialogButtonBox::RejectRole);
    refuse->setObjectName(QStringLiteral("refuseButton"));
    refuse->setDefault(true);
    refuse->setAutoDefault(true);
    if (replacesTrusted_) {
        auto *forget =
            buttons->addButton(tr("&Forget the old certificate"), QDialogButtonBox::DestructiveRole);
        forget->setObjectName(QStringLiteral("forgetButton"));
        forget->setAutoDefault(false);
        connect(forget, &QPushButton::clicked, this, [this] {
            Q_EMIT forgetRequested();
            reject();
        });
    } else {
        auto *trust = buttons->addButton(tr("&Trust and connect"), QDialogButtonBox::AcceptRole);
        trust->setObjectName(QStringLiteral("trustButton"));
        trust->setAutoDefault(false);
        connect(trust, &QPushButton::clicked, this, [this] {
            Q_EMIT trustRequested();
            accept();
        });
    }
    connect(refuse, &QPushButton::clicked, this, &QDialog::reject);

    auto *top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    auto *text = new QVBoxLayout;
    text->addWidget(headline);
    text->addWidget(explanation);
    top->addLayout(text, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(form);
    layout->addWidget(buttons);
    setMinimumWidth(560);
    refuse->setFocus();
}

}  // namespace confab::ui
