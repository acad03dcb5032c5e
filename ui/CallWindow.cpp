// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallWindow.h"

#include "AudioOutput.h"
#include "CallIcons.h"
#include "CallQuality.h"
#include "PeerCard.h"
#include "ScreenPicker.h"
#include "VideoWidget.h"
#include "call/CallController.h"
#include "media/ScreenCastPortal.h"

#include <QApplication>
#include <QDBusConnection>
#include <QEvent>
#include <QGraphicsOpacityEffect>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>
#include <QVariantAnimation>

namespace confab::ui {

namespace {

// The stage's colours: dark whatever the desktop's style, so the picture, the overlays and their
// colours look the same in a light and a dark theme.
const QColor kStage(0x15, 0x17, 0x1b);
const QColor kStageText(0xf4, 0xf5, 0xf7);
const QColor kStageDimText(0xb8, 0xbe, 0xc9);

// Where the desktop portal's restore token is kept: the next Wayland share skips its dialog.
constexpr char kRestoreTokenKey[] = "screenSharing/portalRestoreToken";
// Beside the stage from this width; over it (a drawer) below.
constexpr int kChatDockMinWidth = 760;
constexpr int kButtonSize = 52;
constexpr int kHangUpSize = 60;
constexpr int kMargin = 16;

QString formatDuration(qint64 ms) {
    const qint64 seconds = ms / 1000;
    const QString minutesSeconds = QStringLiteral("%1:%2")
                                       .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
                                       .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return seconds >= 3600 ? QStringLiteral("%1:%2").arg(seconds / 3600).arg(minutesSeconds) : minutesSeconds;
}

// A round button of the call's control bar: icon only, its name for screen readers, its key in
// the tooltip.
QToolButton *roundButton(CallIcons::Glyph off, CallIcons::Glyph on, const QString &text,
                         const QString &accessibleName, const QString &toolTip, bool checkable,
                         QWidget *parent, int size = kButtonSize) {
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setIcon(CallIcons::icon(off, on));
    button->setIconSize(QSize(size * 11 / 26, size * 11 / 26));
    button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    button->setAccessibleName(accessibleName);
    button->setToolTip(toolTip);
    button->setCheckable(checkable);
    button->setFocusPolicy(Qt::StrongFocus);
    button->setFixedSize(size, size);
    button->setCursor(Qt::PointingHandCursor);
    return button;
}

QLabel *stageLabel(QWidget *parent, const QColor &colour, qreal scale = 1.0, bool bold = false) {
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText);  // names and sentences may come from the network
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, colour);
    label->setPalette(palette);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * scale);
    font.setBold(bold);
    label->setFont(font);
    return label;
}

// The chat button with the number of messages not yet read in a red dot.
QIcon withCount(const QIcon &icon, int count) {
    if (count <= 0) {
        return icon;
    }
    QIcon result;
    for (int size : {20, 24, 32, 48}) {
        QPixmap pixmap = icon.pixmap(size, size);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal radius = size * 0.27;
        const QPointF centre(size - radius, radius);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0xe5, 0x48, 0x4d));
        painter.drawEllipse(centre, radius, radius);
        QFont font = painter.font();
        font.setPixelSize(int(radius * 1.4));
        font.setBold(true);
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
                         Qt::AlignCenter, count > 9 ? QStringLiteral("9+") : QString::number(count));
        painter.end();
        result.addPixmap(pixmap);
    }
    return result;
}

// The top bar's backdrop: a shade that fades into the picture, so white text reads on any video.
class TopBar : public QWidget {
public:
    using QWidget::QWidget;

protected:
    void paintEvent(QPaintEvent *) override {
        QPainter painter(this);
        QLinearGradient shade(0, 0, 0, height());
        shade.setColorAt(0, QColor(0, 0, 0, 170));
        shade.setColorAt(1, QColor(0, 0, 0, 0));
        painter.fillRect(rect(), shade);
    }
};

}  // namespace

CallWindow::CallWindow(CallController *controller, QWidget *parent)
    : QWidget(parent), controller_(controller), audioOutput_(std::make_shared<AudioOutput>()) {
    setAccessibleName(tr("Call"));
    setMinimumSize(minimumSizeHint());
    buildStage();
    buildTopBar();
    buildControls();
    buildChat();
    buildShortcuts();
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
    idle_.setSingleShot(true);
    idle_.setInterval(3000);
    connect(&idle_, &QTimer::timeout, this, [this] { fadeControls(false); });
    stateChanged(controller_->state(), controller_->peer());
    showSafetyCode(controller_->safetyCode());
}

