// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallWindow.h"

#include "AudioOutput.h"
#include "ScreenPicker.h"
#include "VideoWidget.h"
#include "call/CallController.h"
#include "media/ScreenCastPortal.h"

#include <QDBusConnection>
#include <QEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

namespace confab::ui {

namespace {

enum class Quality { Unknown = 1, Good, Fair, Poor };

// Where the desktop portal's restore token is kept: the next Wayland share skips its dialog.
constexpr char kRestoreTokenKey[] = "screenSharing/portalRestoreToken";

// Loss hurts first (frozen video, robotic audio); a long round trip makes people talk over each other.
Quality qualityOf(const CallStats &stats) {
    if (stats.roundTripMs < 0 && stats.receiveKbps <= 0) {
        return Quality::Unknown;
    }
    if (stats.lossPercent > 10 || stats.roundTripMs > 400) {
        return Quality::Poor;
    }
    if (stats.lossPercent > 2 || stats.roundTripMs > 200) {
        return Quality::Fair;
    }
    return Quality::Good;
}

QString formatDuration(qint64 ms) {
    const qint64 seconds = ms / 1000;
    const QString minutesSeconds = QStringLiteral("%1:%2")
                                       .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
                                       .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return seconds >= 3600 ? QStringLiteral("%1:%2").arg(seconds / 3600).arg(minutesSeconds) : minutesSeconds;
}

QToolButton *controlButton(const QString &text, const QString &accessibleName, const QString &toolTip,
                           bool checkable, QWidget *parent) {
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setAccessibleName(accessibleName);
    button->setToolTip(toolTip);
    button->setCheckable(checkable);
    button->setFocusPolicy(Qt::StrongFocus);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setMinimumSize(96, 36);
    return button;
}

}  // namespace

CallWindow::CallWindow(CallController *controller, QWidget *parent)
    : QWidget(parent), controller_(controller), audioOutput_(std::make_shared<AudioOutput>()) {
    setAccessibleName(tr("Call"));
    buildLayout();
    installSinks();

    connect(controller_, &CallController::stateChanged, this, &CallWindow::stateChanged);
    connect(controller_, &CallController::ended, this, &CallWindow::callEnded);
    connect(controller_, &CallController::statsUpdated, this, &CallWindow::statsUpdated);
    connect(controller_, &CallController::chatReceived, this, &CallWindow::chatReceived);
    connect(controller_, &CallController::safetyCodeReady, this, &CallWindow::showSafetyCode);
    connect(controller_, &CallController::notice, this, &CallWindow::showNotice);
    connect(controller_, &CallController::screenShareChanged, this, &CallWindow::screenShareChanged);
    connect(controller_, &CallController::chatOpened, this, [this] {
        chatInput_->setEnabled(true);
        chatSend_->setEnabled(true);
    });
    clock_.setInterval(1000);
    connect(&clock_, &QTimer::timeout, this, &CallWindow::tick);
    stateChanged(controller_->state(), controller_->peer());
    showSafetyCode(controller_->safetyCode());
}

CallWindow::~CallWindow() = default;

void CallWindow::showNotice(const QString &sentence) {
    notices_->setText(notices_->text().isEmpty() ? sentence : notices_->text() + QLatin1Char('\n') + sentence);
    notices_->show();
}

void CallWindow::toggleScreenShare() {
    if (controller_->isSharingScreen()) {
        controller_->stopScreenShare();
        return;
    }
    if (ScreenCastPortal::isWaylandSession()) {
        if (!portal_) {
            portal_ = new ScreenCastPortal(QDBusConnection::sessionBus(), this);
            connect(portal_, &ScreenCastPortal::started, this, [this](const ScreenSource &source, const QString &token) {
                if (!token.isEmpty()) {
                    QSettings().setValue(QLatin1StringView(kRestoreTokenKey), token);  // next time: no dialog
                }
                QString error;
                if (!controller_->startScreenShare(source, &error)) {
                    showNotice(error);
                    portal_->close();
                }
            });
            connect(portal_, &ScreenCastPortal::failed, this,
                    [this](ScreenCastPortal::Failure, const QString &sentence) { showNotice(sentence); });
            connect(portal_, &ScreenCastPortal::closed, controller_, &CallController::stopScreenShare);
        }
        ScreenCastPortal::Options options;
        options.restoreToken = QSettings().value(QLatin1StringView(kRestoreTokenKey)).toString();
        if (QGuiApplication::platformName() == QLatin1StringView("xcb")) {
            options.parentWindow = QStringLiteral("x11:%1").arg(window()->winId(), 0, 16);
        }
        portal_->start(options);
        return;
    }
    if (picker_) {
        picker_->raise();
        return;
    }
    picker_ = new ScreenPicker(this);
    connect(picker_, &QDialog::finished, this, [this, picker = picker_.data()](int result) {
        if (const std::optional<ScreenSource> source = picker->chosen(); result == QDialog::Accepted && source) {
            QString error;
            if (!controller_->startScreenShare(*source, &error)) {
                showNotice(error);
            }
        }
        picker->deleteLater();
    });
    picker_->open();
}

void CallWindow::screenShareChanged(bool sharing, const QString &sentence) {
    shareButton_->setText(sharing ? tr("Stop sharing") : tr("Share screen"));
    shareButton_->setAccessibleName(sharing ? tr("Stop sharing the screen") : tr("Share screen"));
    if (!sharing) {
        if (portal_) {
            portal_->close();  // the desktop's "you are sharing" indicator goes too
        }
        if (sentence != tr("Screen sharing stopped.")) {
            showNotice(sentence);  // it ended by itself (window closed, …): say why
        }
    }
}

void CallWindow::buildLayout() {
    // Header: who, where the call is, for how long, how good.
    peerLabel_ = new QLabel(this);
    peerLabel_->setTextFormat(Qt::PlainText);  // names come from the network
    QFont peerFont = peerLabel_->font();
    peerFont.setBold(true);
    peerFont.setPointSizeF(peerFont.pointSizeF() * 1.2);
    peerLabel_->setFont(peerFont);
    stateLabel_ = new QLabel(this);
    stateLabel_->setTextFormat(Qt::PlainText);
    stateLabel_->setAccessibleName(tr("Call state"));
    timerLabel_ = new QLabel(this);
    timerLabel_->setAccessibleName(tr("Call duration"));
    qualityLabel_ = new QLabel(this);
    qualityLabel_->setTextFormat(Qt::PlainText);
    qualityLabel_->setAccessibleName(tr("Connection quality"));
    // Selectable, so it can be copied into a text chat on another channel as well as read out.
    safetyLabel_ = new QLabel(this);
    safetyLabel_->setTextFormat(Qt::PlainText);
    safetyLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    safetyLabel_->setAccessibleName(tr("Safety code"));
    safetyLabel_->setToolTip(
        tr("Read this code to the other person by voice and check they see the same. The server that "
           "connects you could otherwise sit in the middle of the call and listen; it cannot make "
           "both of you see the same code while doing so. Different codes: hang up."));
    safetyLabel_->hide();
    notices_ = new QLabel(this);
    notices_->setTextFormat(Qt::PlainText);
    notices_->setWordWrap(true);
    notices_->setAccessibleName(tr("Call notices"));
    notices_->hide();
    auto *header = new QHBoxLayout;
    header->addWidget(peerLabel_);
    header->addWidget(stateLabel_, 1);
    header->addWidget(safetyLabel_);
    header->addWidget(qualityLabel_);
    header->addWidget(timerLabel_);

    // Video: the remote picture fills the area; the self-view and the statistics float over it.
    remoteVideo_ = new VideoWidget(this);
    remoteVideo_->setAccessibleName(tr("Remote video"));
    remoteVideo_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    remoteVideo_->installEventFilter(this);
    remoteVideo_->setBlackMeansCameraOff(true, tr("Their camera is off"));
    localVideo_ = new VideoWidget(remoteVideo_);
    localVideo_->setAccessibleName(tr("Your video"));
    localVideo_->setPlaceholderText(tr("No camera picture"));
    localVideo_->setFramed(true);
    statsOverlay_ = new QLabel(remoteVideo_);
    statsOverlay_->setTextFormat(Qt::PlainText);
    statsOverlay_->setAccessibleName(tr("Call statistics"));
    statsOverlay_->setStyleSheet(QStringLiteral(
        "QLabel { background: rgba(0, 0, 0, 170); color: white; padding: 6px; border-radius: 4px; }"));
    statsOverlay_->setText(tr("Waiting for statistics…"));
    statsOverlay_->move(8, 8);
    statsOverlay_->hide();

    // Chat: plain text both ways over the call's data channel.
    chatPanel_ = new QWidget(this);
    chatPanel_->setAccessibleName(tr("Chat"));
    chatLog_ = new QPlainTextEdit(chatPanel_);
    chatLog_->setReadOnly(true);
    chatLog_->setAccessibleName(tr("Chat messages"));
    chatInput_ = new QLineEdit(chatPanel_);
    chatInput_->setPlaceholderText(tr("Write a message"));
    chatInput_->setAccessibleName(tr("Chat message"));
    chatInput_->setEnabled(false);
    chatSend_ = new QPushButton(tr("Send"), chatPanel_);
    chatSend_->setAccessibleName(tr("Send chat message"));
    chatSend_->setEnabled(false);
    auto *chatInputRow = new QHBoxLayout;
    chatInputRow->addWidget(chatInput_, 1);
    chatInputRow->addWidget(chatSend_);
    auto *chatLayout = new QVBoxLayout(chatPanel_);
    chatLayout->setContentsMargins(0, 0, 0, 0);
    chatLayout->addWidget(chatLog_, 1);
    chatLayout->addLayout(chatInputRow);
    chatPanel_->setMinimumWidth(220);
    chatPanel_->setMaximumWidth(360);
    chatPanel_->hide();
    connect(chatInput_, &QLineEdit::returnPressed, this, &CallWindow::sendChat);
    connect(chatSend_, &QPushButton::clicked, this, &CallWindow::sendChat);

    auto *middle = new QHBoxLayout;
    middle->addWidget(remoteVideo_, 1);
    middle->addWidget(chatPanel_);

    // Controls, each with a key. Single-letter keys do not fire while the chat field has focus:
    // QLineEdit claims printable keys before shortcuts see them.
    micButton_ = controlButton(tr("Mute"), tr("Mute microphone"), tr("Mute or unmute your microphone (M)"),
                               true, this);
    cameraButton_ = controlButton(tr("Stop video"), tr("Turn camera off"),
                                  tr("Turn your camera off or on (V)"), true, this);
    shareButton_ = controlButton(tr("Share screen"), tr("Share screen"),
                                 tr("Show a screen or window instead of your camera, or stop showing it"), false,
                                 this);
    shareButton_->setEnabled(false);  // in a connected call
    connect(shareButton_, &QToolButton::clicked, this, &CallWindow::toggleScreenShare);
    chatButton_ = controlButton(tr("Chat"), tr("Show chat"), tr("Show or hide the chat (C)"), true, this);
    statsButton_ = controlButton(tr("Statistics"), tr("Show statistics"),
                                 tr("Show or hide call statistics (I)"), true, this);
    fullScreenButton_ =
        controlButton(tr("Full screen"), tr("Full screen"), tr("Full screen on or off (F)"), true, this);
    hangUpButton_ = new QPushButton(tr("Hang up"), this);
    hangUpButton_->setAccessibleName(tr("Hang up"));
    hangUpButton_->setToolTip(tr("End the call (Ctrl+W)"));
    hangUpButton_->setMinimumSize(110, 36);
    hangUpButton_->setStyleSheet(
        QStringLiteral("QPushButton { background: #c62828; color: white; border-radius: 4px; font-weight: "
                       "bold; padding: 4px 12px; }"
                       "QPushButton:focus { border: 2px solid #ffd54f; }"
                       "QPushButton:disabled { background: #7a4a4a; }"));
    connect(micButton_, &QToolButton::toggled, this, &CallWindow::setMicrophoneMuted);
    connect(cameraButton_, &QToolButton::toggled, this, &CallWindow::setCameraOff);
    connect(chatButton_, &QToolButton::toggled, this, &CallWindow::setChatVisible);
    connect(statsButton_, &QToolButton::toggled, this, &CallWindow::setStatsVisible);
    connect(fullScreenButton_, &QToolButton::toggled, this, &CallWindow::setFullScreen);
    connect(hangUpButton_, &QPushButton::clicked, controller_, &CallController::hangUp);

    auto *controls = new QHBoxLayout;
    controls->addStretch(1);
    for (QWidget *button :
         {static_cast<QWidget *>(micButton_), static_cast<QWidget *>(cameraButton_),
          static_cast<QWidget *>(shareButton_), static_cast<QWidget *>(chatButton_),
          static_cast<QWidget *>(statsButton_), static_cast<QWidget *>(fullScreenButton_)}) {
        controls->addWidget(button);
    }
    controls->addSpacing(24);
    controls->addWidget(hangUpButton_);
    controls->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(notices_);
    layout->addLayout(middle, 1);
    layout->addLayout(controls);

    // Object names let tests and screenshots find the parts.
    for (auto [widget, name] : std::initializer_list<std::pair<QWidget *, const char *>>{
             {peerLabel_, "peerLabel"},
             {stateLabel_, "stateLabel"},
             {timerLabel_, "timerLabel"},
             {qualityLabel_, "qualityLabel"},
             {safetyLabel_, "safetyLabel"},
             {statsOverlay_, "statsOverlay"},
             {notices_, "notices"},
             {chatLog_, "chatLog"},
             {chatInput_, "chatInput"},
             {chatSend_, "chatSend"},
             {chatPanel_, "chatPanel"},
             {micButton_, "micButton"},
             {cameraButton_, "cameraButton"},
             {shareButton_, "shareButton"},
             {chatButton_, "chatButton"},
             {statsButton_, "statsButton"},
             {fullScreenButton_, "fullScreenButton"},
             {hangUpButton_, "hangUpButton"},
         }) {
        widget->setObjectName(QString::fromLatin1(name));
    }

    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *s = new QShortcut(keys, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::Key_M), [this] { micButton_->toggle(); });
    shortcut(QKeySequence(Qt::Key_V), [this] { cameraButton_->toggle(); });
    shortcut(QKeySequence(Qt::Key_C), [this] { chatButton_->toggle(); });
    shortcut(QKeySequence(Qt::Key_I), [this] { statsButton_->toggle(); });
    shortcut(QKeySequence(Qt::Key_F), [this] { fullScreenButton_->toggle(); });
    // Esc only leaves full screen: hanging up on a stray Escape would be rude.
    shortcut(QKeySequence(Qt::Key_Escape), [this] { fullScreenButton_->setChecked(false); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_W), [this] {
        if (hangUpButton_->isEnabled()) {
            controller_->hangUp();
        }
    });

