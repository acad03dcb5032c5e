// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "AboutDialog.h"
#include "AppIcon.h"
#include "CallFlow.h"
#include "CallSettings.h"
#include "CallWindow.h"
#include "CertificateTrustDialog.h"
#include "ContactsPage.h"
#include "EmbeddedService.h"
#include "IncomingCallDialog.h"
#include "KeychainCredentialStore.h"
#include "RecentCalls.h"
#include "SettingsDialog.h"
#include "SignInFlow.h"
#include "SignInPage.h"
#include "TrayIcon.h"
#include "UiLogging.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace confab::ui {

namespace {

// A name for a first start on the embedded server: the login name, which is unique on this computer.
QString defaultName() {
    const QString user = qEnvironmentVariable("USER").trimmed();
    return user.isEmpty() || user == QLatin1StringView("root") ? QStringLiteral("me") : user;
}

QString dataDirOf(const QString &given) {
    return given.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : given;
}

}  // namespace

QString MainWindow::historyPath(const QString &dataDir, const QString &accountId) {
    return QStringLiteral("%1/accounts/%2/recent-calls.json").arg(dataDirOf(dataDir), accountId);
}

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent),
      options_(std::move(options)),
      account_(AccountSettings::load(*options_.settings)),
      controller_(new CallController(&signaling_, options_.call, this)),
      flow_(nullptr),
      pages_(new QStackedWidget(this)),
      signInPage_(new SignInPage(pages_)),
      contactsPage_(new ContactsPage(pages_)),
      // Before any call: the call page installs its video sinks into the controller's settings.
      callPage_(new CallWindow(controller_, pages_)),
      incoming_(new IncomingCallDialog(this)),
      credentials_(options_.credentials ? options_.credentials : new KeychainCredentialStore(this)) {
    CallFlow::Options flowOptions;
    flowOptions.ringSink = options_.ringSink;
    if (options_.useStoredCallSettings) {
        // Read at each call: what the Settings dialog saved takes effect from the next call.
        flowOptions.prepareCall = [settings = options_.settings](CallController::Settings &call) {
            CallSettings::load(*settings).applyTo(call);
        };
    }
    flow_ = new CallFlow(&signaling_, controller_, flowOptions, this);
    flow_->setUserPresent(false);  // until the window is active
    if (account_.remembered) {
        legacyHistoryAccount_ = account_.id();
    }

    setWindowIcon(AppIcon::icon());
    pages_->setObjectName(QStringLiteral("pages"));
    pages_->addWidget(signInPage_);
    pages_->addWidget(contactsPage_);
    pages_->addWidget(callPage_);
    connect(pages_, &QStackedWidget::currentChanged, this, &MainWindow::updateNoticeBanner);
    // What a call lacks (no camera, no microphone) stays in sight for the whole call.
    noticeBanner_ = new QLabel(this);
    noticeBanner_->setObjectName(QStringLiteral("noticeBanner"));
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
    resize(1000, 680);

    buildMenus();
    buildStatusBar();
    if (TrayIcon::isAvailable()) {
        tray_ = new TrayIcon(doNotDisturbToggle_, this);
        connect(tray_, &TrayIcon::showRequested, this, &MainWindow::showWindow);
        connect(tray_, &TrayIcon::quitRequested, this, [this] { quit(); });
        // Closing the window leaves the app in the tray: only Quit ends it.
        QApplication::setQuitOnLastWindowClosed(false);
    } else {
        qCInfo(lcUi) << "no system tray: closing the window quits";
    }
    setDoNotDisturb(account_.doNotDisturb, account_.doNotDisturbAction);

    signInPage_->setValues(account_.serverUrl, account_.name.isEmpty() ? defaultName() : account_.name,
                           account_.autoSignIn);
    signInPage_->setRemember(account_.rememberSecrets);
    openHistory();
    updateTitle();

    connect(contactsPage_, &ContactsPage::callRequested, this, &MainWindow::placeCall);

    connect(&signaling_, &SignalingClient::stateChanged, this, [this](SignalingClient::State state) {
        updateConnectionText();
        contactsPage_->setOnline(state == SignalingClient::State::LoggedIn);
    });
    // After the connection text: the page and status line then say why the state changed.
    SignInFlow::Options signInOptions;
    signInOptions.settings = options_.settings;
    signInOptions.embeddedPort = options_.embeddedPort;
    signIn_ = new SignInFlow(&signaling_, credentials_, &account_, signInOptions, this);
    connectSignInFlow();
    connect(&signaling_, &SignalingClient::usersChanged, this, [this](const QStringList &users) {
        contactsPage_->setUsers(users, signaling_.name());
        // On the embedded server, say what the echo contact is for.
        const bool echo = signIn_->onEmbeddedServer() && users.contains(EmbeddedService::echoName());
        contactsPage_->setHint(
            echo ? tr("Call echo to see and hear yourself: it sends back what it receives.") : QString());
    });

    connect(controller_, &CallController::stateChanged, this,
            [this](CallState state) { callStateChanged(state); });
    // What is missing (no camera, no microphone) and other notices: said in the status bar too.
    connect(controller_, &CallController::notice, this, &MainWindow::addNotice);

    connect(flow_, &CallFlow::incomingCall, this, &MainWindow::showIncomingCall);
    connect(flow_, &CallFlow::incomingCallSilenced, incoming_, [this] { incoming_->setSilenced(true); });
    connect(flow_, &CallFlow::incomingCallGone, this, [this] {
        incoming_->hide();
        if (tray_) {
            tray_->setCaller({});
        }
    });
    connect(flow_, &CallFlow::answeredElsewhere, this, &MainWindow::showWindow);
    connect(flow_, &CallFlow::callFinished, this, [this](const QString &sentence) { showMessage(sentence); });
    connect(flow_, &CallFlow::message, this, [this](const QString &sentence) { showMessage(sentence); });
    connect(incoming_, &IncomingCallDialog::acceptedWithVideo, this, [this] {
        flow_->accept(true);
        showWindow();
    });
    connect(incoming_, &IncomingCallDialog::acceptedAudioOnly, this, [this] {
        flow_->accept(false);
        showWindow();
    });
    connect(incoming_, &IncomingCallDialog::declined, flow_, &CallFlow::decline);
    connect(callPage_, &CallWindow::fullScreenRequested, this, &MainWindow::setFullScreen);
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
    delete flow_;
    delete controller_;
    delete signIn_;  // and the embedded server with it
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
    doNotDisturbToggle_->setObjectName(QStringLiteral("doNotDisturbAction"));
    doNotDisturbToggle_->setCheckable(true);
    doNotDisturbToggle_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    dnd->addSeparator();
    doNotDisturbActions_ = new QActionGroup(this);
    QAction *silence = dnd->addAction(tr("&Silence incoming calls"));
    QAction *decline = dnd->addAction(tr("D&ecline incoming calls"));
    silence->setObjectName(QStringLiteral("doNotDisturbSilences"));
    decline->setObjectName(QStringLiteral("doNotDisturbDeclines"));
    for (QAction *action : {silence, decline}) {
        action->setCheckable(true);
        doNotDisturbActions_->addAction(action);
    }
    silence->setData(int(AccountSettings::DoNotDisturbAction::Silence));
    decline->setData(int(AccountSettings::DoNotDisturbAction::Decline));
    connect(doNotDisturbToggle_, &QAction::toggled, this,
            [this](bool on) { setDoNotDisturb(on, account_.doNotDisturbAction); });
    connect(doNotDisturbActions_, &QActionGroup::triggered, this, [this](QAction *action) {
        setDoNotDisturb(account_.doNotDisturb, AccountSettings::DoNotDisturbAction(action->data().toInt()));
    });

    QAction *settings = app->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    // Ctrl+, as in most desktop apps (QKeySequence::Preferences is empty on some platforms).
    settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    app->addSeparator();
    app->addAction(tr("Sign &Out"), this, &MainWindow::signOut)
        ->setObjectName(QStringLiteral("signOutAction"));
    QAction *close = app->addAction(tr("&Close Window"), this, &QWidget::close);
    close->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    QAction *quitAction = app->addAction(tr("&Quit"), this, [this] { quit(); });
    quitAction->setShortcut(QKeySequence::Quit);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Confab"), this, &MainWindow::openAbout);
}