CallWindow::~CallWindow() {
    qApp->removeEventFilter(this);
}

VideoWidget *CallWindow::localVideo() const {
    return selfView_->video();
}

void CallWindow::setControlsHideDelay(int ms) {
    idle_.setInterval(ms);
}

void CallWindow::buildStage() {
    stage_ = new QWidget(this);
    stage_->setObjectName(QStringLiteral("stage"));
    stage_->setAutoFillBackground(true);
    QPalette palette = stage_->palette();
    palette.setColor(QPalette::Window, kStage);
    palette.setColor(QPalette::WindowText, kStageText);
    stage_->setPalette(palette);

    remoteVideo_ = new VideoWidget(stage_);
    remoteVideo_->setObjectName(QStringLiteral("remoteVideo"));
    remoteVideo_->setAccessibleName(tr("Remote video"));
    remoteVideo_->setBackground(kStage);
    remoteVideo_->setPlaceholderText({});  // the peer card says it, larger
    remoteVideo_->setBlackMeansCameraOff(true, QString());
    remoteVideo_->setFocusPolicy(Qt::NoFocus);
    connect(remoteVideo_, &VideoWidget::placeholderShownChanged, this, &CallWindow::updateCard);

    card_ = new PeerCard(stage_);

    selfView_ = new SelfView(stage_);
    connect(selfView_, &SelfView::cornerChosen, this, &CallWindow::placeSelfView);
    connect(selfView_, &SelfView::hideRequested, this, [this] { setSelfViewShown(false); });
    showSelfButton_ = new QToolButton(stage_);
    showSelfButton_->setObjectName(QStringLiteral("showSelfViewButton"));
    showSelfButton_->setIcon(CallIcons::icon(CallIcons::Glyph::ShowSelfView));
    showSelfButton_->setIconSize(QSize(20, 20));
    showSelfButton_->setFixedSize(36, 36);
    showSelfButton_->setAccessibleName(tr("Show your video"));
    showSelfButton_->setToolTip(tr("Show your video again"));
    showSelfButton_->setStyleSheet(QStringLiteral(
        "QToolButton { background: rgba(255, 255, 255, 38); border: none; border-radius: 18px; }"
        "QToolButton:hover { background: rgba(255, 255, 255, 64); }"
        "QToolButton:focus { border: 2px solid #8ab4f8; }"));
    showSelfButton_->hide();
    connect(showSelfButton_, &QToolButton::clicked, this, [this] { setSelfViewShown(true); });

    statsOverlay_ = new QLabel(stage_);
    statsOverlay_->setObjectName(QStringLiteral("statsOverlay"));
    statsOverlay_->setTextFormat(Qt::PlainText);
    statsOverlay_->setAccessibleName(tr("Call statistics"));
    statsOverlay_->setStyleSheet(QStringLiteral(
        "QLabel { background: rgba(0, 0, 0, 190); color: #f4f5f7; padding: 8px; border-radius: 8px; }"));
    statsOverlay_->setText(tr("Waiting for statistics…"));
    statsOverlay_->hide();

    notices_ = new QLabel(stage_);
    notices_->setObjectName(QStringLiteral("notices"));
    notices_->setTextFormat(Qt::PlainText);
    notices_->setWordWrap(true);
    notices_->setAlignment(Qt::AlignCenter);
    notices_->setAccessibleName(tr("Call notices"));
    notices_->setStyleSheet(
        QStringLiteral("QLabel { background: rgba(255, 214, 102, 235); color: #2b2100; padding: 6px 10px; "
                       "border-radius: 8px; }"));
    notices_->hide();
}

