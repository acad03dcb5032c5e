// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/Message.h"

#include <QString>

#include <optional>

namespace confab::protocol {

// The longest name, counted in characters (Unicode code points), not bytes.
inline constexpr int kMaxNameLength = 64;

// Why a name cannot be used to sign in, or nothing when it can. Names are shown to other people,
// so they must be visible text: not empty, not too long, no control characters, no padding.
std::optional<ProtocolError> checkName(const QString &name);

}  // namespace confab::protocol
