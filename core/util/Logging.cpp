// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/Logging.h"

Q_LOGGING_CATEGORY(lcProtocol, "confab.protocol", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSignaling, "confab.signaling", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "confab.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCluster, "confab.cluster", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCall, "confab.call", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMedia, "confab.media", QtInfoMsg)