void CallWindow::buildTopBar() {
    topBar_ = new TopBar(stage_);
    topBar_->setObjectName(QStringLiteral("topBar"));
    peerLabel_ = stageLabel(topBar_, kStageText, 1.25, true);
    peerLabel_->setObjectName(QStringLiteral("peerLabel"));
    peerLabel_->setAccessibleName(tr("Calling with"));
    stateLabel_ = stageLabel(topBar_, kStageDimText);
    stateLabel_->setObjectName(QStringLiteral("stateLabel"));
    stateLabel_->setAccessibleName(tr("Call state"));
    timerLabel_ = stageLabel(topBar_, kStageDimText);
    timerLabel_->setObjectName(QStringLiteral("timerLabel"));
    timerLabel_->setAccessibleName(tr("Call duration"));
    // Selectable by mouse, so it can be copied into a text chat on another channel; not a tab stop.
    safetyLabel_ = stageLabel(topBar_, kStageDimText, 0.9);
    safetyLabel_->setObjectName(QStringLiteral("safetyLabel"));
    safetyLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    safetyLabel_->setAccessibleName(tr("Safety code"));
    safetyLabel_->setToolTip(
        tr("Read this code to the other person by voice and check they see the same. The server that "
           "connects you could otherwise sit in the middle of the call and listen; it cannot make "
           "both of you see the same code while doing so. Different codes: hang up."));
    safetyLabel_->hide();
    // The quality as a pill with its own dark backing: the same contrast on any picture.
    qualityLabel_ = new QLabel(topBar_);
    qualityLabel_->setObjectName(QStringLiteral("qualityLabel"));
    qualityLabel_->setTextFormat(Qt::PlainText);
    qualityLabel_->setAccessibleName(tr("Connection quality"));
    qualityLabel_->hide();

    auto *stateRow = new QHBoxLayout;
    stateRow->setSpacing(8);
    stateRow->addWidget(stateLabel_);
    stateRow->addWidget(timerLabel_);
    stateRow->addStretch(1);
    auto *who = new QVBoxLayout;
    who->setSpacing(2);
    who->addWidget(peerLabel_);
    who->addLayout(stateRow);
    who->addWidget(safetyLabel_);
    auto *bar = new QHBoxLayout(topBar_);
    bar->setContentsMargins(kMargin, 10, kMargin, 24);
    bar->addLayout(who, 1);
    bar->addWidget(qualityLabel_, 0, Qt::AlignTop);
    topBarOpacity_ = new QGraphicsOpacityEffect(topBar_);
    topBarOpacity_->setOpacity(1.0);
    topBar_->setGraphicsEffect(topBarOpacity_);
}

void CallWindow::buildControls() {
    using G = CallIcons::Glyph;
    controls_ = new QWidget(stage_);
    controls_->setObjectName(QStringLiteral("controls"));
    controls_->setStyleSheet(
        QStringLiteral("QToolButton { background: rgba(255, 255, 255, 38); border: 2px solid transparent; "
                       "border-radius: 26px; }"
                       "QToolButton:hover { background: rgba(255, 255, 255, 70); }"
                       "QToolButton:checked { background: #f4f5f7; }"
                       "QToolButton:checked:hover { background: #ffffff; }"
                       "QToolButton:disabled { background: rgba(255, 255, 255, 16); }"
                       "QToolButton:focus { border: 2px solid #8ab4f8; }"
                       "QToolButton#hangUpButton { background: #e5484d; border-radius: 30px; }"
                       "QToolButton#hangUpButton:hover { background: #ec6166; }"
                       "QToolButton#hangUpButton:focus { border: 2px solid #ffffff; }"
                       "QToolButton#hangUpButton:disabled { background: #6b3a3c; }"));
    micButton_ = roundButton(G::Microphone, G::MicrophoneMuted, tr("Mute"), tr("Mute microphone"),
                             tr("Mute or unmute your microphone (M)"), true, controls_);
    cameraButton_ = roundButton(G::Camera, G::CameraOff, tr("Stop video"), tr("Turn camera off"),
                                tr("Turn your camera off or on (V)"), true, controls_);
    shareButton_ = roundButton(G::ScreenShare, G::ScreenShare, tr("Share screen"), tr("Share screen"),
                               tr("Show a screen or window instead of your camera, or stop showing it"),
                               false, controls_);
    shareButton_->setEnabled(false);  // in a connected call
    connect(shareButton_, &QToolButton::clicked, this, &CallWindow::toggleScreenShare);
    chatButton_ = roundButton(G::Chat, G::Chat, tr("Chat"), tr("Show chat"), tr("Show or hide the chat (C)"),
                              true, controls_);
    statsButton_ = roundButton(G::Statistics, G::Statistics, tr("Statistics"), tr("Show statistics"),
                               tr("Show or hide call statistics (I)"), true, controls_);
    fullScreenButton_ = roundButton(G::FullScreen, G::LeaveFullScreen, tr("Full screen"), tr("Full screen"),
                                    tr("Full screen on or off (F)"), true, controls_);
    hangUpButton_ = roundButton(G::HangUp, G::HangUp, tr("Hang up"), tr("Hang up"),
                                tr("End the call (Ctrl+W)"), false, controls_, kHangUpSize);
    hangUpButton_->setObjectName(QStringLiteral("hangUpButton"));
    connect(micButton_, &QToolButton::toggled, this, &CallWindow::setMicrophoneMuted);
    connect(cameraButton_, &QToolButton::toggled, this, &CallWindow::setCameraOff);
    connect(chatButton_, &QToolButton::toggled, this, &CallWindow::setChatVisible);
    connect(statsButton_, &QToolButton::toggled, this, &CallWindow::setStatsVisible);
    connect(fullScreenButton_, &QToolButton::toggled, this, &CallWindow::setFullScreen);
    connect(hangUpButton_, &QToolButton::clicked, controller_, &CallController::hangUp);

    auto *row = new QHBoxLayout(controls_);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(10);
    for (QToolButton *button :
         {micButton_, cameraButton_, shareButton_, chatButton_, statsButton_, fullScreenButton_}) {
        row->addWidget(button, 0, Qt::AlignVCenter);
    }
    row->addSpacing(6);
    row->addWidget(hangUpButton_, 0, Qt::AlignVCenter);
    controlsOpacity_ = new QGraphicsOpacityEffect(controls_);
    controlsOpacity_->setOpacity(1.0);
    controls_->setGraphicsEffect(controlsOpacity_);
    fade_ = new QVariantAnimation(this);
    fade_->setDuration(250);
    connect(fade_, &QVariantAnimation::valueChanged, this, [this](const QVariant &value) {
        controlsOpacity_->setOpacity(value.toReal());
        topBarOpacity_->setOpacity(value.toReal());
    });

    // Object names let tests and screenshots find the parts.
    micButton_->setObjectName(QStringLiteral("micButton"));
    cameraButton_->setObjectName(QStringLiteral("cameraButton"));
    shareButton_->setObjectName(QStringLiteral("shareButton"));
    chatButton_->setObjectName(QStringLiteral("chatButton"));
    statsButton_->setObjectName(QStringLiteral("statsButton"));
    fullScreenButton_->setObjectName(QStringLiteral("fullScreenButton"));
}

