// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "AppIcon.h"
#include "CallSettings.h"
#include "CallWindow.h"
#include "CertificateTrustDialog.h"
#include "ContactsPage.h"
#include "DesktopNotifier.h"
#include "EmbeddedService.h"
#include "IncomingCallDialog.h"
#include "KeychainCredentialStore.h"
#include "RingTone.h"
#include "ScreenSaverInhibitor.h"
#include "SettingsDialog.h"
#include "SignInPage.h"
#include "TrustedCertificates.h"
#include "UiLogging.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QToolButton>
#include <QVBoxLayout>

namespace confab::ui {

namespace {

// A name for a first start on the embedded server: the login name, which is unique on this computer.
QString defaultName() {
    const QString user = qEnvironmentVariable("USER").trimmed();
    return user.isEmpty() || user == QLatin1StringView("root") ? QStringLiteral("me") : user;
}

bool isActive(CallState state) {
    return state == CallState::Calling || state == CallState::Ringing || state == CallState::Connecting ||
           state == CallState::Connected;
}

}  // namespace

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent),
      options_(std::move(options)),
      account_(AccountSettings::load(*options_.settings)),
      controller_(new CallController(&signaling_, options_.call, this)),
      recentCalls_(new RecentCalls(
          options_.recentCallsPath.isEmpty() ? RecentCalls::defaultPath() : options_.recentCallsPath, this)),
      pages_(new QStackedWidget(this)),
      signInPage_(new SignInPage(pages_)),
      contactsPage_(new ContactsPage(pages_)),
      // Before any call: the call page installs its video sinks into the controller's settings.
      callPage_(new CallWindow(controller_, pages_)),
      incoming_(new IncomingCallDialog(this)),
      ringTone_(new RingTone(options_.ringSink, this)),
      notifier_(new DesktopNotifier(this)),
      screenSaver_(new ScreenSaverInhibitor(this)),
      credentials_(options_.credentials ? options_.credentials : new KeychainCredentialStore(this)) {
    setWindowIcon(AppIcon::icon());
    pages_->addWidget(signInPage_);
    pages_->addWidget(contactsPage_);
    pages_->addWidget(callPage_);
    connect(pages_, &QStackedWidget::currentChanged, this, &MainWindow::updateNoticeBanner);
    // What a call lacks (no camera, no microphone) stays in sight for the whole call.
    noticeBanner_ = new QLabel(this);
    noticeBanner_->setTextFormat(Qt::PlainText);
    noticeBanner_->setWordWrap(true);
    noticeBanner_->setAccessibleName(tr("Call notices"));
    noticeBanner_->setStyleSheet(
        QStringLiteral("QLabel { background: #fff4ce; color: #4d3800; border: 1px solid #e8d18a; "
                       "border-radius: 4px; padding: 6px; }"));
    noticeBanner_->hide();
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(noticeBanner_);
    centralLayout->addWidget(pages_, 1);
    setCentralWidget(central);
    resize(900, 620);

    buildMenus();
    buildStatusBar();
    buildTray();
    updateTitle();

    signInPage_->setValues(account_.serverUrl, account_.name.isEmpty() ? defaultName() : account_.name,
                           account_.autoSignIn);
    signInPage_->setRemember(account_.rememberSecrets);
    contactsPage_->setRecentCalls(recentCalls_->entries());

    connect(signInPage_, &SignInPage::signInRequested, this, &MainWindow::signInFromPage);
    connect(signInPage_, &SignInPage::cancelRequested, this, &MainWindow::cancelSignIn);
    connect(contactsPage_, &ContactsPage::callRequested, this, &MainWindow::placeCall);
    connect(recentCalls_, &RecentCalls::changed, this, [this] {
        contactsPage_->setRecentCalls(recentCalls_->entries());
        updateTitle();
    });

    connect(&signaling_, &SignalingClient::stateChanged, this, &MainWindow::signalingStateChanged);
    connect(&signaling_, &SignalingClient::loggedIn, this, &MainWindow::loggedIn);
    connect(&signaling_, &SignalingClient::loginRefused, this, &MainWindow::loginRefused);
    connect(&signaling_, &SignalingClient::untrustedCertificate, this, &MainWindow::untrustedCertificate);
    connect(credentials_, &CredentialStore::readFinished, this, &MainWindow::secretsRead);
    connect(credentials_, &CredentialStore::writeFinished, this, &MainWindow::secretsWritten);
    connect(&signaling_, &SignalingClient::usersChanged, this, [this](const QStringList &users) {
        contactsPage_->setUsers(users, signaling_.name());
        // On the embedded server, say what the echo contact is for.
        const bool echo =
            embedded_ && account_.serverUrl.isEmpty() && users.contains(EmbeddedService::echoName());
        contactsPage_->setHint(
            echo ? tr("Call echo to see and hear yourself: it sends back what it receives.") : QString());
    });

    connect(controller_, &CallController::stateChanged, this, &MainWindow::callStateChanged);
    connect(controller_, &CallController::incomingCall, this, &MainWindow::incomingCall);
    connect(controller_, &CallController::ended, this, &MainWindow::callEnded);
    // What is missing (no camera, no microphone) and other notices: said in the status bar too.
    connect(controller_, &CallController::notice, this, &MainWindow::addNotice);

    connect(incoming_, &IncomingCallDialog::acceptedWithVideo, this, [this] { acceptIncoming(true); });
    connect(incoming_, &IncomingCallDialog::acceptedAudioOnly, this, [this] { acceptIncoming(false); });
    connect(incoming_, &IncomingCallDialog::declined, this, &MainWindow::declineIncoming);
    connect(notifier_, &DesktopNotifier::acceptRequested, this, [this] {
        incoming_->hide();
        acceptIncoming(true);
    });
    connect(notifier_, &DesktopNotifier::declineRequested, this, [this] {
        incoming_->hide();
        declineIncoming();
    });

    connect(callPage_, &CallWindow::fullScreenRequested, this, [this](bool on) {
        if (on) {
            wasMaximized_ = isMaximized();
            menuBar()->hide();
            statusBar()->hide();
            showFullScreen();
        } else {
            menuBar()->show();
            statusBar()->show();
            wasMaximized_ ? showMaximized() : showNormal();
        }
    });
    pages_->setCurrentWidget(signInPage_);
}

