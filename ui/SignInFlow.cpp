// SPDX-License-Identifier: GPL-3.0-or-later
#include "SignInFlow.h"

#include "EmbeddedService.h"
#include "TrustedCertificates.h"
#include "UiLogging.h"

#include <QSettings>

namespace confab::ui {

SignInFlow::SignInFlow(SignalingClient *signaling, CredentialStore *credentials, AccountSettings *account,
                       Options options, QObject *parent)
    : QObject(parent),
      signaling_(signaling),
      credentials_(credentials),
      account_(account),
      options_(std::move(options)) {
    connect(signaling_, &SignalingClient::stateChanged, this, &SignInFlow::stateChanged);
    connect(signaling_, &SignalingClient::loggedIn, this, &SignInFlow::loggedIn);
    connect(signaling_, &SignalingClient::loginRefused, this, &SignInFlow::loginRefused);
    connect(signaling_, &SignalingClient::untrustedCertificate, this, &SignInFlow::untrustedCertificate);
    connect(credentials_, &CredentialStore::readFinished, this, &SignInFlow::secretsReadFinished);
    connect(credentials_, &CredentialStore::writeFinished, this, &SignInFlow::secretsWritten);
}

SignInFlow::~SignInFlow() = default;

bool SignInFlow::onEmbeddedServer() const {
    return embedded_ && account_->serverUrl.isEmpty();
}

void SignInFlow::signInRemembered(const Form &form) {
    if (!account_->rememberSecrets || form.serverUrl.isEmpty()) {
        signIn(form);
        return;
    }
    // The password and token come from the keyring, which may first ask to be unlocked.
    pending_ = form;
    readingSecretsFor_ = CredentialStore::keyFor(form.serverUrl, form.name);
    Q_EMIT busy(true, tr("Reading your password and token from the keyring…"));
    credentials_->read(readingSecretsFor_);
}

void SignInFlow::signIn(const Form &form) {
    account_->switchTo(*options_.settings, form.serverUrl, form.name);
    account_->autoSignIn = form.autoSignIn;
    wasRememberingSecrets_ = account_->rememberSecrets;
    account_->rememberSecrets = form.remember;
    account_->save(*options_.settings);
    Q_EMIT accountSwitched();
    readingSecretsFor_.clear();
    secrets_ = form.secrets;

    QUrl url(form.serverUrl);
    if (form.serverUrl.isEmpty()) {
        if (!embedded_) {
            embedded_ = new EmbeddedService(options_.embeddedPort, this);
            connect(embedded_, &EmbeddedService::echoStopped, this,
                    [this](const QString &sentence) { Q_EMIT message(sentence, 0); });
        }
        embedded_->start();
        url = embedded_->url();
    }
    everSignedIn_ = false;
    Q_EMIT error({});
    Q_EMIT busy(true, form.serverUrl.isEmpty() ? tr("Signing in on this computer as %1…").arg(form.name)
                                               : tr("Connecting to %1…").arg(url.toString()));
    Q_EMIT signInPageNeeded();
    qCInfo(lcUi).noquote() << "signing in to" << url.toString() << "as" << form.name;
    signaling_->setPassword(form.secrets.password);
    signaling_->setToken(form.secrets.token);
    // The certificate the user trusted for this server, if any; others are verified as usual.
    signaling_->setTrustedCertificate(url.scheme() == QLatin1StringView("wss")
                                          ? TrustedCertificates(*options_.settings).pem(url)
                                          : QByteArray());
    signaling_->connectToServer(url, form.name);
}

void SignInFlow::cancel() {
    readingSecretsFor_.clear();
    signaling_->disconnectFromServer();
    Q_EMIT busy(false, {});
}

void SignInFlow::signOut() {
    signaling_->disconnectFromServer();
    account_->autoSignIn = false;
    account_->save(*options_.settings);
}

void SignInFlow::trust(const QUrl &server, const ServerCertificate &certificate, const Form &page) {
    qCInfo(lcUi).noquote() << "trusting the certificate" << certificate.sha256Fingerprint << "for"
                           << TrustedCertificates::serverKey(server);
    TrustedCertificates(*options_.settings).trust(server, certificate.pem);
    signIn({account_->serverUrl, account_->name, account_->autoSignIn, page.remember, page.secrets});
}

void SignInFlow::forget(const QUrl &server) {
    qCWarning(lcUi).noquote() << "forgetting the trusted certificate for"
                              << TrustedCertificates::serverKey(server);
    TrustedCertificates(*options_.settings).forget(server);
    Q_EMIT error(tr("The old certificate of %1 is forgotten. Sign in again to see the new one and "
                    "decide whether to trust it.")
                     .arg(server.toString()));
}

void SignInFlow::stateChanged(SignalingClient::State state, const QString &reason) {
    switch (state) {
        case SignalingClient::State::Reconnecting:
            if (!everSignedIn_) {
                // Not reachable (yet): say why on the sign-in page, and that we keep trying.
                QString sentence = tr("%1\nTrying again…").arg(reason);
                if (embedded_ && !embedded_->runsServer()) {
                    sentence =
                        tr("Port %1 on this computer is taken by a program that is not a Confab server. %2")
                            .arg(embedded_->url().port())
                            .arg(sentence);
                }
                Q_EMIT error(sentence);
                qCWarning(lcUi).noquote() << "sign-in: server not reachable:" << reason;
            } else {
                Q_EMIT message(tr("Connection to the server lost: %1 Reconnecting…").arg(reason), 0);
                qCWarning(lcUi).noquote() << "connection lost:" << reason;
            }
            // The Confab whose embedded server we joined has quit: run it here, same address.
            if (onEmbeddedServer() && embedded_->takeOver()) {
                qCInfo(lcUi) << "took over the embedded server on this computer";
            }
            break;
        case SignalingClient::State::Disconnected:
            if (!reason.isEmpty()) {
                qCWarning(lcUi).noquote() << "signed out:" << reason;
                Q_EMIT error(reason);
                Q_EMIT busy(false, {});
                Q_EMIT signInPageNeeded();
            }
            break;
        case SignalingClient::State::LoggedIn:
        case SignalingClient::State::Connecting:
        case SignalingClient::State::LoggingIn:
            break;
    }
}

void SignInFlow::loggedIn(const QString &name) {
    const bool again = everSignedIn_;
    everSignedIn_ = true;
    Q_EMIT busy(false, {});
    Q_EMIT error({});
    Q_EMIT signedIn(name, again);
    if (!again) {
        rememberSecrets();  // only credentials the server accepted are worth keeping
    }
}

void SignInFlow::loginRefused(protocol::ErrorCode code, const QString &message) {
    qCWarning(lcUi).noquote() << "sign-in refused:" << message;
    Q_EMIT busy(false, {});
    if (code == protocol::ErrorCode::AuthRequired) {
        Q_EMIT refused(Fix::Secrets,
                       tr("This server asks for a password or a server token: %1").arg(message));
    } else if (code == protocol::ErrorCode::AuthFailed) {
        Q_EMIT refused(Fix::Secrets, tr("The server did not accept the password or token: %1").arg(message));
    } else {
        Q_EMIT refused(Fix::Name, tr("The server refused the name: %1 Choose another name.").arg(message));
    }
}

void SignInFlow::untrustedCertificate(const ServerCertificate &certificate, bool replacesTrusted) {
    // SignalingClient has stopped and said why (on the sign-in page); now the user decides.
    const QString trustedFingerprint =
        replacesTrusted ? ServerCertificate::fingerprintOfPem(signaling_->trustedCertificate()) : QString();
    Q_EMIT certificateDecisionNeeded(signaling_->url(), certificate, trustedFingerprint);
}

void SignInFlow::secretsReadFinished(const QString &key, CredentialStore::Status status,
                                     const CredentialStore::Secrets &secrets, const QString &detail) {
    if (key != readingSecretsFor_) {
        return;  // cancelled, or signed in by hand meanwhile
    }
    readingSecretsFor_.clear();
    Q_EMIT busy(false, {});
    switch (status) {
        case CredentialStore::Status::Ok:
            pending_.secrets = secrets;
            Q_EMIT secretsRead(secrets);
            [[fallthrough]];
        case CredentialStore::Status::NotFound: {  // remembered, but there was nothing to remember
            Form form = pending_;
            form.autoSignIn = account_->autoSignIn;  // signing out meanwhile turned it off
            signIn(form);
            return;
        }
        case CredentialStore::Status::NoKeyring:
        case CredentialStore::Status::Failed:
            break;
    }
    qCWarning(lcUi).noquote() << "cannot read the saved password and token:" << detail;
    Q_EMIT secretsUnreadable(
        tr("%1 Type your password or token and sign in.")
            .arg(status == CredentialStore::Status::NoKeyring
                     ? tr("Your saved password and token cannot be read: there is no keyring "
                          "on this computer now.")
                     : CredentialStore::describe(status, detail)));
}

void SignInFlow::rememberSecrets() {
    if (account_->serverUrl.isEmpty()) {
        return;  // this computer's own server asks for neither
    }
    const QString key = CredentialStore::keyFor(account_->serverUrl, account_->name);
    CredentialStore::Secrets secrets = secrets_;
    if (!account_->rememberSecrets) {
        secrets = {};  // unticked: whatever was remembered for this account goes
    }
    // Someone who never ticked "Remember" never has their keyring touched (opening one may start a
    // daemon or ask to unlock it).
    if (secrets.isEmpty() && !account_->rememberSecrets && !wasRememberingSecrets_) {
        return;
    }
    storingSecretsFor_ = secrets.isEmpty() ? QString() : key;
    credentials_->write(key, secrets);
}

void SignInFlow::secretsWritten(const QString &key, CredentialStore::Status status, const QString &detail) {
    if (key != storingSecretsFor_ || status == CredentialStore::Status::Ok) {
        storingSecretsFor_.clear();
        return;  // stored; or a removal, which failing leaves nothing worse than before (logged)
    }
    storingSecretsFor_.clear();
    const QString sentence = CredentialStore::describe(status, detail);
    qCWarning(lcUi).noquote() << "password and token not stored:" << detail;
    if (status == CredentialStore::Status::NoKeyring) {
        // Nothing can be remembered here: do not promise it on the next start either.
        account_->rememberSecrets = false;
        account_->save(*options_.settings);
        Q_EMIT rememberUnavailable();
    }
    Q_EMIT message(sentence, 0);
}

}  // namespace confab::ui
