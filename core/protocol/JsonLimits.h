// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

namespace confab::protocol {

// Bounds checked before a frame reaches json-glib. json-glib 1.6 recurses once per nesting
// level and overflows its stack near 80,000 levels, so depth is pre-scanned on the raw bytes.
struct JsonLimits {
    qsizetype maxBytes = 65536;
    int maxDepth = 32;
};

// True when arrays/objects nest deeper than maxDepth (brackets inside strings do not count).
bool nestsDeeperThan(QByteArrayView json, int maxDepth);

// True when a string in (valid) JSON holds an escape json-glib 1.6 cannot carry unchanged:
// \u0000 (it cuts the string there, so "ali\u0000ce" would sign in as "ali"), an unpaired
// surrogate such as \ud800 (it stores invalid UTF-8, which libsoup then refuses to send on), or
// \u001f (it writes that one back unescaped, which is not JSON).
bool hasUnsupportedEscape(QByteArrayView json);

}  // namespace confab::protocol