void MainWindow::buildStatusBar() {
    connectionLabel_ = new QLabel(this);
    connectionLabel_->setObjectName(QStringLiteral("connection"));
    connectionLabel_->setTextFormat(Qt::PlainText);
    connectionLabel_->setAccessibleName(tr("Connection"));
    doNotDisturbButton_ = new QToolButton(this);
    doNotDisturbButton_->setObjectName(QStringLiteral("doNotDisturbButton"));
    doNotDisturbButton_->setDefaultAction(doNotDisturbToggle_);
    doNotDisturbButton_->setAutoRaise(true);
    doNotDisturbButton_->setAccessibleName(tr("Do not disturb"));
    doNotDisturbButton_->setAccessibleDescription(
        tr("Silences or declines incoming calls, as chosen in the Do Not Disturb menu (Ctrl+D)."));
    doNotDisturbButton_->setFocusPolicy(Qt::TabFocus);
    statusBar()->addPermanentWidget(doNotDisturbButton_);
    statusBar()->addPermanentWidget(connectionLabel_);
    updateConnectionText();
}

void MainWindow::updateConnectionText() {
    const SignalingClient::State state = signaling_.state();
    QString text = SignalingClient::describe(state);
    if (state == SignalingClient::State::LoggedIn) {
        // Presence as others are told it: do not disturb is not "online" for calls.
        text = account_.doNotDisturb ? tr("Do not disturb · signed in as %1").arg(signaling_.name())
                                     : tr("Online as %1").arg(signaling_.name());
    }
    connectionLabel_->setText(text);
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

void MainWindow::openAbout() {
    auto *dialog = findChild<AboutDialog *>();
    if (!dialog) {
        dialog = new AboutDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    dialog->open();
    dialog->raise();
}

void MainWindow::setDoNotDisturb(bool on, AccountSettings::DoNotDisturbAction action) {
    account_.doNotDisturb = on;
    account_.doNotDisturbAction = action;
    if (!account_.name.isEmpty()) {
        account_.save(*options_.settings);
    }
    const QSignalBlocker block(doNotDisturbToggle_);
    doNotDisturbToggle_->setChecked(on);
    for (QAction *a : doNotDisturbActions_->actions()) {
        a->setChecked(AccountSettings::DoNotDisturbAction(a->data().toInt()) == action);
    }
    doNotDisturbToggle_->setText(!on ? tr("Do not disturb")
                                 : action == AccountSettings::DoNotDisturbAction::Decline
                                     ? tr("Do not disturb: declining calls")
                                     : tr("Do not disturb: silencing calls"));
    flow_->setDoNotDisturb(on, action);
    updateConnectionText();
}

void MainWindow::ask(const QString &objectName, const QString &title, const QString &text,
                     const QString &yesText, const QString &noText, std::function<void()> yes) {
    // One question of a kind at a time: a newer one replaces it.
    if (auto *old = findChild<QMessageBox *>(objectName)) {
        old->deleteLater();
        old->setObjectName({});
    }
    auto *box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::NoButton, this);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);  // names come from the network and the command line
    QPushButton *yesButton = box->addButton(yesText, QMessageBox::AcceptRole);
    yesButton->setObjectName(QStringLiteral("yes"));
    QPushButton *noButton = box->addButton(noText, QMessageBox::RejectRole);
    noButton->setObjectName(QStringLiteral("no"));
    box->setDefaultButton(noButton);
    box->setEscapeButton(noButton);
    connect(box, &QMessageBox::buttonClicked, this, [yesButton, yes = std::move(yes)](QAbstractButton *b) {
        if (b == yesButton) {
            yes();
        }
    });
    box->open();
}