void CallWindow::buildChat() {
    // Plain text both ways over the call's data channel.
    chatPanel_ = new QWidget(this);
    chatPanel_->setObjectName(QStringLiteral("chatPanel"));
    chatPanel_->setAccessibleName(tr("Chat"));
    chatPanel_->setAutoFillBackground(true);
    chatLog_ = new QPlainTextEdit(chatPanel_);
    chatLog_->setObjectName(QStringLiteral("chatLog"));
    chatLog_->setReadOnly(true);
    chatLog_->setAccessibleName(tr("Chat messages"));
    chatLog_->setTabChangesFocus(true);
    chatLog_->setAccessibleDescription(tr("What you and the other person wrote, oldest first."));
    chatInput_ = new QLineEdit(chatPanel_);
    chatInput_->setObjectName(QStringLiteral("chatInput"));
    chatInput_->setPlaceholderText(tr("Write a message"));
    chatInput_->setAccessibleName(tr("Chat message"));
    chatInput_->setAccessibleDescription(
        tr("Enter sends it. The letter keys type here, not the call's keys."));
    chatInput_->setEnabled(false);
    chatSend_ = new QPushButton(tr("Send"), chatPanel_);
    chatSend_->setObjectName(QStringLiteral("chatSend"));
    chatSend_->setAccessibleName(tr("Send chat message"));
    chatSend_->setAccessibleDescription(tr("Sends what is written to the other person."));
    chatSend_->setEnabled(false);
    auto *heading = new QLabel(tr("Chat"), chatPanel_);
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    heading->setFont(headingFont);
    auto *close = new QToolButton(chatPanel_);
    close->setObjectName(QStringLiteral("chatClose"));
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    close->setAccessibleName(tr("Close the chat"));
    close->setToolTip(tr("Close the chat (C)"));
    connect(close, &QToolButton::clicked, this, [this] { chatButton_->setChecked(false); });
    auto *top = new QHBoxLayout;
    top->addWidget(heading, 1);
    top->addWidget(close);
    auto *inputRow = new QHBoxLayout;
    inputRow->addWidget(chatInput_, 1);
    inputRow->addWidget(chatSend_);
    auto *layout = new QVBoxLayout(chatPanel_);
    layout->setContentsMargins(10, 8, 10, 10);
    layout->addLayout(top);
    layout->addWidget(chatLog_, 1);
    layout->addLayout(inputRow);
    chatPanel_->hide();
    connect(chatInput_, &QLineEdit::returnPressed, this, &CallWindow::sendChat);
    connect(chatSend_, &QPushButton::clicked, this, &CallWindow::sendChat);

    // Tab goes along the controls as they are laid out, then into the chat, then the self-view.
    setTabOrder(micButton_, cameraButton_);
    setTabOrder(cameraButton_, shareButton_);
    setTabOrder(shareButton_, chatButton_);
    setTabOrder(chatButton_, statsButton_);
    setTabOrder(statsButton_, fullScreenButton_);
    setTabOrder(fullScreenButton_, hangUpButton_);
    setTabOrder(hangUpButton_, chatInput_);
    setTabOrder(chatInput_, chatSend_);
    setTabOrder(chatSend_, close);
    setTabOrder(close, selfView_);
    setTabOrder(selfView_, showSelfButton_);
}

