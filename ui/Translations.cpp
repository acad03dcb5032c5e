// SPDX-License-Identifier: GPL-3.0-or-later
#include "Translations.h"

#include "UiLogging.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QTranslator>

namespace confab::ui {

QStringList Translations::searchPaths() {
    QStringList paths;
    if (qEnvironmentVariableIsSet("CONFAB_TRANSLATIONS_DIR")) {
        paths << qEnvironmentVariable("CONFAB_TRANSLATIONS_DIR");
    }
    paths << QDir(QCoreApplication::applicationDirPath())
                 .filePath(QStringLiteral("../share/confab/translations"));
    paths << QStringLiteral(CONFAB_BUILD_TRANSLATIONS_DIR);
    return paths;
}

bool Translations::install(const QLocale &locale) {
    auto *app = QCoreApplication::instance();
    bool found = false;
    for (const QString &path : searchPaths()) {
        auto *translator = new QTranslator(app);
        // Tries confab_de_DE, then confab_de, for each of the locale's UI languages.
        if (translator->load(locale, QStringLiteral("confab"), QStringLiteral("_"), path)) {
            QCoreApplication::installTranslator(translator);
            qCInfo(lcUi).noquote() << "texts in" << translator->language() << "from"
                                   << translator->filePath();
            found = true;
            break;
        }
        delete translator;
    }
    if (!found) {
        return false;
    }
    auto *qt = new QTranslator(app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
    } else {
        delete qt;  // Qt's own buttons stay in English (Debian: qt6-translations-l10n)
    }
    return true;
}

}  // namespace confab::ui
