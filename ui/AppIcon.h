// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QIcon>
#include <QPixmap>
#include <QString>

namespace confab::ui {

// Confab's pictures drawn in code: the app icon (the same drawing as
// resources/icons/hicolor/scalable/apps/confab.svg, so no SVG image plugin is needed) and the
// round initial-letter avatars shown for people.
class AppIcon {
public:
    static QIcon icon();
    // The app icon with a red dot in its corner: something waits to be seen (a missed call).
    static QIcon iconWithBadge();
    static QPixmap pixmap(int size);
    // A coloured disc with the person's first letter; the colour is stable for a name.
    static QPixmap avatar(const QString &name, int size);
    static QColor colorFor(const QString &name);
};

}  // namespace confab::ui
