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

}  // namespace confab::protocol