    setTabOrder(micButton_, cameraButton_);
    setTabOrder(cameraButton_, chatButton_);
    setTabOrder(chatButton_, statsButton_);
    setTabOrder(statsButton_, fullScreenButton_);
    setTabOrder(fullScreenButton_, hangUpButton_);
    setTabOrder(hangUpButton_, chatInput_);
    setTabOrder(chatInput_, chatSend_);
}

void CallWindow::installSinks() {
    // The factories run on streaming threads and may outlive this window inside the controller's
    // settings: they hold the frame sinks and the audio output by shared_ptr, never `this`.
    std::shared_ptr<VideoFrameSink> remote = remoteVideo_->frameSink();
    std::shared_ptr<AudioOutput> audio = audioOutput_;
    controller_->settings().sinks = [remote, audio](MediaKind kind) -> GstElement * {
        return kind == MediaKind::Video ? remote->makeElement() : audio->makeElement();
    };
    std::shared_ptr<VideoFrameSink> local = localVideo_->frameSink();
    controller_->settings().localPreviewSink = [local]() -> GstElement * { return local->makeElement(); };
}

void CallWindow::resetControls() {
    const QSignalBlocker micBlock(micButton_);
    const QSignalBlocker cameraBlock(cameraButton_);
    micButton_->setChecked(false);
    micButton_->setText(tr("Mute"));
    cameraButton_->setChecked(false);
    cameraButton_->setText(tr("Stop video"));
    localVideo_->setCovered(false);
    chatLog_->clear();
    unreadChat_ = 0;
    chatButton_->setText(tr("Chat"));
    chatInput_->setEnabled(false);
    chatSend_->setEnabled(false);
    statsOverlay_->setText(tr("Waiting for statistics…"));
    qualityLabel_->clear();
    timerLabel_->clear();
    showSafetyCode({});
}