MainWindow::~MainWindow() {
    // The pages are deleted after our members: their page changes must not reach us then.
    disconnect(pages_, nullptr, this, nullptr);
    // Hang up before the pages and the client go: the peer hears a proper leave.
    controller_->hangUp();
    signaling_.disconnectFromServer();
    signaling_.disconnect();
    // The client is a member and dies before this QObject's children: delete what uses it first,
    // the call page before the controller it shows.
    delete centralWidget();
    delete controller_;
    delete embedded_;
}

void MainWindow::buildMenus() {
    QMenu *app = menuBar()->addMenu(tr("&Confab"));
    QAction *find = app->addAction(tr("&Find or Call Someone…"), this, [this] {
        if (pages_->currentWidget() == contactsPage_) {
            contactsPage_->filterField()->setFocus();
            contactsPage_->filterField()->selectAll();
        }
    });
    find->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));

    QMenu *dnd = app->addMenu(tr("&Do Not Disturb"));
    doNotDisturbToggle_ = dnd->addAction(tr("Do not disturb"));
    doNotDisturbToggle_->setCheckable(true);
    doNotDisturbToggle_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    dnd->addSeparator();
    doNotDisturbActions_ = new QActionGroup(this);
    QAction *silence = dnd->addAction(tr("&Silence incoming calls"));
    QAction *decline = dnd->addAction(tr("D&ecline incoming calls"));
    for (QAction *action : {silence, decline}) {
        action->setCheckable(true);
        doNotDisturbActions_->addAction(action);
    }
    silence->setData(int(AccountSettings::DoNotDisturbAction::Silence));
    decline->setData(int(AccountSettings::DoNotDisturbAction::Decline));
    (account_.doNotDisturbAction == AccountSettings::DoNotDisturbAction::Decline ? decline : silence)
        ->setChecked(true);
    doNotDisturbToggle_->setChecked(account_.doNotDisturb);
    connect(doNotDisturbToggle_, &QAction::toggled, this,
            [this](bool on) { setDoNotDisturb(on, account_.doNotDisturbAction); });
    connect(doNotDisturbActions_, &QActionGroup::triggered, this, [this](QAction *action) {
        setDoNotDisturb(account_.doNotDisturb, AccountSettings::DoNotDisturbAction(action->data().toInt()));
    });

    QAction *settings = app->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    // Ctrl+, as in most desktop apps (QKeySequence::Preferences is empty on some platforms).
    settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    app->addSeparator();
    app->addAction(tr("Sign &Out"), this, &MainWindow::signOut);
    QAction *quit = app->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::buildStatusBar() {
    connectionLabel_ = new QLabel(this);
    connectionLabel_->setTextFormat(Qt::PlainText);
    connectionLabel_->setAccessibleName(tr("Connection"));
    doNotDisturbButton_ = new QToolButton(this);
    doNotDisturbButton_->setDefaultAction(doNotDisturbToggle_);
    doNotDisturbButton_->setAutoRaise(true);
    doNotDisturbButton_->setAccessibleName(tr("Do not disturb"));
    doNotDisturbButton_->setFocusPolicy(Qt::TabFocus);
    statusBar()->addPermanentWidget(doNotDisturbButton_);
    statusBar()->addPermanentWidget(connectionLabel_);
    connectionLabel_->setText(SignalingClient::describe(signaling_.state()));
}