void MainWindow::start(const LaunchRequest &request) {
    pendingCall_ = request.call;
    pendingCallAsks_ = request.callFromLink;
    const QString server = request.server.isEmpty() ? account_.serverUrl : request.server.toString();
    const QString name = !request.name.isEmpty()    ? request.name
                         : !account_.name.isEmpty() ? account_.name
                                                    : defaultName();
    // Asked for on the command line, remembered, or a first start (on the embedded server).
    const bool automatic =
        !request.server.isEmpty() || !request.name.isEmpty() || account_.autoSignIn || !account_.remembered;
    account_.switchTo(*options_.settings, server, name);
    signInPage_->setValues(server, name, account_.autoSignIn);
    signInPage_->setRemember(account_.rememberSecrets);
    if (automatic) {
        SignInFlow::Form form = pageForm();
        form.serverUrl = server;  // as asked, not as the page would tidy it
        form.name = name;
        signIn_->signInRemembered(form);
    } else {
        signInPage_->nameField()->setFocus();
    }
}

void MainWindow::handle(const LaunchRequest &request) {
    showWindow();
    const bool signedInOrTrying = signaling_.state() != SignalingClient::State::Disconnected;
    const QUrl server = request.server.isEmpty() ? signaling_.url() : request.server;
    const QString name = request.name.isEmpty() ? signaling_.name() : request.name;
    const bool otherAccount = signedInOrTrying && (server != signaling_.url() || name != signaling_.name());
    if (otherAccount) {
        const QString current = signaling_.name();
        if (flow_->isInCall()) {
            showMessage(tr("You are in a call as %1: finish it before signing in as %2.").arg(current, name),
                        0);
            return;
        }
        // Another person's history and calls must not appear under this one's name unasked.
        ask(QStringLiteral("switchAccountQuestion"), tr("Sign in as %1?").arg(name),
            tr("Confab is signed in as %1. Sign out and sign in as %2 instead?").arg(current, name),
            tr("Sign in as %1").arg(name), tr("Stay %1").arg(current), [this, request] {
                if (flow_->isInCall()) {
                    return;
                }
                signaling_.disconnectFromServer();
                start(request);
            });
        return;
    }
    if (!signedInOrTrying && !request.isEmpty()) {
        start(request);
        return;
    }
    if (request.call.isEmpty()) {
        return;
    }
    if (signaling_.state() == SignalingClient::State::LoggedIn) {
        request.callFromLink ? askToCall(request.call) : placeCall(request.call);
    } else {
        pendingCall_ = request.call;  // placed once signed in
        pendingCallAsks_ = request.callFromLink;
    }
}