void CallWindow::stateChanged(CallState state, const QString &peer) {
    const bool starting = (state == CallState::Calling || state == CallState::Ringing) && peer != peer_;
    if (!peer.isEmpty()) {
        peer_ = peer;
    }
    peerLabel_->setText(peer_);
    stateLabel_->setText(describe(state));
    switch (state) {
        case CallState::Calling:
        case CallState::Ringing:
            if (starting || !clock_.isActive()) {
                resetControls();
                // Chosen on the main thread before the media starts; the sink factory reads it later.
                audioOutput_->setDevice(controller_->settings().media.speakerDevice);
            }
            remoteVideo_->setPlaceholderText(state == CallState::Calling ? tr("Calling…") : tr("Ringing…"));
            hangUpButton_->setEnabled(true);
            break;
        case CallState::Connecting:
            remoteVideo_->setPlaceholderText(tr("Connecting…"));
            hangUpButton_->setEnabled(true);
            break;
        case CallState::Connected:
            remoteVideo_->setPlaceholderText(tr("No video yet"));
            connectedFor_.start();
            clock_.start();
            tick();
            hangUpButton_->setEnabled(true);
            shareButton_->setEnabled(true);
            break;
        case CallState::Idle:
        case CallState::Ended:
            clock_.stop();
            remoteVideo_->clear();
            localVideo_->clear();
            remoteVideo_->setPlaceholderText(tr("No call"));
            hangUpButton_->setEnabled(false);
            shareButton_->setEnabled(false);
            shareButton_->setText(tr("Share screen"));
            if (picker_) {
                picker_->reject();
            }
            if (portal_) {
                portal_->close();
            }
            notices_->clear();
            notices_->hide();
            // A finished call leaves full screen (emits fullScreenRequested(false) if it was on).
            fullScreenButton_->setChecked(false);
            chatInput_->setEnabled(false);
            chatSend_->setEnabled(false);
            showSafetyCode({});
            peer_.clear();
            break;
    }
}

