// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

namespace confab::ui {

// Loads the app's own translation (confab_LANG.qm, from resources/translations/*.ts) for a locale,
// and Qt's (qtbase_LANG.qm: the standard buttons and dialogs) when the system has it. Looks in
// $CONFAB_TRANSLATIONS_DIR, next to an installed program (../share/confab/translations) and in the
// build tree, in that order. English needs nothing: it is the source language.
class Translations {
public:
    // Installs the translators into the application, which owns them; false when the app has no
    // translation for `locale` (it then stays in English).
    static bool install(const QLocale &locale);
    static QStringList searchPaths();
};

}  // namespace confab::ui