// A confab: link from a web page or another app does not dial by itself.
void MainWindow::askToCall(const QString &peer) {
    ask(QStringLiteral("callQuestion"), tr("Call %1?").arg(peer),
        tr("A link asks Confab to call %1. Call now?").arg(peer), tr("Call %1").arg(peer), tr("Cancel"),
        [this, peer] { placeCall(peer); });
}

SignInFlow::Form MainWindow::pageForm() const {
    return {signInPage_->serverUrl(),
            signInPage_->name(),
            signInPage_->autoSignIn(),
            signInPage_->remember(),
            {signInPage_->password(), signInPage_->token()}};
}

// The account's own history; the history file from before accounts had their own goes to the
// account that was signed in then.
void MainWindow::openHistory() {
    if (account_.name.isEmpty()) {
        return;
    }
    const QString path = historyPath(options_.dataDir, account_.id());
    if (history_ && history_->path() == path) {
        return;
    }
    const QString legacy = dataDirOf(options_.dataDir) + QStringLiteral("/recent-calls.json");
    if (account_.id() == legacyHistoryAccount_ && QFile::exists(legacy) && !QFile::exists(path)) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        if (QFile::rename(legacy, path)) {
            qCInfo(lcUi).noquote() << "the call history now belongs to" << account_.name << ":" << path;
        }
    }
    delete history_;
    history_ = new RecentCalls(path, this);
    flow_->setHistory(history_);
    const auto refresh = [this] {
        contactsPage_->setRecentCalls(history_->entries(), history_->unseenMissedCount());
        if (tray_) {
            tray_->setMissedCalls(history_->unseenMissedCount());
        }
        updateTitle();
    };
    connect(history_, &RecentCalls::changed, this, refresh);
    refresh();
}

