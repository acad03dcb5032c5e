// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AccountSettings.h"
#include "CredentialStore.h"
#include "LaunchRequest.h"
#include "SignInFlow.h"
#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QMainWindow>
#include <QPointer>

#include <functional>

class QActionGroup;
class QLabel;
class QSettings;
class QStackedWidget;
class QToolButton;

namespace confab::ui {

class CallFlow;
class CallWindow;
class CertificateTrustDialog;
class ContactsPage;
class IncomingCallDialog;
class RecentCalls;
class SignInPage;
class TrayIcon;

// The app's one window: a page stack (sign in / contacts / the call), a status bar with the
// connection state and a do-not-disturb switch, menus, the incoming-call dialog and the tray icon.
// It shows what the SignInFlow (keyring, certificate trust) and the CallFlow (ringing,
// notifications, do-not-disturb, history) announce. Closing it keeps the app running in the tray
// where there is one, and asks first during a call; Quit is explicit. Owns the SignalingClient,
// the CallController, both flows and the signed-in account's history. main() owns the window.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        QSettings *settings = nullptr;  // required, not owned: server/, account/ and accounts/ keys
        // Where each account's call history is kept; empty: QStandardPaths::AppDataLocation.
        QString dataDir;
        CallController::Settings call;  // what calls send (camera and microphone by default)
        quint16 embeddedPort = 8443;    // 0: any free port (tests)
        QString ringSink = QStringLiteral("autoaudiosink");
        // Each call uses what the Settings dialog stored (media/, ice/: devices, size, STUN/TURN).
        // Off: calls use `call` as given (tests send test patterns).
        bool useStoredCallSettings = false;
        // Where "Remember password and token" keeps them; not owned. Null: the desktop keyring
        // (KeychainCredentialStore), owned by the window.
        CredentialStore *credentials = nullptr;
    };

    explicit MainWindow(Options options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The launch's request (this process's command line): signs in as remembered or asked.
    void start(const LaunchRequest &request);
    // A later launch's request, handed over by SingleInstance: a call, or another account (asked).
    void handle(const LaunchRequest &request);
    // Quit: asks first during a call (unless `ask` is false, as for a termination signal), then
    // hangs up and leaves the event loop.
    void quit(bool ask = true);

    // Where an account's call history is kept under `dataDir`.
    static QString historyPath(const QString &dataDir, const QString &accountId);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void connectSignInFlow();
    SignInFlow::Form pageForm() const;
    void signOut();
    void signedIn(const QString &name, bool again);
    void askToTrust(const QUrl &server, const ServerCertificate &certificate,
                    const QString &trustedFingerprint);
    void openHistory();
    void placeCall(const QString &peer);
    void askToCall(const QString &peer);
    void callStateChanged(CallState state);
    void showIncomingCall(const QString &peer, bool silenced);
    void showHomePage();
    void showMessage(const QString &sentence, int timeoutMs = 10000);
    void showWindow();
    void setFullScreen(bool on);
    void updateTitle();
    void updateConnectionText();
    void addNotice(const QString &sentence);
    void updateNoticeBanner();
    void openSettings();
    void openAbout();
    void setDoNotDisturb(bool on, AccountSettings::DoNotDisturbAction action);
    // A yes/no question as a window-modal box; `yes` runs if the user agrees.
    void ask(const QString &objectName, const QString &title, const QString &text, const QString &yesText,
             const QString &noText, std::function<void()> yes);

    Options options_;
    AccountSettings account_;
    SignalingClient signaling_;
    CallController *controller_;
    CallFlow *flow_;
    RecentCalls *history_ = nullptr;  // the signed-in account's
    QStackedWidget *pages_;
    SignInPage *signInPage_;
    ContactsPage *contactsPage_;
    CallWindow *callPage_;
    IncomingCallDialog *incoming_;
    CredentialStore *credentials_;
    SignInFlow *signIn_ = nullptr;
    TrayIcon *tray_ = nullptr;
    QPointer<CertificateTrustDialog> certificateDialog_;
    QLabel *connectionLabel_ = nullptr;
    QLabel *noticeBanner_ = nullptr;
    QStringList notices_;
    QToolButton *doNotDisturbButton_ = nullptr;
    QActionGroup *doNotDisturbActions_ = nullptr;
    QAction *doNotDisturbToggle_ = nullptr;

    QString pendingCall_;           // --call PEER or a confab: link, placed once signed in
    bool pendingCallAsks_ = false;  // it came from a link: ask before calling
    bool wasMaximized_ = false;
    bool quitting_ = false;         // quit() is closing the window: no tray, no question
    QString legacyHistoryAccount_;  // the account the pre-account history file belongs to
};

}  // namespace confab::ui
