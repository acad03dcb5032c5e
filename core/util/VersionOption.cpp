// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/VersionOption.h"

#include "confab/Version.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

namespace confab {

QCommandLineOption VersionOption::option() {
    return QCommandLineOption(
        {QStringLiteral("v"), QStringLiteral("version")},
        QCoreApplication::translate("confab::VersionOption", "Displays version information."));
}

QString VersionOption::text(const QString &program) {
    return QStringLiteral("%1 %2\n").arg(program, QString::fromLatin1(kVersion)) +
           QCoreApplication::translate("confab::VersionOption",
                                       "Copyright (C) 2026 Confab maintainers.\n"
                                       "License GPL-3.0-or-later: GNU GPL version 3 or later "
                                       "<https://www.gnu.org/licenses/gpl-3.0.html>.\n"
                                       "This is free software: you are free to change and redistribute it.\n"
                                       "There is NO WARRANTY, to the extent permitted by law.\n");
}

bool VersionOption::handle(const QCommandLineParser &parser, const QString &program) {
    if (!parser.isSet(QStringLiteral("version"))) {
        return false;
    }
    std::fputs(text(program).toLocal8Bit().constData(), stdout);
    return true;
}

}  // namespace confab