void MainWindow::connectSignInFlow() {
    connect(signInPage_, &SignInPage::signInRequested, this, [this] { signIn_->signIn(pageForm()); });
    connect(signInPage_, &SignInPage::cancelRequested, this, [this] {
        signIn_->cancel();
        pendingCall_.clear();
    });
    connect(signIn_, &SignInFlow::accountSwitched, this, [this] {
        setDoNotDisturb(account_.doNotDisturb, account_.doNotDisturbAction);
        openHistory();
    });
    connect(signIn_, &SignInFlow::busy, signInPage_, &SignInPage::setBusy);
    connect(signIn_, &SignInFlow::error, signInPage_, &SignInPage::showError);
    connect(signIn_, &SignInFlow::signInPageNeeded, this, [this] { pages_->setCurrentWidget(signInPage_); });
    connect(signIn_, &SignInFlow::secretsRead, this, [this](const CredentialStore::Secrets &secrets) {
        signInPage_->setSecrets(secrets.password, secrets.token);
    });
    connect(signIn_, &SignInFlow::secretsUnreadable, this, [this](const QString &sentence) {
        signInPage_->showSecretFields(true);
        signInPage_->showError(sentence);
        signInPage_->passwordField()->setFocus();
    });
    connect(signIn_, &SignInFlow::signedIn, this, &MainWindow::signedIn);
    connect(signIn_, &SignInFlow::refused, this, [this](SignInFlow::Fix fix, const QString &sentence) {
        pages_->setCurrentWidget(signInPage_);
        QLineEdit *field = signInPage_->nameField();
        if (fix == SignInFlow::Fix::Secrets) {
            signInPage_->showSecretFields(true);
            field = signInPage_->passwordField();
        }
        signInPage_->showError(sentence);
        field->setFocus();
        field->selectAll();
    });
    connect(signIn_, &SignInFlow::rememberUnavailable, this, [this] { signInPage_->setRemember(false); });
    connect(signIn_, &SignInFlow::certificateDecisionNeeded, this, &MainWindow::askToTrust);
    connect(signIn_, &SignInFlow::message, this, &MainWindow::showMessage);
}

void MainWindow::signOut() {
    flow_->hangUp();
    signIn_->signOut();
    signInPage_->setValues(account_.serverUrl, account_.name, false);
    signInPage_->setBusy(false);
    contactsPage_->setUsers({}, {});
    pages_->setCurrentWidget(signInPage_);
    updateTitle();
}

void MainWindow::signedIn(const QString &name, bool again) {
    contactsPage_->setSignedInAs(
        name, account_.serverUrl.isEmpty() ? tr("this computer") : signaling_.url().toString());
    if (again) {
        showMessage(tr("Reconnected."), 5000);
    } else {
        statusBar()->clearMessage();
    }
    if (!flow_->isInCall()) {
        pages_->setCurrentWidget(contactsPage_);
        contactsPage_->filterField()->setFocus();
        if (isActiveWindow() && history_) {
            history_->markAllSeen();
        }
    }
    updateTitle();
    if (!pendingCall_.isEmpty()) {
        const QString peer = pendingCall_;
        pendingCall_.clear();
        pendingCallAsks_ ? askToCall(peer) : placeCall(peer);
    }
}

void MainWindow::askToTrust(const QUrl &server, const ServerCertificate &certificate,
                            const QString &trustedFingerprint) {
    if (certificateDialog_) {
        certificateDialog_->close();
    }
    certificateDialog_ = new CertificateTrustDialog(server, certificate, trustedFingerprint, this);
    certificateDialog_->setAttribute(Qt::WA_DeleteOnClose);
    connect(certificateDialog_, &CertificateTrustDialog::trustRequested, this,
            [this, server, certificate] { signIn_->trust(server, certificate, pageForm()); });
    connect(certificateDialog_, &CertificateTrustDialog::forgetRequested, this,
            [this, server] { signIn_->forget(server); });
    certificateDialog_->open();
}

void MainWindow::placeCall(const QString &peer) {
    QString error;
    if (!flow_->place(peer, &error)) {
        showMessage(error);
        return;
    }
    contactsPage_->filterField()->clear();
}

