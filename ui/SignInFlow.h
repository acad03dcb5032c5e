// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AccountSettings.h"
#include "CredentialStore.h"
#include "signaling/SignalingClient.h"

#include <QObject>

class QSettings;

namespace confab::ui {

class EmbeddedService;

// Signing in, without a window: an account's sign-in on a server or on this computer's embedded
// one (started, or taken over when the Confab that ran it quits), its password and token from and
// to the keyring, what a refusal, an unreachable server or a lost connection means for the user,
// and the pinning of a certificate the user chose to trust. The window keeps the sign-in page and
// the dialogs: it hands over what the page holds and shows what this announces. Owned by the main
// window; `signaling`, `credentials` and `account` must outlive it.
class SignInFlow : public QObject {
    Q_OBJECT
public:
    struct Options {
        QSettings *settings = nullptr;  // required, not owned: the account's keys, trusted certificates
        quint16 embeddedPort = 8443;    // 0: any free port (tests)
    };

    // What the sign-in page holds.
    struct Form {
        QString serverUrl;  // empty: this computer's embedded server
        QString name;
        bool autoSignIn = false;
        bool remember = false;  // keep the password and token in the keyring once the server took them
        CredentialStore::Secrets secrets;
    };

    // Which field of the sign-in page the user has to change after a refusal.
    enum class Fix { Name, Secrets };
    Q_ENUM(Fix)

    // `account` is the window's: signing in switches to it and saves it.
    SignInFlow(SignalingClient *signaling, CredentialStore *credentials, AccountSettings *account,
               Options options, QObject *parent = nullptr);
    ~SignInFlow() override;

    void signIn(const Form &form);
    // As signIn(), but an account that remembers its secrets takes them from the keyring first.
    // Whether it does is read from `account`, which must already be the form's account
    // (AccountSettings::switchTo, as the window does when it starts).
    void signInRemembered(const Form &form);
    void cancel();
    // Also means: do not sign in by yourself at the next start.
    void signOut();

    // The user's answers to certificateDecisionNeeded(). Trusting signs in again at once, with the
    // secrets and "Remember" of `page` (what the sign-in page holds now).
    void trust(const QUrl &server, const ServerCertificate &certificate, const Form &page);
    void forget(const QUrl &server);

    // This sign-in reached the server at least once (later losses are reconnections).
    bool everSignedIn() const { return everSignedIn_; }
    // Signed in (or signing in) on this computer's own server.
    bool onEmbeddedServer() const;

Q_SIGNALS:
    // `account` is now the one signing in: its do-not-disturb and history apply.
    void accountSwitched();
    void busy(bool on, const QString &status);
    // For the sign-in page; empty: nothing wrong (any earlier error goes).
    void error(const QString &sentence);
    // The sign-in page should be in front.
    void signInPageNeeded();
    void secretsRead(const confab::ui::CredentialStore::Secrets &secrets);
    // The keyring could not give the remembered secrets: the user has to type them.
    void secretsUnreadable(const QString &sentence);
    // `again`: a reconnection after a lost connection, not a new sign-in.
    void signedIn(const QString &name, bool again);
    void refused(confab::ui::SignInFlow::Fix fix, const QString &sentence);
    // Nothing can be remembered on this computer: "Remember" is off for good.
    void rememberUnavailable();
    void certificateDecisionNeeded(const QUrl &server, const confab::ServerCertificate &certificate,
                                   const QString &trustedFingerprint);
    // For the status line; `timeoutMs` 0: until replaced.
    void message(const QString &sentence, int timeoutMs);

private:
    void stateChanged(SignalingClient::State state, const QString &reason);
    void loggedIn(const QString &name);
    void loginRefused(protocol::ErrorCode code, const QString &message);
    void untrustedCertificate(const ServerCertificate &certificate, bool replacesTrusted);
    void secretsReadFinished(const QString &key, CredentialStore::Status status,
                             const CredentialStore::Secrets &secrets, const QString &detail);
    void secretsWritten(const QString &key, CredentialStore::Status status, const QString &detail);
    void rememberSecrets();

    SignalingClient *signaling_;
    CredentialStore *credentials_;
    AccountSettings *account_;
    Options options_;
    EmbeddedService *embedded_ = nullptr;
    Form pending_;                        // what signInRemembered() signs in with once the keyring answers
    CredentialStore::Secrets secrets_;    // this sign-in's, remembered once the server took them
    QString readingSecretsFor_;           // the keyring entry signInRemembered() waits for
    QString storingSecretsFor_;           // the keyring entry loggedIn() is storing
    bool wasRememberingSecrets_ = false;  // "Remember" was ticked before this sign-in
    bool everSignedIn_ = false;
};

}  // namespace confab::ui