void CallWindow::buildShortcuts() {
    // Window-wide, so they work wherever focus is (the status bar's Do-not-disturb button, say);
    // a hidden call page (another page of the stack) takes no keys. Single-letter keys do not fire
    // while the chat field has focus: QLineEdit claims printable keys before shortcuts see them.
    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *s = new QShortcut(keys, this);
        s->setContext(Qt::WindowShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::Key_M), [this] { micButton_->toggle(); });
    shortcut(QKeySequence(Qt::Key_V), [this] {
        if (cameraButton_->isEnabled()) {
            cameraButton_->toggle();
        }
    });
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
}

void CallWindow::installSinks() {
    // The factories run on streaming threads and may outlive this window inside the controller's
    // settings: they hold the frame sinks and the audio output by shared_ptr, never `this`.
    std::shared_ptr<VideoFrameSink> remote = remoteVideo_->frameSink();
    std::shared_ptr<AudioOutput> audio = audioOutput_;
    controller_->settings().sinks = [remote, audio](MediaKind kind) -> GstElement * {
        return kind == MediaKind::Video ? remote->makeElement() : audio->makeElement();
    };
    std::shared_ptr<VideoFrameSink> local = localVideo()->frameSink();
    controller_->settings().localPreviewSink = [local]() -> GstElement * { return local->makeElement(); };
}

void CallWindow::showNotice(const QString &sentence) {
    notices_->setText(notices_->text().isEmpty() ? sentence : notices_->text() + QLatin1Char('\n') + sentence);
    notices_->show();
    relayout();
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
    shareButton_->setCheckable(true);
    {
        const QSignalBlocker block(shareButton_);
        shareButton_->setChecked(sharing);
    }
    shareButton_->setCheckable(sharing);
    if (!sharing) {
        if (portal_) {
            portal_->close();  // the desktop's "you are sharing" indicator goes too
        }
        if (sentence != tr("Screen sharing stopped.")) {
            showNotice(sentence);  // it ended by itself (window closed, …): say why
        }
    }
}

void CallWindow::resetControls() {
    const QSignalBlocker micBlock(micButton_);
    const QSignalBlocker cameraBlock(cameraButton_);
    micButton_->setChecked(false);
    micButton_->setText(tr("Mute"));
    micButton_->setAccessibleName(tr("Mute microphone"));
    cameraButton_->setChecked(false);
    cameraButton_->setEnabled(true);
    cameraButton_->setText(tr("Stop video"));
    cameraButton_->setAccessibleName(tr("Turn camera off"));
    cameraButton_->setToolTip(tr("Turn your camera off or on (V)"));
    localVideo()->setCovered(false);
    chatLog_->clear();
    unreadChat_ = 0;
    updateChatButton();
    chatInput_->setEnabled(false);
    chatSend_->setEnabled(false);
    statsOverlay_->setText(tr("Waiting for statistics…"));
    quality_.reset();
    qualityLabel_->clear();
    qualityLabel_->hide();
    timerLabel_->clear();
    showSafetyCode({});
}

