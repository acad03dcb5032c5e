// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallIcons.h"

#include <QPainter>
#include <QPainterPath>

namespace confab::ui {

namespace {

// The theme's names for each glyph, most specific first (Adwaita's symbolic names, then the
// freedesktop naming specification's, then Breeze's).
QStringList themeNames(CallIcons::Glyph glyph) {
    using G = CallIcons::Glyph;
    switch (glyph) {
        case G::Microphone:
            return {QStringLiteral("audio-input-microphone-symbolic"),
                    QStringLiteral("audio-input-microphone")};
        case G::MicrophoneMuted:
            return {QStringLiteral("microphone-disabled-symbolic"),
                    QStringLiteral("microphone-sensitivity-muted-symbolic"),
                    QStringLiteral("microphone-sensitivity-muted")};
        case G::Camera:
            return {QStringLiteral("camera-web-symbolic"), QStringLiteral("camera-web")};
        case G::CameraOff:
            return {QStringLiteral("camera-disabled-symbolic"), QStringLiteral("camera-off")};
        case G::ScreenShare:
            return {QStringLiteral("screen-shared-symbolic"), QStringLiteral("video-display-symbolic"),
                    QStringLiteral("video-display")};
        case G::Chat:
            return {QStringLiteral("chat-message-new-symbolic"), QStringLiteral("dialog-messages")};
        case G::Statistics:
            return {QStringLiteral("utilities-system-monitor-symbolic"), QStringLiteral("view-statistics")};
        case G::FullScreen:
            return {QStringLiteral("view-fullscreen-symbolic"), QStringLiteral("view-fullscreen")};
        case G::LeaveFullScreen:
            return {QStringLiteral("view-restore-symbolic"), QStringLiteral("view-restore")};
        case G::HangUp:
            return {QStringLiteral("call-stop-symbolic"), QStringLiteral("call-stop")};
        case G::HideSelfView:
            return {QStringLiteral("go-down-symbolic"), QStringLiteral("go-down")};
        case G::ShowSelfView:
            return {QStringLiteral("go-up-symbolic"), QStringLiteral("go-up")};
    }
    return {};
}

// The theme's picture as a mask, filled with `colour`: symbolic icons are drawn for light
// backgrounds, and a colour icon still reads as its silhouette.
QPixmap tinted(const QIcon &icon, int size, const QColor &colour) {
    QPixmap pixmap = icon.pixmap(size, size);
    if (pixmap.isNull()) {
        return {};
    }
    QPainter painter(&pixmap);
    painter.setCompositionMode(QPainter::CompositionMode_SourceIn);
    painter.fillRect(pixmap.rect(), colour);
    return pixmap;
}

void slash(QPainter &painter) {
    painter.drawLine(QPointF(4, 3.5), QPointF(20.5, 20));
}

}  // namespace

QIcon CallIcons::icon(Glyph off, Glyph on) {
    QIcon result;
    for (int size : {20, 24, 32, 48}) {
        result.addPixmap(pixmap(off, size, kLight), QIcon::Normal, QIcon::Off);
        result.addPixmap(pixmap(on, size, kDark), QIcon::Normal, QIcon::On);
        QColor faded = kLight;
        faded.setAlphaF(0.35);
        result.addPixmap(pixmap(off, size, faded), QIcon::Disabled, QIcon::Off);
        result.addPixmap(pixmap(on, size, faded), QIcon::Disabled, QIcon::On);
    }
    return result;
}

QPixmap CallIcons::pixmap(Glyph glyph, int size, const QColor &colour) {
    for (const QString &name : themeNames(glyph)) {
        if (QIcon::hasThemeIcon(name)) {
            const QPixmap themed = tinted(QIcon::fromTheme(name), size, colour);
            if (!themed.isNull()) {
                return themed;
            }
        }
    }
    return drawn(glyph, size, colour);
}

// Line drawings on a 24x24 grid, in the spirit of the symbolic icon themes: 2-unit strokes with
// round ends, a few filled shapes.
QPixmap CallIcons::drawn(Glyph glyph, int size, const QColor &colour) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(size / 24.0, size / 24.0);
    QPen pen(colour, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    using G = Glyph;
    switch (glyph) {
        case G::Microphone:
        case G::MicrophoneMuted: {
            painter.setBrush(colour);
            painter.drawRoundedRect(QRectF(9, 2.5, 6, 11.5), 3, 3);
            painter.setBrush(Qt::NoBrush);
            QPainterPath cup;
            cup.moveTo(5.5, 10.5);
            cup.cubicTo(5.5, 19.5, 18.5, 19.5, 18.5, 10.5);
            painter.drawPath(cup);
            painter.drawLine(QPointF(12, 17.3), QPointF(12, 21));
            painter.drawLine(QPointF(8.5, 21), QPointF(15.5, 21));
            if (glyph == G::MicrophoneMuted) {
                slash(painter);
            }
            break;
        }
        case G::Camera:
        case G::CameraOff: {
            painter.drawRoundedRect(QRectF(2.5, 6.5, 13, 11), 2.5, 2.5);
            QPainterPath lens;
            lens.moveTo(15.5, 10.5);
            lens.lineTo(21, 7.2);
            lens.lineTo(21, 16.8);
            lens.lineTo(15.5, 13.5);
            lens.closeSubpath();
            painter.setBrush(colour);
            painter.drawPath(lens);
            if (glyph == G::CameraOff) {
                slash(painter);
            }
            break;
        }
        case G::ScreenShare:
            painter.drawRoundedRect(QRectF(2.5, 3.5, 19, 13.5), 2, 2);
            painter.drawLine(QPointF(12, 17), QPointF(12, 20.5));
            painter.drawLine(QPointF(8, 20.5), QPointF(16, 20.5));
            painter.drawLine(QPointF(12, 13.5), QPointF(12, 7.5));
            painter.drawPolyline(QPolygonF({QPointF(9, 10.2), QPointF(12, 7.2), QPointF(15, 10.2)}));
            break;
        case G::Chat: {
            QPainterPath bubble;
            bubble.addRoundedRect(QRectF(2.5, 3.5, 19, 13.5), 4, 4);
            QPainterPath tail;
            tail.moveTo(6.5, 16);
            tail.lineTo(6.5, 21);
            tail.lineTo(12, 16);
            tail.closeSubpath();
            painter.drawPath(bubble.united(tail));
            painter.setBrush(colour);
            painter.setPen(Qt::NoPen);
            for (qreal x : {8.0, 12.0, 16.0}) {
                painter.drawEllipse(QPointF(x, 10.2), 1.3, 1.3);
            }
            break;
        }
        case G::Statistics:
            painter.setPen(Qt::NoPen);
            painter.setBrush(colour);
            painter.drawRoundedRect(QRectF(4, 13, 4, 8), 1, 1);
            painter.drawRoundedRect(QRectF(10, 8, 4, 13), 1, 1);
            painter.drawRoundedRect(QRectF(16, 3, 4, 18), 1, 1);
            break;
        case G::FullScreen:
            painter.drawPolyline(QPolygonF({QPointF(3, 9), QPointF(3, 3), QPointF(9, 3)}));
            painter.drawPolyline(QPolygonF({QPointF(15, 3), QPointF(21, 3), QPointF(21, 9)}));
            painter.drawPolyline(QPolygonF({QPointF(21, 15), QPointF(21, 21), QPointF(15, 21)}));
            painter.drawPolyline(QPolygonF({QPointF(9, 21), QPointF(3, 21), QPointF(3, 15)}));
            break;
        case G::LeaveFullScreen:
            painter.drawPolyline(QPolygonF({QPointF(3, 9), QPointF(9, 9), QPointF(9, 3)}));
            painter.drawPolyline(QPolygonF({QPointF(15, 3), QPointF(15, 9), QPointF(21, 9)}));
            painter.drawPolyline(QPolygonF({QPointF(21, 15), QPointF(15, 15), QPointF(15, 21)}));
            painter.drawPolyline(QPolygonF({QPointF(9, 21), QPointF(9, 15), QPointF(3, 15)}));
            break;
        case G::HangUp: {
            // A handset lying down: the receiver's arc and its two ends.
            painter.setPen(Qt::NoPen);
            painter.setBrush(colour);
            QPainterPath handset;
            handset.moveTo(1.8, 14.2);
            handset.cubicTo(1.4, 11.6, 6.2, 8.2, 12, 8.2);
            handset.cubicTo(17.8, 8.2, 22.6, 11.6, 22.2, 14.2);
            handset.lineTo(21.8, 16.0);
            handset.cubicTo(21.6, 16.8, 20.9, 17.2, 20.1, 17.0);
            handset.lineTo(16.9, 16.2);
            handset.cubicTo(16.2, 16.0, 15.8, 15.4, 15.8, 14.7);
            handset.lineTo(15.8, 12.9);
            handset.cubicTo(13.5, 12.2, 10.5, 12.2, 8.2, 12.9);
            handset.lineTo(8.2, 14.7);
            handset.cubicTo(8.2, 15.4, 7.8, 16.0, 7.1, 16.2);
            handset.lineTo(3.9, 17.0);
            handset.cubicTo(3.1, 17.2, 2.4, 16.8, 2.2, 16.0);
            handset.closeSubpath();
            painter.drawPath(handset);
            break;
        }
        case G::HideSelfView:
            painter.drawPolyline(QPolygonF({QPointF(6, 9), QPointF(12, 15), QPointF(18, 9)}));
            break;
        case G::ShowSelfView:
            painter.drawRoundedRect(QRectF(3.5, 5.5, 17, 13), 2, 2);
            painter.setBrush(colour);
            painter.drawRoundedRect(QRectF(11, 11, 7, 5), 1, 1);
            break;
    }
    return pixmap;
}

}  // namespace confab::ui
