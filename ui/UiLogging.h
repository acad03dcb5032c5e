// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

// The desktop app's log category (core has its own per area; this one stays out of core).
Q_DECLARE_LOGGING_CATEGORY(lcUi)
