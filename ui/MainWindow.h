// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AccountSettings.h"
#include "CredentialStore.h"
#include "LaunchRequest.h"
#include "RecentCalls.h"
#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QDateTime>
#include <QMainWindow>
#include <QPointer>

#include <optional>

class QActionGroup;
class QLabel;
class QSettings;
class QStackedWidget;
class QSystemTrayIcon;
class QToolButton;

namespace confab::ui {

class CallWindow;
class CertificateTrustDialog;
class ContactsPage;
class DesktopNotifier;
class EmbeddedService;
class IncomingCallDialog;
class RingTone;
class ScreenSaverInhibitor;
class SignInPage;

// The app's one window: a page stack (sign in / contacts / the call), a status bar with the
// connection state and a do-not-disturb switch, menus, the incoming-call dialog, ring tone, desktop
// notification, tray icon and screensaver inhibition. Owns the SignalingClient, the CallController
// and, with no server configured, the embedded server and echo contact. main() owns the window.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        QSettings *settings = nullptr;  // required, not owned: server/ and account/ keys
        QString recentCallsPath;        // empty: RecentCalls::defaultPath()
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
    // A later launch's request, handed over by SingleInstance.
    void handle(const LaunchRequest &request);

    // For tests and screenshots.
    SignalingClient *signaling() { return &signaling_; }
    CallController *controller() const { return controller_; }
    QStackedWidget *pages() const { return pages_; }
    SignInPage *signInPage() const { return signInPage_; }
    ContactsPage *contactsPage() const { return contactsPage_; }
    CallWindow *callPage() const { return callPage_; }
    IncomingCallDialog *incomingCallDialog() const { return incoming_; }
    RecentCalls *recentCalls() const { return recentCalls_; }
    EmbeddedService *embeddedService() const { return embedded_; }
    RingTone *ringTone() const { return ringTone_; }
    ScreenSaverInhibitor *screenSaver() const { return screenSaver_; }
    // The open "trust this certificate?" dialog, or null.
    CertificateTrustDialog *certificateDialog() const;
    QString connectionText() const;
    // What the current call lacks or works around (no camera, no microphone, …); empty without.
    QString noticeText() const;
    void openSettings();
    void setDoNotDisturb(bool on, AccountSettings::DoNotDisturbAction action);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void buildTray();
    void signIn(const QString &serverUrl, const QString &name, bool autoSignIn);
    void signInFromPage();
    void signOut();
    void cancelSignIn();
    void signalingStateChanged(SignalingClient::State state, const QString &reason);
    void loggedIn(const QString &name);
    void loginRefused(protocol::ErrorCode code, const QString &message);
    void untrustedCertificate(const ServerCertificate &certificate, bool replacesTrusted);
    void secretsRead(const QString &key, CredentialStore::Status status,
                     const CredentialStore::Secrets &secrets, const QString &detail);
    void secretsWritten(const QString &key, CredentialStore::Status status, const QString &detail);
    void rememberSecrets();
    void placeCall(const QString &peer);
    void callStateChanged(CallState state, const QString &peer);
    void incomingCall(const QString &peer);
    void acceptIncoming(bool withVideo);
    void declineIncoming();
    void callEnded(CallEndReason reason, const QString &sentence);
    void stopAlerting();
    void showHomePage();
    void showMessage(const QString &sentence, int timeoutMs = 10000);
    void updateTitle();
    void addNotice(const QString &sentence);
    void updateNoticeBanner();
    void applyStoredCallSettings();

    Options options_;
    AccountSettings account_;
    SignalingClient signaling_;
    CallController *controller_;
    RecentCalls *recentCalls_;
    EmbeddedService *embedded_ = nullptr;
    QStackedWidget *pages_;
    SignInPage *signInPage_;
    ContactsPage *contactsPage_;
    CallWindow *callPage_;
    IncomingCallDialog *incoming_;
    RingTone *ringTone_;
    DesktopNotifier *notifier_;
    ScreenSaverInhibitor *screenSaver_;
    CredentialStore *credentials_;
    QPointer<CertificateTrustDialog> certificateDialog_;
    QString readingSecretsFor_;           // the keyring entry start() waits for before signing in
    QString storingSecretsFor_;           // the keyring entry loggedIn() is storing
    bool wasRememberingSecrets_ = false;  // "Remember" was ticked before this sign-in
    QSystemTrayIcon *tray_ = nullptr;
    QLabel *connectionLabel_ = nullptr;
    QLabel *noticeBanner_ = nullptr;
    QStringList notices_;
    QToolButton *doNotDisturbButton_ = nullptr;
    QActionGroup *doNotDisturbActions_ = nullptr;
    QAction *doNotDisturbToggle_ = nullptr;

    QString pendingCall_;        // --call PEER, placed once signed in
    bool everLoggedIn_ = false;  // this sign-in reached the server at least once
    bool wasMaximized_ = false;

    // The call under way, for the history.
    struct CurrentCall {
        QString peer;
        RecentCall::Direction direction = RecentCall::Direction::Outgoing;
        QDateTime startedAt;
        QDateTime connectedAt;
        bool accepted = false;
        bool declinedByDoNotDisturb = false;
    };
    std::optional<CurrentCall> current_;
    std::optional<VideoSourceKind> videoBeforeAudioOnly_;
};

}  // namespace confab::ui