void CallWindow::stateChanged(CallState state, const QString &peer) {
    const bool starting = (state == CallState::Calling || state == CallState::Ringing) && peer != peer_;
    if (!peer.isEmpty()) {
        peer_ = peer;
    }
    state_ = state;
    peerLabel_->setText(peer_);
    card_->setPeer(peer_);
    stateLabel_->setText(describe(state));
    // Not a switch: states the engine adds later (reconnecting) fall into "still in the call".
    if (state == CallState::Calling || state == CallState::Ringing) {
        if (starting || !clock_.isActive()) {
            resetControls();
            // Chosen on the main thread before the media starts; the sink factory reads it later.
            audioOutput_->setDevice(controller_->settings().media.speakerDevice);
        }
        hangUpButton_->setEnabled(true);
    } else if (state == CallState::Connecting) {
        hangUpButton_->setEnabled(true);
        showWhetherVideoIsSent();
    } else if (state == CallState::Connected) {
        if (!clock_.isActive()) {
            connectedFor_.start();
            clock_.start();
        }
        tick();
        hangUpButton_->setEnabled(true);
        shareButton_->setEnabled(true);
    } else if (state == CallState::Idle || state == CallState::Ended) {
        clock_.stop();
        remoteVideo_->clear();
        localVideo()->clear();
        hangUpButton_->setEnabled(false);
        shareButton_->setEnabled(false);
        screenShareChanged(false, tr("Screen sharing stopped."));
        if (picker_) {
            picker_->reject();
        }
        notices_->clear();
        notices_->hide();
        // A finished call leaves full screen (emits fullScreenRequested(false) if it was on).
        fullScreenButton_->setChecked(false);
        chatInput_->setEnabled(false);
        chatSend_->setEnabled(false);
        showSafetyCode({});
        if (state == CallState::Idle) {
            peer_.clear();
        }
    }
    // Any other state (the engine reconnecting a call) keeps the clock running and the controls.
    if (state == CallState::Reconnecting) {
        tick();  // the state shows how long it has been reconnecting
    }
    // Reconnecting, the last picture would stay frozen behind the card: covered, the person's
    // avatar, name and "Reconnecting… 0:05" read as in the other waiting states.
    remoteVideo_->setCovered(state == CallState::Reconnecting);
    updateCard();
}

// The peer's avatar, name and the state, large, while there is no picture of them.
void CallWindow::updateCard() {
    QString text;
    const bool connected = state_ == CallState::Connected;
    if (!connected) {
        text = state_ == CallState::Idle ? QString() : stateLabel_->text();
    } else if (remoteVideo_->showsPlaceholder()) {
        text = remoteVideo_->showsBlackAsCameraOff() ? tr("Their camera is off") : tr("No video from them");
    }
    card_->setState(text);
    card_->setVisible(!text.isEmpty() && !peer_.isEmpty());
    relayout();
}

// A call answered "audio only" sends no video at all: the camera button says so and cannot start
// what the call has no track for.
void CallWindow::showWhetherVideoIsSent() {
    const bool sendsVideo = controller_->settings().media.video != VideoSourceKind::None;
    const QSignalBlocker block(cameraButton_);
    cameraButton_->setEnabled(sendsVideo);
    if (!sendsVideo) {
        cameraButton_->setChecked(true);
        cameraButton_->setText(tr("No video"));
        cameraButton_->setAccessibleName(tr("Camera: this call sends no video"));
        cameraButton_->setToolTip(tr("This call was answered with audio only: it sends no video."));
        localVideo()->setCovered(true, tr("Audio only"));
    }
}

void CallWindow::callEnded(CallEndReason, const QString &sentence) {
    stateLabel_->setText(sentence);
    card_->setState(sentence);
}

// Empty: no call, or its descriptions are not both known yet; the label is hidden.
void CallWindow::showSafetyCode(const QString &code) {
    safetyLabel_->setText(code.isEmpty() ? QString() : tr("Safety code: %1").arg(code));
    safetyLabel_->setAccessibleDescription(code);
    safetyLabel_->setVisible(!code.isEmpty());
}

