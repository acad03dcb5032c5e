// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <algorithm>

// A bound for a wait in a test, in milliseconds, times CONFAB_TEST_TIME_SCALE: the sanitizer
// builds run several times slower and `scripts/test --sanitize` sets it to 3.
inline int scaled(int ms) {
    return ms * std::max(1, qEnvironmentVariableIntValue("CONFAB_TEST_TIME_SCALE"));
}