void MainWindow::callStateChanged(CallState state) {
    switch (state) {
        case CallState::Calling:
        case CallState::Connecting:
        case CallState::Connected:
            pages_->setCurrentWidget(callPage_);
            break;
        case CallState::Ringing:
            // Outgoing: the callee's phone rings. Incoming: the flow asks first.
            if (flow_->isOutgoing()) {
                pages_->setCurrentWidget(callPage_);
            }
            break;
        case CallState::Reconnecting:  // on the call page already
        case CallState::Ended:
            break;
        case CallState::Idle:
            notices_.clear();
            updateNoticeBanner();
            setFullScreen(false);
            showHomePage();
            break;
    }
    updateTitle();
}

void MainWindow::showIncomingCall(const QString &peer, bool silenced) {
    incoming_->setCaller(peer);
    incoming_->setSilenced(silenced);
    incoming_->show();
    incoming_->raise();
    if (!silenced) {
        QApplication::alert(this);
    }
    if (tray_) {
        tray_->setCaller(peer);
    }
}

void MainWindow::showHomePage() {
    if (signaling_.state() == SignalingClient::State::LoggedIn || signIn_->everSignedIn()) {
        pages_->setCurrentWidget(contactsPage_);
    } else {
        pages_->setCurrentWidget(signInPage_);
    }
    if (pages_->currentWidget() == contactsPage_ && isActiveWindow() && history_) {
        history_->markAllSeen();
    }
}

void MainWindow::showMessage(const QString &sentence, int timeoutMs) {
    statusBar()->showMessage(sentence, timeoutMs);
}

void MainWindow::showWindow() {
    if (isMinimized() || isHidden()) {
        showNormal();
    }
    raise();
    activateWindow();
}

void MainWindow::setFullScreen(bool on) {
    if (on == isFullScreen()) {
        return;
    }
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
}

void MainWindow::updateTitle() {
    const QString name = signaling_.name();
    const bool inCall = flow_->isInCall();
    if (inCall) {
        setWindowTitle(tr("%1 — Confab").arg(controller_->peer()));
    } else if (signaling_.state() == SignalingClient::State::LoggedIn && !name.isEmpty()) {
        setWindowTitle(tr("Confab — %1").arg(name));
    } else {
        setWindowTitle(tr("Confab"));
    }
    // Missed calls not yet seen on the contacts page: in the title, as a taskbar shows; the same
    // count as the history's heading.
    const int missed = history_ ? history_->unseenMissedCount() : 0;
    if (missed > 0 && !inCall) {
        setWindowTitle(tr("%1 (%n missed)", nullptr, missed).arg(windowTitle()));
    }
}

void MainWindow::quit(bool askFirst) {
    if (askFirst && flow_->isInCall()) {
        ask(QStringLiteral("endCallQuestion"), tr("End the call?"),
            tr("Quitting Confab ends your call with %1.").arg(flow_->peer()), tr("End call and quit"),
            tr("Keep calling"), [this] { quit(false); });
        return;
    }
    quitting_ = true;
    flow_->hangUp();
    QApplication::quit();
}

void MainWindow::closeEvent(QCloseEvent *event) {
    if (quitting_) {
        event->accept();
        return;
    }
    if (flow_->isInCall()) {
        // Closing a window is easy to do by accident; ending a call should not be.
        event->ignore();
        ask(QStringLiteral("endCallQuestion"), tr("End the call?"),
            tr("Closing the window ends your call with %1.").arg(flow_->peer()), tr("End call"),
            tr("Keep calling"), [this] {
                flow_->hangUp();
                close();
            });
        return;
    }
    if (tray_) {
        // Calls still reach the user; Quit (menu, tray) is the way to go offline.
        event->ignore();
        hide();
        tray_->sayStillRunning();
        return;
    }
    event->accept();
}

void MainWindow::changeEvent(QEvent *event) {
    if (event->type() == QEvent::ActivationChange) {
        flow_->setUserPresent(isActiveWindow());
        if (isActiveWindow() && pages_->currentWidget() == contactsPage_ && history_) {
            history_->markAllSeen();
        }
    }
    QMainWindow::changeEvent(event);
}

}  // namespace confab::ui
