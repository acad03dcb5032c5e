// SPDX-License-Identifier: GPL-3.0-or-later
#include "AppIcon.h"

#include <QPainter>
#include <QPainterPath>

namespace confab::ui {

QIcon AppIcon::icon() {
    QIcon icon;
    for (int size : {16, 22, 32, 48, 64, 128, 256}) {
        icon.addPixmap(pixmap(size));
    }
    return icon;
}

QIcon AppIcon::iconWithBadge() {
    QIcon icon;
    for (int size : {16, 22, 32, 48, 64}) {
        QPixmap marked = pixmap(size);
        QPainter painter(&marked);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal radius = size * 0.22;
        painter.setPen(QPen(Qt::white, qMax(1.0, size / 24.0)));
        painter.setBrush(QColor(0xe0, 0x1b, 0x24));
        painter.drawEllipse(QPointF(size - radius - 0.5, radius + 0.5), radius, radius);
        painter.end();
        icon.addPixmap(marked);
    }
    return icon;
}

QPixmap AppIcon::pixmap(int size) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(size / 128.0, size / 128.0);  // the SVG's 128x128 grid
    painter.setPen(Qt::NoPen);

    // Bubble: a rounded rectangle with a tail towards the bottom left.
    QPainterPath bubble;
    bubble.addRoundedRect(QRectF(8, 12, 112, 88), 20, 20);
    QPainterPath tail;
    tail.moveTo(24, 90);
    tail.lineTo(52, 100);
    tail.lineTo(26, 120);
    tail.quadTo(19.6, 122, 19.6, 116.8);
    tail.closeSubpath();
    painter.setBrush(QColor(0x2b, 0x7d, 0xe9));
    painter.drawPath(bubble.united(tail));

    // Camera body and lens housing.
    painter.setBrush(Qt::white);
    painter.drawRoundedRect(QRectF(26, 36, 50, 40), 8, 8);
    QPainterPath lens;
    lens.moveTo(80, 50);
    lens.lineTo(98, 39);
    lens.quadTo(102.5, 37.5, 102.5, 41.6);
    lens.lineTo(102.5, 72.4);
    lens.quadTo(102.5, 76.5, 98, 75);
    lens.lineTo(80, 64);
    lens.closeSubpath();
    painter.drawPath(lens);

    // Recording light.
    painter.setBrush(QColor(0xff, 0x9f, 0x1c));
    painter.drawEllipse(QPointF(38, 48), 5, 5);
    return pixmap;
}

QColor AppIcon::colorFor(const QString &name) {
    // A fixed palette of calm colours, picked by a stable hash (qHash is seeded per process).
    static const QColor palette[] = {
        QColor(0x2b, 0x7d, 0xe9), QColor(0x1b, 0x9e, 0x77), QColor(0xd9, 0x5f, 0x02),
        QColor(0x75, 0x70, 0xb3), QColor(0xe7, 0x29, 0x8a), QColor(0x66, 0xa6, 0x1e),
        QColor(0xa6, 0x76, 0x1d), QColor(0x1f, 0x78, 0xb4),
    };
    uint hash = 5381;
    for (QChar c : name) {
        hash = hash * 33 + c.unicode();
    }
    return palette[hash % (sizeof(palette) / sizeof(palette[0]))];
}

QPixmap AppIcon::avatar(const QString &name, int size) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colorFor(name));
    painter.drawEllipse(QRectF(0, 0, size, size));
    // The first letter or digit ("<b>x</b>" shows B): punctuation makes a poor picture.
    QString letter = QStringLiteral("?");
    for (const QChar c : name) {
        if (c.isLetterOrNumber()) {
            letter = QString(c).toUpper();
            break;
        }
    }
    QFont font = painter.font();
    font.setPixelSize(qMax(8, size * 9 / 20));
    font.setBold(true);
    painter.setFont(font);
    painter.setPen(Qt::white);
    // drawText with a plain string: no markup is ever interpreted.
    painter.drawText(QRectF(0, 0, size, size), Qt::AlignCenter, letter);
    return pixmap;
}

}  // namespace confab::ui
