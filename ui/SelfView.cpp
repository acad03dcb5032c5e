// SPDX-License-Identifier: GPL-3.0-or-later
#include "SelfView.h"

#include "CallIcons.h"
#include "VideoWidget.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolButton>

namespace confab::ui {

namespace {
constexpr int kBorder = 2;
}  // namespace

SelfView::SelfView(QWidget *parent)
    : QWidget(parent), video_(new VideoWidget(this)), hide_(new QToolButton(this)) {
    setObjectName(QStringLiteral("selfView"));
    setAccessibleName(tr("Your video"));
    setAccessibleDescription(tr("Drag it, or use the arrow keys, to move it to another corner."));
    setFocusPolicy(Qt::TabFocus);
    setCursor(Qt::OpenHandCursor);
    video_->setObjectName(QStringLiteral("localVideo"));
    video_->setAccessibleName(tr("Your video"));
    video_->setPlaceholderText(tr("No camera picture"));
    video_->setFocusPolicy(Qt::NoFocus);
    video_->setAttribute(Qt::WA_TransparentForMouseEvents);
    hide_->setObjectName(QStringLiteral("hideSelfViewButton"));
    hide_->setIcon(CallIcons::icon(CallIcons::Glyph::HideSelfView));
    hide_->setIconSize(QSize(16, 16));
    hide_->setAccessibleName(tr("Hide your video"));
    hide_->setToolTip(tr("Hide your video (the others still see it)"));
    hide_->setCursor(Qt::ArrowCursor);
    hide_->setStyleSheet(
        QStringLiteral("QToolButton { background: rgba(0, 0, 0, 150); border: none; border-radius: 12px; }"
                       "QToolButton:hover { background: rgba(0, 0, 0, 200); }"
                       "QToolButton:focus { border: 2px solid #8ab4f8; }"));
    hide_->setFixedSize(24, 24);
    connect(hide_, &QToolButton::clicked, this, &SelfView::hideRequested);
}

void SelfView::setCorner(Corner corner) {
    corner_ = corner;
}

void SelfView::resizeEvent(QResizeEvent *event) {
    QWidget::resizeEvent(event);
    video_->setGeometry(rect().adjusted(kBorder, kBorder, -kBorder, -kBorder));
    hide_->move(width() - hide_->width() - 6, 6);
    hide_->raise();
}

void SelfView::paintEvent(QPaintEvent *) {
    // A light frame, thicker while it has the keyboard focus.
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(hasFocus() ? QColor(0x8a, 0xb4, 0xf8) : QColor(0xe0, 0xe4, 0xea, 200));
    painter.drawRoundedRect(rect(), 6, 6);
}

void SelfView::mousePressEvent(QMouseEvent *event) {
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    dragging_ = true;
    grabOffset_ = event->position().toPoint();
    setCursor(Qt::ClosedHandCursor);
    raise();
}

void SelfView::mouseMoveEvent(QMouseEvent *event) {
    if (!dragging_ || !parentWidget()) {
        return;
    }
    QPoint to = mapToParent(event->position().toPoint()) - grabOffset_;
    to.setX(std::clamp(to.x(), 0, std::max(0, parentWidget()->width() - width())));
    to.setY(std::clamp(to.y(), 0, std::max(0, parentWidget()->height() - height())));
    move(to);
}

void SelfView::mouseReleaseEvent(QMouseEvent *event) {
    if (!dragging_ || event->button() != Qt::LeftButton || !parentWidget()) {
        return;
    }
    dragging_ = false;
    setCursor(Qt::OpenHandCursor);
    // The nearest corner of the stage, by where the picture's centre is.
    const QPoint centre = geometry().center();
    const bool left = centre.x() < parentWidget()->width() / 2;
    const bool top = centre.y() < parentWidget()->height() / 2;
    corner_ =
        top ? (left ? Corner::TopLeft : Corner::TopRight) : (left ? Corner::BottomLeft : Corner::BottomRight);
    Q_EMIT cornerChosen(corner_);
}

void SelfView::keyPressEvent(QKeyEvent *event) {
    const bool left = corner_ == Corner::TopLeft || corner_ == Corner::BottomLeft;
    const bool top = corner_ == Corner::TopLeft || corner_ == Corner::TopRight;
    bool toLeft = left;
    bool toTop = top;
    switch (event->key()) {
        case Qt::Key_Left:
            toLeft = true;
            break;
        case Qt::Key_Right:
            toLeft = false;
            break;
        case Qt::Key_Up:
            toTop = true;
            break;
        case Qt::Key_Down:
            toTop = false;
            break;
        case Qt::Key_Delete:
            Q_EMIT hideRequested();
            return;
        default:
            QWidget::keyPressEvent(event);
            return;
    }
    corner_ = toTop ? (toLeft ? Corner::TopLeft : Corner::TopRight)
                    : (toLeft ? Corner::BottomLeft : Corner::BottomRight);
    Q_EMIT cornerChosen(corner_);
}

}  // namespace confab::ui
