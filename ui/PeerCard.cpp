// SPDX-License-Identifier: GPL-3.0-or-later
#include "PeerCard.h"

#include "AppIcon.h"

#include <QLabel>
#include <QVBoxLayout>

namespace confab::ui {

namespace {
constexpr int kAvatarSize = 144;
}  // namespace

PeerCard::PeerCard(QWidget *parent)
    : QWidget(parent), avatar_(new QLabel(this)), name_(new QLabel(this)), state_(new QLabel(this)) {
    setObjectName(QStringLiteral("peerCard"));
    setAttribute(Qt::WA_TransparentForMouseEvents);  // the stage under it still takes clicks
    avatar_->setObjectName(QStringLiteral("cardAvatar"));
    avatar_->setAlignment(Qt::AlignCenter);
    name_->setObjectName(QStringLiteral("cardName"));
    name_->setTextFormat(Qt::PlainText);  // names come from the network
    name_->setAlignment(Qt::AlignCenter);
    name_->setWordWrap(true);
    QFont nameFont = name_->font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 2.0);
    nameFont.setBold(true);
    name_->setFont(nameFont);
    state_->setObjectName(QStringLiteral("cardState"));
    state_->setTextFormat(Qt::PlainText);
    state_->setAlignment(Qt::AlignCenter);
    QFont stateFont = state_->font();
    stateFont.setPointSizeF(stateFont.pointSizeF() * 1.25);
    state_->setFont(stateFont);
    QPalette palette = this->palette();
    palette.setColor(QPalette::WindowText, QColor(0xf4, 0xf5, 0xf7));
    name_->setPalette(palette);
    palette.setColor(QPalette::WindowText, QColor(0xb8, 0xbe, 0xc9));
    state_->setPalette(palette);
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(8);
    layout->addStretch(1);
    layout->addWidget(avatar_);
    layout->addSpacing(8);
    layout->addWidget(name_);
    layout->addWidget(state_);
    layout->addStretch(1);
}

void PeerCard::setPeer(const QString &name) {
    if (name == peer_) {
        return;
    }
    peer_ = name;
    name_->setText(name);
    avatar_->setPixmap(name.isEmpty() ? QPixmap() : AppIcon::avatar(name, kAvatarSize));
}

void PeerCard::setState(const QString &state) {
    state_->setText(state);
}

QString PeerCard::state() const {
    return state_->text();
}

}  // namespace confab::ui
