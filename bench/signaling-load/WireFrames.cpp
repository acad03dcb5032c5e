// SPDX-License-Identifier: GPL-3.0-or-later
#include "WireFrames.h"

#include <cinttypes>
#include <cstdio>

namespace confab::bench {
namespace {

constexpr std::string_view kStampAttribute = " bench-ts ";
constexpr int kStampDigits = 15;  // fixed width, so every frame has the same size

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::optional<std::string_view> memberValue(std::string_view frame, std::string_view key) {
    size_t from = 0;
    while (true) {
        const size_t at = frame.find(key, from);
        if (at == std::string_view::npos) {
            return std::nullopt;
        }
        from = at + key.size();
        if (at == 0 || frame[at - 1] != '"' || from >= frame.size() || frame[from] != '"') {
            continue;
        }
        size_t i = from + 1;
        while (i < frame.size() && isSpace(frame[i])) {
            ++i;
        }
        if (i >= frame.size() || frame[i] != ':') {
            continue;  // a string value that happens to equal the key
        }
        ++i;
        while (i < frame.size() && isSpace(frame[i])) {
            ++i;
        }
        return frame.substr(i);
    }
}

std::optional<std::string_view> stringMember(std::string_view frame, std::string_view key) {
    const std::optional<std::string_view> value = memberValue(frame, key);
    if (!value || value->empty() || value->front() != '"') {
        return std::nullopt;
    }
    for (size_t i = 1; i < value->size(); ++i) {
        if ((*value)[i] == '\\') {
            ++i;
        } else if ((*value)[i] == '"') {
            return value->substr(1, i - 1);
        }
    }
    return std::nullopt;
}

bool isTrue(std::string_view frame, std::string_view key) {
    const std::optional<std::string_view> value = memberValue(frame, key);
    return value && value->substr(0, 4) == "true";
}

std::string loginFrame(std::string_view name) {
    return "{\"type\":\"login\",\"name\":" + jsonQuoted(name) + "}";
}

CandidateWriter::CandidateWriter(int messageBytes, int nameWidth) {
    const std::string target(size_t(nameWidth), 'x');
    write(target, 0);
    const int natural = frameBytes_;
    // Padding is " bench-pad " and at least one character: a frame is either its natural size or
    // at least 12 bytes larger.
    constexpr int kPadAttributeBytes = 11;
    const int padCharacters = messageBytes - natural - kPadAttributeBytes;
    if (padCharacters >= 1) {
        padding_ = " bench-pad " + std::string(size_t(padCharacters), 'p');
        write(target, 0);
    }
}

const std::string &CandidateWriter::write(std::string_view target, gint64 sendUs) {
    // The candidate from the protocol documentation, with generation 0 as browsers send it.
    constexpr std::string_view head =
        "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:842163049 1 udp 1677729535 "
        "192.168.1.2 56143 typ host generation 0";
    constexpr std::string_view middle = "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},\"name\":\"";
    char stamp[kStampDigits + 1];
    std::snprintf(stamp, sizeof stamp, "%0*" G_GINT64_FORMAT, kStampDigits, sendUs);
    buffer_.clear();
    buffer_.append(head).append(kStampAttribute).append(stamp).append(padding_).append(middle);
    buffer_.append(target).append("\"}");
    frameBytes_ = int(buffer_.size());
    return buffer_;
}

std::optional<gint64> sendStamp(std::string_view frame) {
    const size_t at = frame.find(kStampAttribute);
    if (at == std::string_view::npos || at + kStampAttribute.size() + kStampDigits > frame.size()) {
        return std::nullopt;
    }
    gint64 value = 0;
    for (size_t i = at + kStampAttribute.size(), end = i + kStampDigits; i < end; ++i) {
        if (frame[i] < '0' || frame[i] > '9') {
            return std::nullopt;
        }
        value = value * 10 + (frame[i] - '0');
    }
    return value;
}

std::string jsonQuoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace confab::bench
