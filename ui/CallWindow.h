// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CallQuality.h"
#include "ScreenPicker.h"
#include "SelfView.h"
#include "call/CallState.h"
#include "call/CallStats.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <memory>

class QGraphicsOpacityEffect;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
class QVariantAnimation;

namespace confab {
class CallController;
class ScreenCastPortal;
}

namespace confab::ui {

class AudioOutput;
class PeerCard;
class VideoWidget;

// The in-call view of whatever call `controller` runs, laid out as a calling app's: a dark stage
// that the other person's video fills with its shape kept, their avatar, name and the call's state
// large in the middle while there is no picture of them (calling, ringing, connecting, camera off),
// your own picture in a corner (drag or arrow keys to move it, a button to hide it), a top bar with
// name, state, timer, safety code and quality, and round buttons for microphone (M), camera (V),
// screen sharing, chat (C), statistics (I), full screen (F) and hang-up (Ctrl+W) that fade out
// after a few seconds without mouse movement in full screen. The keys work wherever the focus is
// in the window. Chat sits beside the stage when there is room and over it (a drawer) down to
// 480 px wide. It renders the controller's state and turns clicks into calls on it; it never
// touches a pipeline. Owned by its parent widget; the controller must outlive it.
class CallWindow : public QWidget {
    Q_OBJECT
public:
    // Shows the call that `controller` runs (state, video, controls, chat, stats). Installs its
    // video sinks into controller->settings() at construction, so construct it before any call.
    explicit CallWindow(confab::CallController *controller, QWidget *parent = nullptr);
    ~CallWindow() override;

    VideoWidget *remoteVideo() const { return remoteVideo_; }
    VideoWidget *localVideo() const;
    QToolButton *shareButton() const { return shareButton_; }
    // The X11 picker while it is open (Share screen on X11); null otherwise.
    ScreenPicker *screenPicker() const { return picker_; }
    // How long the controls stay in full screen without the mouse moving (default 3 s).
    void setControlsHideDelay(int ms);

    QSize minimumSizeHint() const override { return {440, 360}; }

Q_SIGNALS:
    void fullScreenRequested(bool on);  // F key / button; MainWindow does showFullScreen()/showNormal()

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildStage();
    void buildTopBar();
    void buildControls();
    void buildChat();
    void buildShortcuts();
    void installSinks();
    void stateChanged(CallState state, const QString &peer);
    void callEnded(CallEndReason reason, const QString &sentence);
    void statsUpdated(const CallStats &stats);
    void showSafetyCode(const QString &code);
    void chatReceived(const QString &text);
    void sendChat();
    void setMicrophoneMuted(bool muted);
    void setCameraOff(bool off);
    void setChatVisible(bool visible);
    void setStatsVisible(bool visible);
    void setFullScreen(bool on);
    void setSelfViewShown(bool shown);
    void showWhetherVideoIsSent();
    void updateCard();
    void updateChatButton();
    void tick();
    void relayout();
    void placeSelfView();
    void resetControls();
    // In full screen: the bars come back on any mouse movement or key and go after a pause.
    void wakeControls();
    void fadeControls(bool visible);
    // Share screen: on Wayland the desktop's dialog (portal, restore token kept in QSettings),
    // on X11 our ScreenPicker; while sharing, the same button stops.
    void toggleScreenShare();
    void screenShareChanged(bool sharing, const QString &sentence);
    void showNotice(const QString &sentence);

    CallController *controller_;
    std::shared_ptr<AudioOutput> audioOutput_;
    QWidget *stage_ = nullptr;
    VideoWidget *remoteVideo_ = nullptr;
    PeerCard *card_ = nullptr;
    SelfView *selfView_ = nullptr;
    QToolButton *showSelfButton_ = nullptr;
    QWidget *topBar_ = nullptr;
    QLabel *peerLabel_ = nullptr;
    QLabel *stateLabel_ = nullptr;
    QLabel *timerLabel_ = nullptr;
    QLabel *qualityLabel_ = nullptr;
    QLabel *safetyLabel_ = nullptr;  // the call's safety code, to compare by voice (SafetyCode)
    QLabel *statsOverlay_ = nullptr;
    QLabel *notices_ = nullptr;  // what the call engine wants the user to know (no camera, …)
    QWidget *controls_ = nullptr;
    QToolButton *micButton_ = nullptr;
    QToolButton *cameraButton_ = nullptr;
    QToolButton *shareButton_ = nullptr;
    ScreenCastPortal *portal_ = nullptr;  // made on the first Wayland share
    QPointer<ScreenPicker> picker_;
    QToolButton *chatButton_ = nullptr;
    QToolButton *statsButton_ = nullptr;
    QToolButton *fullScreenButton_ = nullptr;
    QToolButton *hangUpButton_ = nullptr;
    QWidget *chatPanel_ = nullptr;
    QPlainTextEdit *chatLog_ = nullptr;
    QLineEdit *chatInput_ = nullptr;
    QPushButton *chatSend_ = nullptr;
    QGraphicsOpacityEffect *controlsOpacity_ = nullptr;
    QGraphicsOpacityEffect *topBarOpacity_ = nullptr;
    QVariantAnimation *fade_ = nullptr;
    QTimer idle_;
    QString peer_;
    CallState state_ = CallState::Idle;
    int unreadChat_ = 0;
    bool fullScreen_ = false;
    bool selfViewShown_ = true;
    bool controlsShown_ = true;
    CallQuality quality_;
    QElapsedTimer connectedFor_;
    QTimer clock_;
};

}  // namespace confab::ui
