// SPDX-License-Identifier: GPL-3.0-or-later
#include "VideoWidget.h"

#include <QPaintEvent>
#include <QPainter>
#include <QPen>

namespace confab::ui {

namespace {
// Frames older than this count as stopped: the sender left, or the pipeline is gone.
constexpr int kStaleAfterMs = 2000;
}  // namespace

VideoWidget::VideoWidget(QWidget *parent)
    : QWidget(parent), sink_(VideoFrameSink::create()), placeholder_(tr("No video yet")) {
    // Every pixel is painted in paintEvent: skip Qt's background fill.
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(80, 60);
    setAccessibleName(tr("Video"));
    connect(sink_.get(), &VideoFrameSink::frameReady, this, &VideoWidget::takeFrame);
    resizeSettle_.setSingleShot(true);
    resizeSettle_.setInterval(100);
    connect(&resizeSettle_, &QTimer::timeout, this,
            [this] { sink_->setMaximumSize((QSizeF(size()) * devicePixelRatioF()).toSize()); });
    staleTimer_.setInterval(500);
    connect(&staleTimer_, &QTimer::timeout, this, &VideoWidget::checkStale);
}

GstElement *VideoWidget::sinkElement() const {
    return sink_->makeElement();
}

void VideoWidget::setPlaceholderText(const QString &text) {
    placeholder_ = text;
    update();
}

void VideoWidget::setCovered(bool covered, const QString &text) {
    covered_ = covered;
    coverText_ = text;
    update();
    notePlaceholder();
}

void VideoWidget::notePlaceholder() {
    const bool shown = showsPlaceholder();
    if (shown != placeholderShown_) {
        placeholderShown_ = shown;
        Q_EMIT placeholderShownChanged(shown);
    }
}

void VideoWidget::setBackground(const QColor &colour) {
    background_ = colour;
    bars_ = colour;
    update();
}

void VideoWidget::clear() {
    sink_->retireElements();  // the ended call's pipeline may still deliver until it is destroyed
    frame_ = QImage();
    blackSince_.invalidate();
    stale_ = true;
    staleTimer_.stop();
    update();
    notePlaceholder();
}

bool VideoWidget::showsPlaceholder() const {
    return covered_ || stale_ || frame_.isNull() || showsBlackAsCameraOff();
}

void VideoWidget::setBlackMeansCameraOff(bool on, const QString &text) {
    blackForCameraOff_ = on;
    blackText_ = text;
    update();
    notePlaceholder();
}

// 64 samples on a grid: all of them (near) pure black. Camera-off frames are exactly black; a dark
// room through a real sensor has noise well above this.
bool VideoWidget::isBlack(const QImage &frame) {
    for (int row = 0; row < 8; ++row) {
        for (int column = 0; column < 8; ++column) {
            const QRgb pixel =
                frame.pixel((2 * column + 1) * frame.width() / 16, (2 * row + 1) * frame.height() / 16);
            if (qRed(pixel) > 8 || qGreen(pixel) > 8 || qBlue(pixel) > 8) {
                return false;
            }
        }
    }
    return true;
}

void VideoWidget::takeFrame() {
    QImage frame = sink_->takeFrame();
    if (frame.isNull()) {
        return;
    }
    const bool first = frame_.isNull();
    frame_ = std::move(frame);
    if (blackForCameraOff_) {
        if (!isBlack(frame_)) {
            blackSince_.invalidate();
        } else if (!blackSince_.isValid()) {
            blackSince_.start();
        }
    }
    framePainted_ = false;
    sinceFrame_.start();
    stale_ = false;
    if (!staleTimer_.isActive()) {
        staleTimer_.start();
    }
    update();
    notePlaceholder();
    if (first) {
        Q_EMIT firstFrame();
    }
}

void VideoWidget::checkStale() {
    if (sinceFrame_.isValid() && sinceFrame_.elapsed() > kStaleAfterMs) {
        stale_ = true;
        staleTimer_.stop();
        update();
        notePlaceholder();
    }
}

void VideoWidget::resizeEvent(QResizeEvent *event) {
    QWidget::resizeEvent(event);
    if (isVisible()) {
        resizeSettle_.start();
    }
}

void VideoWidget::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    // Until shown, the size is not the real one: frames are converted at their own size.
    sink_->setMaximumSize((QSizeF(size()) * devicePixelRatioF()).toSize());
}

void VideoWidget::setFramed(bool framed) {
    framed_ = framed;
    update();
}

void VideoWidget::paintEvent(QPaintEvent *) {
    QPainter painter(this);
    paintContent(painter);
    if (framed_) {
        painter.setPen(QPen(QColor(0xe0, 0xe4, 0xea, 200), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect().adjusted(1, 1, -1, -1));
    }
}

void VideoWidget::paintContent(QPainter &painter) {
    if (showsPlaceholder()) {
        painter.fillRect(rect(), background_);
        painter.setPen(QColor(0xd0, 0xd4, 0xdc));
        const QString &text = covered_                                                   ? coverText_
                              : (!stale_ && !frame_.isNull() && showsBlackAsCameraOff()) ? blackText_
                                                                                         : placeholder_;
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, text);
        return;
    }
    // Keep the aspect ratio: fit inside, centre, black bars on the rest.
    const QSize scaled = frame_.size().scaled(size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - scaled.width()) / 2, (height() - scaled.height()) / 2), scaled);
    const QRegion bars = QRegion(rect()).subtracted(QRegion(target));
    for (const QRect &bar : bars) {
        painter.fillRect(bar, bars_);
    }
    // Frames come no larger than the widget (VideoFrameSink shrinks them while converting), so the
    // paint only copies 1:1 or enlarges; enlarging without filtering shows blocks, and filtering
    // costs about 1 ms per 1280x960 frame here (docs/performance.md).
    painter.setRenderHint(QPainter::SmoothPixmapTransform, target.size() != frame_.size());
    painter.drawImage(target, frame_);
    if (!framePainted_) {
        framePainted_ = true;
        ++paintedFrames_;
    }
}

}  // namespace confab::ui
