// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallState.h"
#include "call/CallStats.h"
#include "ScreenPicker.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace confab {
class CallController;
class ScreenCastPortal;
}

namespace confab::ui {

class AudioOutput;
class VideoWidget;

// The in-call view of whatever call `controller` runs: remote video filling the area with the
// self-view in a corner, the peer's name, state, call timer, a quality indicator and the call's
// safety code, controls for
// microphone (M), camera (V), screen sharing, chat (C), statistics (I), full screen (F)
// and hang-up (Ctrl+W), a chat panel and a statistics overlay. It renders the controller's state
// and turns clicks into calls on it; it never touches a pipeline. Owned by its parent widget; the
// controller must outlive it.
class CallWindow : public QWidget {
    Q_OBJECT
public:
    // Shows the call that `controller` runs (state, video, controls, chat, stats). Installs its
    // video sinks into controller->settings() at construction, so construct it before any call.
    explicit CallWindow(confab::CallController *controller, QWidget *parent = nullptr);
    ~CallWindow() override;

    VideoWidget *remoteVideo() const { return remoteVideo_; }
    VideoWidget *localVideo() const { return localVideo_; }
    QToolButton *shareButton() const { return shareButton_; }
    // The X11 picker while it is open (Share screen on X11); null otherwise.
    ScreenPicker *screenPicker() const { return picker_; }

Q_SIGNALS:
    void fullScreenRequested(bool on);  // F key / button; MainWindow does showFullScreen()/showNormal()

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildLayout();
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
    void tick();
    void placeSelfView();
    void resetControls();
    // Share screen: on Wayland the desktop's dialog (portal, restore token kept in QSettings),
    // on X11 our ScreenPicker; while sharing, the same button stops.
    void toggleScreenShare();
    void screenShareChanged(bool sharing, const QString &sentence);
    void showNotice(const QString &sentence);

    CallController *controller_;
    std::shared_ptr<AudioOutput> audioOutput_;
    VideoWidget *remoteVideo_ = nullptr;
    VideoWidget *localVideo_ = nullptr;
    QLabel *peerLabel_ = nullptr;
    QLabel *stateLabel_ = nullptr;
    QLabel *timerLabel_ = nullptr;
    QLabel *qualityLabel_ = nullptr;
    QLabel *safetyLabel_ = nullptr;  // the call's safety code, to compare by voice (SafetyCode)
    QLabel *statsOverlay_ = nullptr;
    QLabel *notices_ = nullptr;  // what the call engine wants the user to know (no camera, …)
    QToolButton *micButton_ = nullptr;
    QToolButton *cameraButton_ = nullptr;
    QToolButton *shareButton_ = nullptr;
    ScreenCastPortal *portal_ = nullptr;  // made on the first Wayland share
    QPointer<ScreenPicker> picker_;
    QToolButton *chatButton_ = nullptr;
    QToolButton *statsButton_ = nullptr;
    QToolButton *fullScreenButton_ = nullptr;
    QPushButton *hangUpButton_ = nullptr;
    QWidget *chatPanel_ = nullptr;
    QPlainTextEdit *chatLog_ = nullptr;
    QLineEdit *chatInput_ = nullptr;
    QPushButton *chatSend_ = nullptr;
    QString peer_;
    int unreadChat_ = 0;
    QElapsedTimer connectedFor_;
    QTimer clock_;
};

}  // namespace confab::ui