void MainWindow::buildTray() {
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        qCInfo(lcUi) << "no system tray: running without a tray icon";
        return;
    }
    tray_ = new QSystemTrayIcon(AppIcon::icon(), this);
    tray_->setToolTip(tr("Confab"));
    auto *menu = new QMenu(this);
    menu->addAction(tr("&Show Confab"), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    menu->addAction(doNotDisturbToggle_);
    menu->addSeparator();
    menu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    tray_->setContextMenu(menu);
    connect(tray_, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            showNormal();
            raise();
            activateWindow();
        }
    });
    tray_->show();
}

QString MainWindow::connectionText() const {
    return connectionLabel_->text();
}

QString MainWindow::noticeText() const {
    return notices_.join(QLatin1Char('\n'));
}

// The call page says what the call lacks itself; the banner is for the other pages.
void MainWindow::updateNoticeBanner() {
    noticeBanner_->setVisible(!notices_.isEmpty() && pages_->currentWidget() != callPage_);
}

void MainWindow::addNotice(const QString &sentence) {
    qCInfo(lcUi).noquote() << "call notice:" << sentence;
    if (!notices_.contains(sentence)) {
        notices_.append(sentence);
    }
    noticeBanner_->setText(notices_.join(QLatin1Char('\n')));
    updateNoticeBanner();
}