void CallWindow::tick() {
    timerLabel_->setText(formatDuration(connectedFor_.elapsed()));
    if (state_ == CallState::Reconnecting) {
        stateLabel_->setText(tr("%1 %2").arg(describe(CallState::Reconnecting),
                                             formatDuration(std::max<qint64>(0, controller_->reconnectingForMs()))));
        updateCard();
    }
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
    if (stats.videoFramesReceived > 0) {
        lines << tr("Picture froze: %n time(s), %1 s in all", nullptr, int(stats.freezeCount))
                     .arg(stats.totalFreezeMs / 1000, 0, 'f', 1);
    }
    if (stats.audioBuffersReceived > 0) {
        lines << tr("Sound filled in: %1 % since the start").arg(stats.audioConcealedPercent, 0, 'f', 1);
    }
    if (stats.estimateKbps > 0) {
        lines << (stats.remoteLossPercent >= 0 ? tr("Network estimate: %1 kb/s · they lose %2 % of ours")
                                                     .arg(stats.estimateKbps)
                                                     .arg(stats.remoteLossPercent, 0, 'f', 1)
                                               : tr("Network estimate: %1 kb/s").arg(stats.estimateKbps));
    }
    statsOverlay_->setText(lines.join(QLatin1Char('\n')));
    statsOverlay_->adjustSize();

    // Light colours on the pill's own dark backing: readable on any picture and any desktop style.
    const auto show = [this](const QString &text, const char *colour) {
        qualityLabel_->setText(text);
        qualityLabel_->setStyleSheet(
            QStringLiteral("QLabel { background: rgba(0, 0, 0, 150); color: %1; border-radius: 11px;"
                           " padding: 3px 10px; font-weight: bold; }")
                .arg(QLatin1StringView(colour)));
        qualityLabel_->show();
    };
    switch (quality_.add(stats)) {
        case CallQuality::Level::Good:
            show(tr("● Good"), "#7ee2a8");
            break;
        case CallQuality::Level::Fair:
            show(tr("● Fair"), "#ffd166");
            break;
        case CallQuality::Level::Poor:
            show(tr("● Poor"), "#ff8a8a");
            break;
        case CallQuality::Level::Unknown:
            qualityLabel_->clear();
            qualityLabel_->hide();
            break;
    }
    // The reason, for the tooltip and screen readers: "Fair" alone does not say what to do.
    const QString reason = quality_.reason();
    qualityLabel_->setToolTip(reason.isEmpty() ? tr("Connection quality") : reason);
    qualityLabel_->setAccessibleDescription(
        reason.isEmpty() ? qualityLabel_->text() : tr("%1: %2").arg(qualityLabel_->text(), reason));
}

void CallWindow::chatReceived(const QString &text) {
    // appendPlainText: network text is never interpreted as markup.
    chatLog_->appendPlainText(tr("%1: %2").arg(peer_, text));
    if (!chatPanel_->isVisible()) {
        ++unreadChat_;
        updateChatButton();
    }
}

void CallWindow::updateChatButton() {
    chatButton_->setText(unreadChat_ > 0 ? tr("Chat (%1)").arg(unreadChat_) : tr("Chat"));
    chatButton_->setIcon(withCount(CallIcons::icon(CallIcons::Glyph::Chat), unreadChat_));
    chatButton_->setAccessibleName(unreadChat_ > 0 ? tr("Show chat, %n new message(s)", nullptr, unreadChat_)
                                   : chatPanel_->isVisible() ? tr("Hide chat")
                                                             : tr("Show chat"));
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
    localVideo()->setCovered(off, tr("Camera off"));
}

void CallWindow::setChatVisible(bool visible) {
    chatPanel_->setVisible(visible);
    if (visible) {
        unreadChat_ = 0;
        if (chatInput_->isEnabled()) {
            chatInput_->setFocus();
        }
    }
    updateChatButton();
    relayout();
}

void CallWindow::setStatsVisible(bool visible) {
    statsOverlay_->setVisible(visible);
    statsOverlay_->adjustSize();
    statsButton_->setAccessibleName(visible ? tr("Hide statistics") : tr("Show statistics"));
    relayout();
}

void CallWindow::setSelfViewShown(bool shown) {
    selfViewShown_ = shown;
    selfView_->setVisible(shown);
    showSelfButton_->setVisible(!shown);
    (shown ? static_cast<QWidget *>(selfView_) : showSelfButton_)->setFocus();
    relayout();
}

void CallWindow::setFullScreen(bool on) {
    fullScreen_ = on;
    fullScreenButton_->setAccessibleName(on ? tr("Leave full screen") : tr("Full screen"));
    if (on) {
        // Any mouse movement or key anywhere in the app brings the controls back.
        qApp->installEventFilter(this);
        wakeControls();
    } else {
        qApp->removeEventFilter(this);
        idle_.stop();
        fadeControls(true);
    }
    Q_EMIT fullScreenRequested(on);
}

void CallWindow::wakeControls() {
    fadeControls(true);
    if (fullScreen_) {
        idle_.start();
    }
}

