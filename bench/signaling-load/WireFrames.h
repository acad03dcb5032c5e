// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>

#include <optional>
#include <string>
#include <string_view>

namespace confab::bench {

// The few protocol frames the bench writes, and cheap lookups in the frames it reads. Nothing here
// builds a JSON tree: the bench must stay cheaper than the server it measures, so frames are
// written with snprintf and read by looking for the members the bench needs.
//
// Lookups find the first occurrence of `"key"` followed by a colon, which is the top-level member
// for every frame the bench receives (their nested objects have no `type`, `name` or `success`).

// The raw value of member `key` (from its first byte to the end of the frame), if present.
std::optional<std::string_view> memberValue(std::string_view frame, std::string_view key);
// The raw text of a string member (escapes left as they are), if present and a string.
std::optional<std::string_view> stringMember(std::string_view frame, std::string_view key);
// True when member `key` is the literal `true`.
bool isTrue(std::string_view frame, std::string_view key);

std::string loginFrame(std::string_view name);

// Relayed candidates carry their send time (monotonic µs) inside the candidate string, as a
// `bench-ts` extension attribute: a server that decodes and re-encodes candidates keeps it, unlike
// an extra member. Optional padding (`bench-pad`) brings each frame to the requested size.
class CandidateWriter {
public:
    // `nameWidth` is the length of every client name, so every frame has the same size.
    CandidateWriter(int messageBytes, int nameWidth);

    // The frame to send to `target`, stamped with `sendUs`; valid until the next call.
    const std::string &write(std::string_view target, gint64 sendUs);
    int frameBytes() const { return frameBytes_; }

private:
    std::string padding_;
    std::string buffer_;
    int frameBytes_ = 0;
};

// The send time stamped by CandidateWriter, if the frame carries one.
std::optional<gint64> sendStamp(std::string_view frame);

// `text` as a JSON string literal, quotes included.
std::string jsonQuoted(std::string_view text);

}  // namespace confab::bench