void CallWindow::callEnded(CallEndReason, const QString &sentence) {
    stateLabel_->setText(sentence);
}

// Empty: no call, or its descriptions are not both known yet; the label is hidden.
void CallWindow::showSafetyCode(const QString &code) {
    safetyLabel_->setText(code.isEmpty() ? QString() : tr("Safety code: %1").arg(code));
    safetyLabel_->setAccessibleDescription(code);
    safetyLabel_->setVisible(!code.isEmpty());
}

void CallWindow::tick() {
    timerLabel_->setText(formatDuration(connectedFor_.elapsed()));
}

void CallWindow::statsUpdated(const CallStats &stats) {
    QStringList lines;
    lines << (stats.roundTripMs >= 0 ? tr("Round trip: %1 ms").arg(stats.roundTripMs, 0, 'f', 0)
                                     : tr("Round trip: not known yet"));
    lines
        << tr("Sending: %1 kb/s (target %2 kb/s)").arg(stats.sendKbps, 0, 'f', 0).arg(stats.sendBitrateKbps);
    lines << tr("Receiving: %1 kb/s").arg(stats.receiveKbps, 0, 'f', 0);
    lines
        << tr("Loss: %1 % · jitter: %2 ms").arg(stats.lossPercent, 0, 'f', 1).arg(stats.jitterMs, 0, 'f', 0);
    if (stats.receivedResolution.isValid()) {
        lines << tr("Video: %1×%2 at %3 fps, %4")
                     .arg(stats.receivedResolution.width())
                     .arg(stats.receivedResolution.height())
                     .arg(stats.receivedFps, 0, 'f', 0)
                     .arg(stats.videoCodec);
    } else {
        lines << tr("Video: none received, %1").arg(stats.videoCodec);
    }
    if (!stats.audioCodec.isEmpty()) {
        lines << tr("Audio: %1").arg(stats.audioCodec);
    }
    QString path;
    if (stats.path == QLatin1StringView("host")) {
        path = tr("direct (host)");
    } else if (stats.path == QLatin1StringView("srflx")) {
        path = tr("through NAT (server-reflexive)");
    } else if (stats.path == QLatin1StringView("relay")) {
        path = tr("relayed (TURN)");
    } else {
        path = tr("not known yet");
    }
    lines << tr("Path: %1").arg(path);
    statsOverlay_->setText(lines.join(QLatin1Char('\n')));
    statsOverlay_->adjustSize();

    switch (qualityOf(stats)) {
        case Quality::Good:
            qualityLabel_->setText(tr("● Good"));
            qualityLabel_->setStyleSheet(QStringLiteral("color: #2e7d32;"));
            break;
        case Quality::Fair:
            qualityLabel_->setText(tr("● Fair"));
            qualityLabel_->setStyleSheet(QStringLiteral("color: #f9a825;"));
            break;
        case Quality::Poor:
            qualityLabel_->setText(tr("● Poor"));
            qualityLabel_->setStyleSheet(QStringLiteral("color: #c62828;"));
            break;
        case Quality::Unknown:
            qualityLabel_->clear();
            break;
    }
    qualityLabel_->setAccessibleDescription(qualityLabel_->text());
}

