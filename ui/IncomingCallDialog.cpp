// SPDX-License-Identifier: GPL-3.0-or-later
#include "IncomingCallDialog.h"

#include "AppIcon.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace confab::ui {

namespace {
QPushButton *coloured(QPushButton *button, const QColor &colour) {
    // A stylesheet on the button alone: green to answer, red to decline, as on every phone.
    button->setStyleSheet(
        QStringLiteral("QPushButton { background: %1; color: white; border: none; border-radius: 6px;"
                       " padding: 8px 14px; font-weight: bold; }"
                       " QPushButton:focus { outline: none; border: 2px solid palette(highlight); }"
                       " QPushButton:hover { background: %2; }")
            .arg(colour.name(), colour.lighter(115).name()));
    return button;
}
}  // namespace

IncomingCallDialog::IncomingCallDialog(QWidget *parent)
    : QDialog(parent),
      avatar_(new QLabel(this)),
      name_(new QLabel(this)),
      note_(new QLabel(this)),
      acceptVideo_(coloured(new QPushButton(tr("Accept with &video"), this), QColor(0x1a, 0x7f, 0x37))),
      acceptAudio_(coloured(new QPushButton(tr("Accept &audio only"), this), QColor(0x26, 0x8b, 0x5a))),
      decline_(coloured(new QPushButton(tr("&Decline"), this), QColor(0xc0, 0x1c, 0x28))) {
    setWindowTitle(tr("Incoming call"));
    setWindowFlag(Qt::WindowStaysOnTopHint);
    setModal(false);
    // A light card that stands out from the window behind it (also where there is no window frame).
    setObjectName(QStringLiteral("incomingCall"));
    setStyleSheet(QStringLiteral("#incomingCall { background: palette(base); border: 1px solid palette(mid); }"));
    avatar_->setAlignment(Qt::AlignCenter);
    avatar_->setAccessibleName(tr("Caller's picture"));
    // The caller's name comes from the network: plain text only.
    name_->setTextFormat(Qt::PlainText);
    name_->setAlignment(Qt::AlignCenter);
    name_->setWordWrap(true);
    QFont font = name_->font();
    font.setPointSizeF(font.pointSizeF() * 1.5);
    font.setBold(true);
    name_->setFont(font);
    name_->setAccessibleName(tr("Caller"));
    note_->setObjectName(QStringLiteral("note"));
    note_->setTextFormat(Qt::PlainText);
    note_->setAlignment(Qt::AlignCenter);
    note_->setWordWrap(true);
    note_->setText(tr("is calling you"));
    acceptVideo_->setAccessibleName(tr("Accept with video"));
    acceptVideo_->setAccessibleDescription(tr("Answers the call and sends your camera's picture."));
    acceptAudio_->setAccessibleName(tr("Accept audio only"));
    acceptAudio_->setAccessibleDescription(tr("Answers the call without sending any video."));
    decline_->setAccessibleName(tr("Decline"));
    decline_->setAccessibleDescription(tr("Refuses the call; the caller is told you declined (Escape)."));
    acceptVideo_->setAutoDefault(false);
    acceptAudio_->setAutoDefault(false);
    decline_->setAutoDefault(false);
    acceptVideo_->setDefault(true);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(decline_);
    buttons->addStretch(1);
    buttons->addWidget(acceptAudio_);
    buttons->addWidget(acceptVideo_);

    // Tab as laid out, left to right; the focus starts on "Accept with video".
    setTabOrder(decline_, acceptAudio_);
    setTabOrder(acceptAudio_, acceptVideo_);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->addWidget(avatar_);
    layout->addWidget(name_);
    layout->addWidget(note_);
    layout->addSpacing(16);
    layout->addLayout(buttons);
    setMinimumWidth(420);

    connect(acceptVideo_, &QPushButton::clicked, this, [this] {
        hide();
        Q_EMIT acceptedWithVideo();
    });
    connect(acceptAudio_, &QPushButton::clicked, this, [this] {
        hide();
        Q_EMIT acceptedAudioOnly();
    });
    connect(decline_, &QPushButton::clicked, this, &IncomingCallDialog::reject);
}

void IncomingCallDialog::setCaller(const QString &caller) {
    caller_ = caller;
    avatar_->setPixmap(AppIcon::avatar(caller, 88));
    name_->setText(caller);
    setAccessibleDescription(tr("%1 is calling you").arg(caller));
    setWindowTitle(tr("Incoming call from %1").arg(caller));
    acceptVideo_->setFocus();
}

void IncomingCallDialog::setSilenced(bool silenced) {
    note_->setText(silenced ? tr("is calling you (silenced: do not disturb is on)") : tr("is calling you"));
}

void IncomingCallDialog::reject() {
    const bool wasVisible = isVisible();
    QDialog::reject();
    if (wasVisible) {
        Q_EMIT declined();
    }
}

}  // namespace confab::ui