void MainWindow::openSettings() {
    auto *dialog = findChild<SettingsDialog *>();
    if (!dialog) {
        dialog = new SettingsDialog(options_.settings, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    dialog->open();
    dialog->raise();
}

void MainWindow::applyStoredCallSettings() {
    if (options_.useStoredCallSettings) {
        // Read at each call: what the Settings dialog saved takes effect from the next call.
        CallSettings::load(*options_.settings).applyTo(controller_->settings());
    }
}

void MainWindow::setDoNotDisturb(bool on, AccountSettings::DoNotDisturbAction action) {
    account_.doNotDisturb = on;
    account_.doNotDisturbAction = action;
    account_.save(*options_.settings);
    const QSignalBlocker block(doNotDisturbToggle_);
    doNotDisturbToggle_->setChecked(on);
    for (QAction *a : doNotDisturbActions_->actions()) {
        a->setChecked(AccountSettings::DoNotDisturbAction(a->data().toInt()) == action);
    }
    doNotDisturbToggle_->setText(!on ? tr("Do not disturb")
                                 : action == AccountSettings::DoNotDisturbAction::Decline
                                     ? tr("Do not disturb: declining calls")
                                     : tr("Do not disturb: silencing calls"));
    if (on && controller_->state() == CallState::Ringing && current_ &&
        current_->direction == RecentCall::Direction::Incoming) {
        stopAlerting();  // switched on while it rings: quiet now
        incoming_->setSilenced(true);
    }
}

void MainWindow::start(const LaunchRequest &request) {
    pendingCall_ = request.call;
    const QString server = request.server.isEmpty() ? account_.serverUrl : request.server.toString();
    const QString name = !request.name.isEmpty()    ? request.name
                         : !account_.name.isEmpty() ? account_.name
                                                    : defaultName();
    // Asked for on the command line, remembered, or a first start (on the embedded server).
    const bool automatic =
        !request.server.isEmpty() || !request.name.isEmpty() || account_.autoSignIn || !account_.remembered;
    signInPage_->setValues(server, name, account_.autoSignIn);
    if (automatic && account_.rememberSecrets && !server.isEmpty()) {
        // The password and token come from the keyring, which may first ask to be unlocked.
        readingSecretsFor_ = CredentialStore::keyFor(server, name);
        signInPage_->setBusy(true, tr("Reading your password and token from the keyring…"));
        credentials_->read(readingSecretsFor_);
    } else if (automatic) {
        signIn(server, name, account_.autoSignIn);
    } else {
        signInPage_->nameField()->setFocus();
    }
}

void MainWindow::handle(const LaunchRequest &request) {
    showNormal();
    raise();
    activateWindow();
    const bool otherAccount = (!request.server.isEmpty() && request.server != signaling_.url()) ||
                              (!request.name.isEmpty() && request.name != signaling_.name());
    if (otherAccount) {
        if (isActive(controller_->state())) {
            showMessage(tr("Finish the call before signing in elsewhere."));
            return;
        }
        signaling_.disconnectFromServer();
        start(request);
        return;
    }
    if (request.call.isEmpty()) {
        return;
    }
    if (signaling_.state() == SignalingClient::State::LoggedIn) {
        placeCall(request.call);
    } else {
        pendingCall_ = request.call;  // placed once signed in
    }
}

void MainWindow::signInFromPage() {
    signIn(signInPage_->serverUrl(), signInPage_->name(), signInPage_->autoSignIn());
}

void MainWindow::signIn(const QString &serverUrl, const QString &name, bool autoSignIn) {
    account_.serverUrl = serverUrl;
    account_.name = name;
    account_.autoSignIn = autoSignIn;
    wasRememberingSecrets_ = account_.rememberSecrets;
    account_.rememberSecrets = signInPage_->remember();
    account_.save(*options_.settings);
    readingSecretsFor_.clear();

    QUrl url(serverUrl);
    if (serverUrl.isEmpty()) {
        if (!embedded_) {
            embedded_ = new EmbeddedService(options_.embeddedPort, this);
            connect(embedded_, &EmbeddedService::echoStopped, this,
                    [this](const QString &sentence) { showMessage(sentence, 0); });
        }
        embedded_->start();
        url = embedded_->url();
    }
    everLoggedIn_ = false;
    signInPage_->showError({});
    signInPage_->setBusy(true, serverUrl.isEmpty() ? tr("Signing in on this computer as %1…").arg(name)
                                                   : tr("Connecting to %1…").arg(url.toString()));
    pages_->setCurrentWidget(signInPage_);
    qCInfo(lcUi).noquote() << "signing in to" << url.toString() << "as" << name;
    signaling_.setPassword(signInPage_->password());
    signaling_.setToken(signInPage_->token());
    // The certificate the user trusted for this server, if any; others are verified as usual.
    signaling_.setTrustedCertificate(url.scheme() == QLatin1StringView("wss")
                                         ? TrustedCertificates(*options_.settings).pem(url)
                                         : QByteArray());
    signaling_.connectToServer(url, name);
}

void MainWindow::cancelSignIn() {
    readingSecretsFor_.clear();
    signaling_.disconnectFromServer();
    signInPage_->setBusy(false);
    pendingCall_.clear();
}

void MainWindow::signOut() {
    controller_->hangUp();
    signaling_.disconnectFromServer();
    // Signing out on purpose means: do not sign in again by yourself next time.
    account_.autoSignIn = false;
    account_.save(*options_.settings);
    signInPage_->setValues(account_.serverUrl, account_.name, false);
    signInPage_->setBusy(false);
    contactsPage_->setUsers({}, {});
    pages_->setCurrentWidget(signInPage_);
    updateTitle();
}

void MainWindow::signalingStateChanged(SignalingClient::State state, const QString &reason) {
    QString text = SignalingClient::describe(state);
    if (state == SignalingClient::State::LoggedIn) {
        text = tr("Online as %1").arg(signaling_.name());
    }
    connectionLabel_->setText(text);
    contactsPage_->setOnline(state == SignalingClient::State::LoggedIn);

    switch (state) {
        case SignalingClient::State::Reconnecting:
            if (!everLoggedIn_) {
                // Not reachable (yet): say why on the sign-in page, and that we keep trying.
                QString sentence = tr("%1\nTrying again…").arg(reason);
                if (embedded_ && !embedded_->runsServer()) {
                    sentence =
                        tr("Port %1 on this computer is taken by a program that is not a Confab server. %2")
                            .arg(embedded_->url().port())
                            .arg(sentence);
                }
                signInPage_->showError(sentence);
                qCWarning(lcUi).noquote() << "sign-in: server not reachable:" << reason;
            } else {
                showMessage(tr("Connection to the server lost: %1 Reconnecting…").arg(reason), 0);
                qCWarning(lcUi).noquote() << "connection lost:" << reason;
            }
            // The Confab whose embedded server we joined has quit: run it here, same address.
            if (embedded_ && account_.serverUrl.isEmpty() && embedded_->takeOver()) {
                qCInfo(lcUi) << "took over the embedded server on this computer";
            }
            break;
        case SignalingClient::State::Disconnected:
            if (!reason.isEmpty()) {
                qCWarning(lcUi).noquote() << "signed out:" << reason;
                signInPage_->showError(reason);
                signInPage_->setBusy(false);
                pages_->setCurrentWidget(signInPage_);
            }
            break;
        case SignalingClient::State::LoggedIn:
        case SignalingClient::State::Connecting:
        case SignalingClient::State::LoggingIn:
            break;
    }
}

void MainWindow::loggedIn(const QString &name) {
    const bool again = everLoggedIn_;
    everLoggedIn_ = true;
    signInPage_->setBusy(false);
    signInPage_->showError({});
    contactsPage_->setSignedInAs(
        name, account_.serverUrl.isEmpty() ? tr("this computer") : signaling_.url().toString());
    if (again) {
        showMessage(tr("Reconnected."), 5000);
    } else {
        statusBar()->clearMessage();
        rememberSecrets();  // only credentials the server accepted are worth keeping
    }
    if (!isActive(controller_->state())) {
        pages_->setCurrentWidget(contactsPage_);
        contactsPage_->filterField()->setFocus();
        if (isActiveWindow()) {
            recentCalls_->markAllSeen();
        }
    }
    updateTitle();
    if (!pendingCall_.isEmpty()) {
        const QString peer = pendingCall_;
        pendingCall_.clear();
        placeCall(peer);
    }
}

void MainWindow::loginRefused(protocol::ErrorCode code, const QString &message) {
    qCWarning(lcUi).noquote() << "sign-in refused:" << message;
    signInPage_->setBusy(false);
    pages_->setCurrentWidget(signInPage_);
    QLineEdit *fix = signInPage_->nameField();
    if (code == protocol::ErrorCode::AuthRequired) {
        signInPage_->showError(tr("This server asks for a password or a server token: %1").arg(message));
        fix = signInPage_->passwordField();
    } else if (code == protocol::ErrorCode::AuthFailed) {
        signInPage_->showError(tr("The server did not accept the password or token: %1").arg(message));
        fix = signInPage_->passwordField();
    } else {
        signInPage_->showError(tr("The server refused the name: %1 Choose another name.").arg(message));
    }
    fix->setFocus();
    fix->selectAll();
}

CertificateTrustDialog *MainWindow::certificateDialog() const {
    return certificateDialog_.data();
}

void MainWindow::untrustedCertificate(const ServerCertificate &certificate, bool replacesTrusted) {
    // SignalingClient has stopped and said why (on the sign-in page); now the user decides.
    const QUrl server = signaling_.url();
    const QString trustedFingerprint =
        replacesTrusted ? ServerCertificate::fingerprintOfPem(signaling_.trustedCertificate()) : QString();
    if (certificateDialog_) {
        certificateDialog_->close();
    }
    certificateDialog_ = new CertificateTrustDialog(server, certificate, trustedFingerprint, this);
    certificateDialog_->setAttribute(Qt::WA_DeleteOnClose);
    connect(certificateDialog_, &CertificateTrustDialog::trustRequested, this, [this, server, certificate] {
        qCInfo(lcUi).noquote() << "trusting the certificate" << certificate.sha256Fingerprint << "for"
                               << TrustedCertificates::serverKey(server);
        TrustedCertificates(*options_.settings).trust(server, certificate.pem);
        signIn(account_.serverUrl, account_.name, account_.autoSignIn);
    });
    connect(certificateDialog_, &CertificateTrustDialog::forgetRequested, this, [this, server] {
        qCWarning(lcUi).noquote() << "forgetting the trusted certificate for"
                                  << TrustedCertificates::serverKey(server);
        TrustedCertificates(*options_.settings).forget(server);
        signInPage_->showError(
            tr("The old certificate of %1 is forgotten. Sign in again to see the new one and "
               "decide whether to trust it.")
                .arg(server.toString()));
    });
    certificateDialog_->open();
}

void MainWindow::secretsRead(const QString &key, CredentialStore::Status status,
                             const CredentialStore::Secrets &secrets, const QString &detail) {
    if (key != readingSecretsFor_) {
        return;  // cancelled, or signed in by hand meanwhile
    }
    readingSecretsFor_.clear();
    signInPage_->setBusy(false);
    switch (status) {
        case CredentialStore::Status::Ok:
            signInPage_->setSecrets(secrets.password, secrets.token);
            [[fallthrough]];
        case CredentialStore::Status::NotFound:  // remembered, but there was nothing to remember
            signIn(signInPage_->serverUrl(), signInPage_->name(), account_.autoSignIn);
            return;
        case CredentialStore::Status::NoKeyring:
        case CredentialStore::Status::Failed:
            break;
    }
    qCWarning(lcUi).noquote() << "cannot read the saved password and token:" << detail;
    signInPage_->showError(
        tr("%1 Type your password or token and sign in.")
            .arg(status == CredentialStore::Status::NoKeyring
                     ? tr("Your saved password and token cannot be read: there is no keyring "
                          "on this computer now.")
                     : CredentialStore::describe(status, detail)));
    signInPage_->passwordField()->setFocus();
}

void MainWindow::rememberSecrets() {
    if (account_.serverUrl.isEmpty()) {
        return;  // this computer's own server asks for neither
    }
    const QString key = CredentialStore::keyFor(account_.serverUrl, account_.name);
    CredentialStore::Secrets secrets{signInPage_->password(), signInPage_->token()};
    if (!account_.rememberSecrets) {
        secrets = {};  // unticked: whatever was remembered for this account goes
    }
    // Someone who never ticked "Remember" never has their keyring touched (opening one may start a
    // daemon or ask to unlock it).
    if (secrets.isEmpty() && !account_.rememberSecrets && !wasRememberingSecrets_) {
        return;
    }
    storingSecretsFor_ = secrets.isEmpty() ? QString() : key;
    credentials_->write(key, secrets);
}

void MainWindow::secretsWritten(const QString &key, CredentialStore::Status status, const QString &detail) {
    if (key != storingSecretsFor_ || status == CredentialStore::Status::Ok) {
        storingSecretsFor_.clear();
        return;  // stored; or a removal, which failing leaves nothing worse than before (logged)
    }
    storingSecretsFor_.clear();
    const QString sentence = CredentialStore::describe(status, detail);
    qCWarning(lcUi).noquote() << "password and token not stored:" << detail;
    if (status == CredentialStore::Status::NoKeyring) {
        // Nothing can be remembered here: do not promise it on the next start either.
        account_.rememberSecrets = false;
        account_.save(*options_.settings);
        signInPage_->setRemember(false);
    }
    showMessage(sentence, 0);
}

void MainWindow::placeCall(const QString &peer) {
    if (peer == signaling_.name()) {
        showMessage(tr("You cannot call yourself."));
        return;
    }
    if (isActive(controller_->state())) {
        showMessage(tr("You are already in a call with %1.").arg(controller_->peer()));
        return;
    }
    current_ =
        CurrentCall{peer, RecentCall::Direction::Outgoing, QDateTime::currentDateTime(), {}, true, false};
    applyStoredCallSettings();
    QString error;
    if (!controller_->call(peer, &error)) {
        current_.reset();
        qCWarning(lcUi).noquote() << "could not call" << peer << ":" << error;
        showMessage(error.isEmpty() ? tr("Could not call %1.").arg(peer) : error);
        return;
    }
    contactsPage_->filterField()->clear();
}

void MainWindow::callStateChanged(CallState state, const QString &peer) {
    Q_UNUSED(peer);
    screenSaver_->inhibit(isActive(controller_->state()) && controller_->state() != CallState::Ringing,
                          tr("In a call"));
    switch (state) {
        case CallState::Calling:
        case CallState::Connecting:
            pages_->setCurrentWidget(callPage_);
            break;
        case CallState::Ringing:
            // Outgoing: the callee's phone rings. Incoming: incomingCall() follows and decides.
            if (current_ && current_->direction == RecentCall::Direction::Outgoing) {
                pages_->setCurrentWidget(callPage_);
            }
            break;
        case CallState::Connected:
            if (current_) {
                current_->connectedAt = QDateTime::currentDateTime();
            }
            pages_->setCurrentWidget(callPage_);
            break;
        case CallState::Ended:
            break;
        case CallState::Idle:
            stopAlerting();
            incoming_->hide();
            notices_.clear();
            updateNoticeBanner();
            if (isFullScreen()) {
                menuBar()->show();
                statusBar()->show();
                wasMaximized_ ? showMaximized() : showNormal();
            }
            showHomePage();
            break;
    }
    updateTitle();
}

void MainWindow::incomingCall(const QString &peer) {
    current_ =
        CurrentCall{peer, RecentCall::Direction::Incoming, QDateTime::currentDateTime(), {}, false, false};
    if (account_.doNotDisturb &&
        account_.doNotDisturbAction == AccountSettings::DoNotDisturbAction::Decline) {
        qCInfo(lcUi).noquote() << "do not disturb: declining the call from" << peer;
        current_->declinedByDoNotDisturb = true;
        controller_->decline();
        return;
    }
    const bool silenced = account_.doNotDisturb;
    incoming_->setCaller(peer);
    incoming_->setSilenced(silenced);
    incoming_->show();
    incoming_->raise();
    if (!silenced) {
        ringTone_->start();
        if (!isActiveWindow()) {
            notifier_->showIncomingCall(peer);
        }
        QApplication::alert(this);
    }
    if (tray_) {
        tray_->setToolTip(tr("%1 is calling you").arg(peer));
    }
}

void MainWindow::acceptIncoming(bool withVideo) {
    stopAlerting();
    if (controller_->state() != CallState::Ringing) {
        return;  // the caller gave up a moment ago
    }
    applyStoredCallSettings();
    if (!withVideo) {
        videoBeforeAudioOnly_ = controller_->settings().media.video;
        controller_->settings().media.video = VideoSourceKind::None;
    }
    if (current_) {
        current_->accepted = true;
    }
    QString error;
    if (!controller_->accept(&error)) {
        qCWarning(lcUi).noquote() << "could not accept the call:" << error;
        showMessage(tr("Could not answer the call: %1").arg(error));
    }
    showNormal();
    raise();
    activateWindow();
}

void MainWindow::declineIncoming() {
    stopAlerting();
    if (controller_->state() == CallState::Ringing) {
        controller_->decline();
    }
}

void MainWindow::callEnded(CallEndReason reason, const QString &sentence) {
    qCInfo(lcUi).noquote() << "call ended:" << sentence;
    if (videoBeforeAudioOnly_) {
        controller_->settings().media.video = *videoBeforeAudioOnly_;
        videoBeforeAudioOnly_.reset();
    }
    if (current_) {
        RecentCall call;
        call.peer = current_->peer;
        call.startedAt = current_->startedAt;
        call.direction = current_->direction;
        const bool connected = current_->connectedAt.isValid();
        if (connected) {
            call.outcome = RecentCall::Outcome::Answered;
            call.durationSeconds = int(current_->connectedAt.secsTo(QDateTime::currentDateTime()));
        } else if (call.direction == RecentCall::Direction::Incoming) {
            if (current_->declinedByDoNotDisturb) {
                call.outcome = RecentCall::Outcome::Missed;
            } else if (reason == CallEndReason::DeclinedByUs) {
                call.outcome = RecentCall::Outcome::Declined;
            } else {
                call.outcome = current_->accepted ? RecentCall::Outcome::Failed : RecentCall::Outcome::Missed;
            }
        } else {
            call.outcome = reason == CallEndReason::Declined ? RecentCall::Outcome::Declined
                                                             : RecentCall::Outcome::Failed;
        }
        recentCalls_->add(call);
        current_.reset();
    }
    showMessage(sentence);
    if (tray_) {
        tray_->setToolTip(tr("Confab"));
    }
}

void MainWindow::stopAlerting() {
    ringTone_->stop();
    notifier_->closeIncomingCall();
}

void MainWindow::showHomePage() {
    if (signaling_.state() == SignalingClient::State::LoggedIn || everLoggedIn_) {
        pages_->setCurrentWidget(contactsPage_);
    } else {
        pages_->setCurrentWidget(signInPage_);
    }
    if (pages_->currentWidget() == contactsPage_ && isActiveWindow()) {
        recentCalls_->markAllSeen();
    }
}

void MainWindow::showMessage(const QString &sentence, int timeoutMs) {
    statusBar()->showMessage(sentence, timeoutMs);
}

void MainWindow::updateTitle() {
    const QString name = signaling_.name();
    if (isActive(controller_->state())) {
        setWindowTitle(tr("%1 — Confab").arg(controller_->peer()));
    } else if (signaling_.state() == SignalingClient::State::LoggedIn && !name.isEmpty()) {
        setWindowTitle(tr("Confab — %1").arg(name));
    } else {
        setWindowTitle(tr("Confab"));
    }
    // Missed calls not yet seen on the contacts page: in the title and the tray, as a taskbar shows.
    const int missed = recentCalls_->unseenMissedCount();
    if (missed > 0 && !isActive(controller_->state())) {
        setWindowTitle(tr("%1 (%n missed)", nullptr, missed).arg(windowTitle()));
    }
    if (tray_ && !isActive(controller_->state())) {
        tray_->setToolTip(missed > 0 ? tr("Confab: %n missed call(s)", nullptr, missed) : tr("Confab"));
    }
}

void MainWindow::closeEvent(QCloseEvent *event) {
    controller_->hangUp();
    event->accept();
}

void MainWindow::changeEvent(QEvent *event) {
    if (event->type() == QEvent::ActivationChange && isActiveWindow() &&
        pages_->currentWidget() == contactsPage_) {
        recentCalls_->markAllSeen();
    }
    QMainWindow::changeEvent(event);
}

}  // namespace confab::ui