void CallWindow::chatReceived(const QString &text) {
    // appendPlainText: network text is never interpreted as markup.
    chatLog_->appendPlainText(tr("%1: %2").arg(peer_, text));
    if (!chatPanel_->isVisible()) {
        ++unreadChat_;
        chatButton_->setText(tr("Chat (%1)").arg(unreadChat_));
    }
}

void CallWindow::sendChat() {
    const QString text = chatInput_->text().trimmed();
    if (text.isEmpty()) {
        return;
    }
    if (controller_->sendChat(text)) {
        chatLog_->appendPlainText(tr("You: %1").arg(text));
        chatInput_->clear();
    } else {
        chatLog_->appendPlainText(tr("(Not sent: the chat is not connected.)"));
    }
}

void CallWindow::setMicrophoneMuted(bool muted) {
    controller_->setMicrophoneMuted(muted);
    micButton_->setText(muted ? tr("Unmute") : tr("Mute"));
    micButton_->setAccessibleName(muted ? tr("Unmute microphone") : tr("Mute microphone"));
}

void CallWindow::setCameraOff(bool off) {
    controller_->setCameraEnabled(!off);
    cameraButton_->setText(off ? tr("Start video") : tr("Stop video"));
    cameraButton_->setAccessibleName(off ? tr("Turn camera on") : tr("Turn camera off"));
    // The self-view taps the camera before it is blacked out: cover it so it shows what they see.
    localVideo_->setCovered(off, tr("Camera off"));
}