void CallWindow::fadeControls(bool visible) {
    if (!visible && (!fullScreen_ || controls_->underMouse())) {
        return;
    }
    if (visible == controlsShown_) {
        return;
    }
    controlsShown_ = visible;
    fade_->stop();
    fade_->setStartValue(controlsOpacity_->opacity());
    fade_->setEndValue(visible ? 1.0 : 0.0);
    fade_->start();
    // Faded out, the buttons take no clicks or focus by accident; the pointer hides with them.
    controls_->setAttribute(Qt::WA_TransparentForMouseEvents, !visible);
    stage_->setCursor(visible ? Qt::ArrowCursor : Qt::BlankCursor);
}

void CallWindow::resizeEvent(QResizeEvent *event) {
    QWidget::resizeEvent(event);
    relayout();
}

bool CallWindow::eventFilter(QObject *, QEvent *event) {
    switch (event->type()) {
        case QEvent::MouseMove:
        case QEvent::MouseButtonPress:
        case QEvent::KeyPress:
            if (fullScreen_) {
                wakeControls();
            }
            break;
        default:
            break;
    }
    return false;
}

// Everything on the stage is placed here, by hand: the video fills it, the rest floats over it.
void CallWindow::relayout() {
    if (!stage_ || !chatPanel_) {
        return;
    }
    const int w = width();
    const int h = height();
    const bool chat = chatPanel_->isVisible();
    const bool docked = chat && w >= kChatDockMinWidth;
    const int chatWidth = docked ? std::clamp(w * 3 / 10, 260, 360) : std::min(w - 2 * kMargin, 360);
    stage_->setGeometry(0, 0, docked ? w - chatWidth : w, h);
    const int sw = stage_->width();
    const int sh = stage_->height();

    remoteVideo_->setGeometry(0, 0, sw, sh);
    const int topHeight = topBar_->sizeHint().height();
    topBar_->setGeometry(0, 0, sw, topHeight);
    const QSize controlsSize = controls_->sizeHint();
    const int controlsTop = sh - controlsSize.height() - kMargin;
    controls_->setGeometry((sw - controlsSize.width()) / 2, controlsTop, controlsSize.width(),
                           controlsSize.height());
    const int cardTop = topHeight;
    card_->setGeometry(kMargin, cardTop, sw - 2 * kMargin, std::max(0, controlsTop - cardTop));

    int below = topHeight;
    if (notices_->isVisible()) {
        const int noticeWidth = std::min(sw - 2 * kMargin, 560);
        const int noticeHeight = notices_->heightForWidth(noticeWidth);
        notices_->setGeometry((sw - noticeWidth) / 2, below, noticeWidth, noticeHeight);
        below += noticeHeight + 8;
    }
    statsOverlay_->adjustSize();
    statsOverlay_->move(kMargin, below);

    if (chat) {
        if (docked) {
            chatPanel_->setGeometry(w - chatWidth, 0, chatWidth, h);
        } else {
            // A drawer over the stage's right side, leaving the controls free.
            chatPanel_->setGeometry(w - chatWidth - kMargin / 2, kMargin / 2, chatWidth,
                                    std::max(120, controlsTop - kMargin));
        }
        chatPanel_->raise();
    }
    placeSelfView();
    statsOverlay_->raise();
    notices_->raise();
    topBar_->raise();
    controls_->raise();
}

// Picture-in-picture: a fifth of the stage's width, in its chosen corner, clear of the bars.
void CallWindow::placeSelfView() {
    const int sw = stage_->width();
    const int sh = stage_->height();
    const QImage frame = localVideo()->lastFrame();
    const double aspect = frame.isNull() ? 4.0 / 3.0 : double(frame.width()) / frame.height();
    const int width = std::clamp(sw / 5, 112, 280);
    const int height = int(width / aspect);
    const int top = topBar_->sizeHint().height();
    const int bottom = sh - controls_->sizeHint().height() - 2 * kMargin;
    const bool left = selfView_->corner() == SelfView::Corner::TopLeft ||
                      selfView_->corner() == SelfView::Corner::BottomLeft;
    const bool upper =
        selfView_->corner() == SelfView::Corner::TopLeft || selfView_->corner() == SelfView::Corner::TopRight;
    const int x = left ? kMargin : sw - width - kMargin;
    const int y = upper ? top : bottom - height;
    selfView_->setGeometry(x, std::max(0, y), width, height);
    showSelfButton_->move(left ? kMargin : sw - showSelfButton_->width() - kMargin,
                          upper ? top : bottom - showSelfButton_->height());
    selfView_->raise();
    showSelfButton_->raise();
}

}  // namespace confab::ui
