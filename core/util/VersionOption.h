// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>

namespace confab {

// --version of every Confab program: the version and the licence, as GNU programs print them.
// QCommandLineParser's own version option prints the version alone.
class VersionOption {
public:
    static QCommandLineOption option();
    // "confab-call 0.1.0", then the copyright and licence lines.
    static QString text(const QString &program);
    // If --version was given: prints text() on stdout and returns true (the caller exits 0).
    static bool handle(const QCommandLineParser &parser, const QString &program);
};

}  // namespace confab