void CallWindow::setChatVisible(bool visible) {
    chatPanel_->setVisible(visible);
    if (visible) {
        unreadChat_ = 0;
        chatButton_->setText(tr("Chat"));
        if (chatInput_->isEnabled()) {
            chatInput_->setFocus();
        }
    }
}

void CallWindow::setStatsVisible(bool visible) {
    statsOverlay_->setVisible(visible);
    statsOverlay_->adjustSize();
    statsOverlay_->raise();
}

void CallWindow::setFullScreen(bool on) {
    Q_EMIT fullScreenRequested(on);
}

void CallWindow::resizeEvent(QResizeEvent *event) {
    QWidget::resizeEvent(event);
    placeSelfView();
}

bool CallWindow::eventFilter(QObject *watched, QEvent *event) {
    if (watched == remoteVideo_ && event->type() == QEvent::Resize) {
        placeSelfView();
    }
    return QWidget::eventFilter(watched, event);
}

// Picture-in-picture: a quarter of the width, 4:3, in the bottom-right corner with a margin.
void CallWindow::placeSelfView() {
    const int margin = 12;
    const int width = std::clamp(remoteVideo_->width() / 4, 120, 320);
    const int height = width * 3 / 4;
    localVideo_->setGeometry(remoteVideo_->width() - width - margin, remoteVideo_->height() - height - margin,
                             width, height);
    localVideo_->raise();
}

}  // namespace confab::ui
