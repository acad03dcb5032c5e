// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QTest>
#include <QtGlobal>

#include <unistd.h>

// For a test that cannot run here (no root, no network namespaces, a tool or a service missing).
// A developer's machine may well lack them: the test is skipped, and scripts/test names it in its
// summary. As root (CI, and any machine where scripts/deps.sh installs what the tests need) the
// test fails with the reason instead: a skip there would be a test that never ran, counted with
// the passes. CONFAB_TEST_ALLOW_SKIP=1 lets a root shell without namespaces (an unprivileged
// container) skip anyway.
inline bool confabTestMaySkip() {
    return geteuid() != 0 || qEnvironmentVariableIntValue("CONFAB_TEST_ALLOW_SKIP") == 1;
}

// Ends the test function: QSKIP(reason), or as root QFAIL saying why it could not run.
#define CONFAB_CANNOT_RUN(reason)                                                                   \
    do {                                                                                            \
        const QString confabWhy = (reason);                                                         \
        if (confabTestMaySkip()) {                                                                  \
            QSKIP(qPrintable(confabWhy));                                                           \
        }                                                                                           \
        QFAIL(qPrintable(                                                                           \
            QStringLiteral("cannot run, and as root every test must (set CONFAB_TEST_ALLOW_SKIP=1 " \
                           "to skip anyway): ") +                                                   \
            confabWhy));                                                                            \
    } while (false)
