// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/JsonLimits.h"

#include <optional>

namespace confab::protocol {
namespace {

// The UTF-16 unit of the four hex digits at json[at], or nothing when they are not all there.
std::optional<char16_t> hexUnit(QByteArrayView json, qsizetype at) {
    if (at + 4 > json.size()) {
        return std::nullopt;
    }
    char16_t unit = 0;
    for (qsizetype i = at; i < at + 4; ++i) {
        const char c = json[i];
        const int digit = (c >= '0' && c <= '9')   ? c - '0'
                          : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                          : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                   : -1;
        if (digit < 0) {
            return std::nullopt;
        }
        unit = char16_t(unit * 16 + digit);
    }
    return unit;
}

bool isHighSurrogate(char16_t unit) {
    return unit >= 0xd800 && unit <= 0xdbff;
}

bool isLowSurrogate(char16_t unit) {
    return unit >= 0xdc00 && unit <= 0xdfff;
}

}  // namespace

bool nestsDeeperThan(QByteArrayView json, int maxDepth) {
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : json) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                inString = true;
                break;
            case '[':
            case '{':
                if (++depth > maxDepth) {
                    return true;
                }
                break;
            case ']':
            case '}':
                --depth;
                break;
            default:
                break;
        }
    }
    return false;
}

bool hasUnsupportedEscape(QByteArrayView json) {
    if (!json.contains("\\u")) {
        return false;  // the common case, found without walking the strings
    }
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c == '"') {
            inString = !inString;
        } else if (inString && c == '\\') {
            ++i;  // json[i] is now the escaped character, which cannot end the string
            if (i >= json.size() || json[i] != 'u') {
                continue;
            }
            const std::optional<char16_t> unit = hexUnit(json, i + 1);
            if (!unit) {
                continue;  // not valid JSON; json-glib refuses it
            }
            if (*unit == 0x0000 || *unit == 0x001f || isLowSurrogate(*unit)) {
                return true;
            }
            i += 4;
            if (isHighSurrogate(*unit)) {
                const bool escapedNext = i + 2 < json.size() && json[i + 1] == '\\' && json[i + 2] == 'u';
                const std::optional<char16_t> low = escapedNext ? hexUnit(json, i + 3) : std::nullopt;
                if (!low || !isLowSurrogate(*low)) {
                    return true;
                }
                i += 6;
            }
        }
    }
    return false;
}

}  // namespace confab::protocol
