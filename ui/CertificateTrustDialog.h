// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "signaling/ServerCertificate.h"

#include <QDialog>
#include <QUrl>

class QLabel;
class QPushButton;

namespace confab::ui {

// Asks whether to trust a wss:// server's certificate that this computer does not trust, showing
// what a person can check with the server's operator: the SHA-256 fingerprint, who it is for, who
// signed it, its validity and what is wrong with it. "Don't connect" is the default button, so
// Enter never trusts by accident. When the server already has a trusted certificate and now shows
// another, the dialog is a warning with no way to trust from it: only "Don't connect" and "Forget
// the old certificate" (after which signing in asks afresh). Shown with open() by the main window,
// which deletes it on close.
class CertificateTrustDialog : public QDialog {
    Q_OBJECT
public:
    // `trustedFingerprint`: the fingerprint trusted so far for this server; empty when none.
    CertificateTrustDialog(const QUrl &server, const ServerCertificate &certificate,
                           const QString &trustedFingerprint, QWidget *parent = nullptr);

    QUrl server() const { return server_; }
    const ServerCertificate &certificate() const { return certificate_; }
    bool replacesTrusted() const { return replacesTrusted_; }

Q_SIGNALS:
    // The user chose to trust this certificate for this server (the dialog is accepted).
    void trustRequested();
    // The server's certificate changed and the user wants to forget the old one (dialog rejected).
    void forgetRequested();

private:
    QUrl server_;
    ServerCertificate certificate_;
    bool replacesTrusted_;
};

}  // namespace confab::ui
