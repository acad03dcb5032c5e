// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/FrameScanner.h"

#include <QCoreApplication>

namespace confab::protocol {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("confab", text);
}

}  // namespace

// A strict recursive-descent validator; recursion is bounded by JsonLimits::maxDepth.
class FrameParser {
public:
    FrameParser(QByteArrayView text, int maxDepth, FrameScanner *out) : s_(text), maxDepth_(maxDepth), out_(out) {}

    bool run(QString *why) {
        skipSpace();
        if (at_ >= s_.size()) {
            *why = tr("The message is empty.");
            return false;
        }
        if (s_[at_] != '{') {
            notObject_ = true;
            *why = tr("The message is not a JSON object.");
            // Still validate, so that malformed input is reported as such.
            if (!value(0)) {
                *why = failure_;
            }
            return false;
        }
        if (!object(0, true)) {
            *why = failure_;
            return false;
        }
        skipSpace();
        if (at_ != s_.size()) {
            *why = tr("The message is not valid JSON: unexpected data after the object.");
            return false;
        }
        return true;
    }

    bool tooDeep() const { return tooDeep_; }
    bool malformed() const { return !tooDeep_ && !notObjectOnly(); }
    bool notObjectOnly() const { return notObject_ && failure_.isEmpty(); }

private:
    bool fail(const char *what) {
        if (failure_.isEmpty()) {
            failure_ = tr("The message is not valid JSON: %1 at byte %2.").arg(tr(what)).arg(at_);
        }
        return false;
    }

    void skipSpace() {
        while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r')) {
            ++at_;
        }
    }

    bool literal(const char *word) {
        const qsizetype length = qsizetype(strlen(word));
        if (s_.sliced(at_).startsWith(QByteArrayView(word, length))) {
            at_ += length;
            return true;
        }
        return fail("an unknown word");
    }

    bool string() {
        ++at_;  // opening quote
        while (at_ < s_.size()) {
            const auto c = static_cast<unsigned char>(s_[at_]);
            if (c == '"') {
                ++at_;
                return true;
            }
            if (c < 0x20) {
                return fail("a control character in a string");
            }
            if (c == '\\') {
                if (++at_ >= s_.size()) {
                    break;
                }
                const char e = s_[at_];
                if (e == 'u') {
                    for (int i = 1; i <= 4; ++i) {
                        if (at_ + i >= s_.size() || !isxdigit(static_cast<unsigned char>(s_[at_ + i]))) {
                            return fail("a bad \\u escape");
                        }
                    }
                    at_ += 4;
                } else if (!strchr("\"\\/bfnrt", e)) {
                    return fail("a bad escape");
                }
            }
            ++at_;
        }
        return fail("an unterminated string");
    }

    bool number() {
        const qsizetype start = at_;
        if (s_[at_] == '-') {
            ++at_;
        }
        if (at_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[at_]))) {
            return fail("a bad number");
        }
        if (s_[at_] == '0') {
            ++at_;
        } else {
            while (at_ < s_.size() && isdigit(static_cast<unsigned char>(s_[at_]))) {
                ++at_;
            }
        }
        if (at_ < s_.size() && s_[at_] == '.') {
            ++at_;
            if (at_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[at_]))) {
                return fail("a bad number");
            }
            while (at_ < s_.size() && isdigit(static_cast<unsigned char>(s_[at_]))) {
                ++at_;
            }
        }
        if (at_ < s_.size() && (s_[at_] == 'e' || s_[at_] == 'E')) {
            ++at_;
            if (at_ < s_.size() && (s_[at_] == '+' || s_[at_] == '-')) {
                ++at_;
            }
            if (at_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[at_]))) {
                return fail("a bad number");
            }
            while (at_ < s_.size() && isdigit(static_cast<unsigned char>(s_[at_]))) {
                ++at_;
            }
        }
        return at_ > start;
    }

    bool value(int depth, FrameScanner::Kind *kind = nullptr) {
        skipSpace();
        if (at_ >= s_.size()) {
            return fail("a missing value");
        }
        FrameScanner::Kind found;
        bool ok;
        switch (s_[at_]) {
            case '{':
                found = FrameScanner::Kind::Object;
                ok = object(depth + 1, false);
                break;
            case '[':
                found = FrameScanner::Kind::Array;
                ok = array(depth + 1);
                break;
            case '"':
                found = FrameScanner::Kind::String;
                ok = string();
                break;
            case 't':
                found = FrameScanner::Kind::True;
                ok = literal("true");
                break;
            case 'f':
                found = FrameScanner::Kind::False;
                ok = literal("false");
                break;
            case 'n':
                found = FrameScanner::Kind::Null;
                ok = literal("null");
                break;
            default:
                found = FrameScanner::Kind::Number;
                ok = number();
                break;
        }
        if (kind) {
            *kind = found;
        }
        return ok;
    }

    bool enter(int depth) {
        if (depth + 1 > maxDepth_) {
            tooDeep_ = true;
            return fail("nesting too deep");
        }
        return true;
    }

    bool array(int depth) {
        if (!enter(depth)) {
            return false;
        }
        ++at_;
        skipSpace();
        if (at_ < s_.size() && s_[at_] == ']') {
            ++at_;
            return true;
        }
        while (true) {
            if (!value(depth)) {
                return false;
            }
            skipSpace();
            if (at_ < s_.size() && s_[at_] == ',') {
                ++at_;
                continue;
            }
            if (at_ < s_.size() && s_[at_] == ']') {
                ++at_;
                return true;
            }
            return fail("a missing , or ]");
        }
    }

    bool object(int depth, bool topLevel) {
        if (!enter(depth)) {
            return false;
        }
        ++at_;
        skipSpace();
        if (at_ < s_.size() && s_[at_] == '}') {
            ++at_;
            return true;
        }
        while (true) {
            skipSpace();
            if (at_ >= s_.size() || s_[at_] != '"') {
                return fail("a missing member name");
            }
            const qsizetype keyStart = at_ + 1;
            if (!string()) {
                return false;
            }
            const QByteArrayView key = s_.sliced(keyStart, at_ - 1 - keyStart);
            skipSpace();
            if (at_ >= s_.size() || s_[at_] != ':') {
                return fail("a missing :");
            }
            ++at_;
            skipSpace();
            FrameScanner::Member member;
            member.key = key;
            member.begin = at_;
            if (!value(depth, &member.kind)) {
                return false;
            }
            member.end = at_;
            if (topLevel) {
                for (const FrameScanner::Member &other : out_->members_) {
                    out_->duplicateKeys_ = out_->duplicateKeys_ || other.key == key;
                }
                out_->members_.push_back(member);
            }
            skipSpace();
            if (at_ < s_.size() && s_[at_] == ',') {
                ++at_;
                continue;
            }
            if (at_ < s_.size() && s_[at_] == '}') {
                ++at_;
                return true;
            }
            return fail("a missing , or }");
        }
    }

    QByteArrayView s_;
    qsizetype at_ = 0;
    int maxDepth_;
    FrameScanner *out_;
    bool tooDeep_ = false;
    bool notObject_ = false;
    QString failure_;
};

std::optional<FrameScanner> FrameScanner::scan(QByteArrayView text, const JsonLimits &limits, ProtocolError *error) {
    if (text.size() > limits.maxBytes) {
        *error = {ErrorCode::TooLarge,
                  tr("The message is %1 bytes; the limit is %2 bytes.").arg(text.size()).arg(limits.maxBytes)};
        return std::nullopt;
    }
    FrameScanner scanner(text);
    FrameParser parser(text, limits.maxDepth, &scanner);
    QString why;
    if (!parser.run(&why)) {
        const ErrorCode code = parser.tooDeep()         ? ErrorCode::TooDeep
                               : parser.notObjectOnly() ? ErrorCode::BadMessage
                                                        : ErrorCode::MalformedJson;
        *error = {code, code == ErrorCode::TooDeep ? tr("The message nests deeper than %1 levels.").arg(limits.maxDepth)
                                                   : why};
        return std::nullopt;
    }
    // Relayed bytes would pass unchanged, but the receiving clients parse with json-glib too,
    // which would cut or corrupt these: the same rule as for everything the server reads.
    if (hasUnsupportedEscape(text)) {
        *error = {ErrorCode::BadMessage, tr("The message contains \\u0000, \\u001f or an unpaired surrogate in "
                                            "its text, which cannot be passed on unchanged.")};
        return std::nullopt;
    }
    return scanner;
}

const FrameScanner::Member *FrameScanner::member(QByteArrayView key) const {
    const Member *found = nullptr;
    for (const Member &m : members_) {
        if (m.key == key) {
            if (found) {
                return nullptr;  // ambiguous: refuse rather than guess which one counts
            }
            found = &m;
        }
    }
    return found;
}

std::optional<QString> FrameScanner::string(QByteArrayView key) const {
    const Member *m = member(key);
    if (!m || m->kind != Kind::String) {
        return std::nullopt;
    }
    const QByteArrayView raw = text_.sliced(m->begin + 1, m->end - m->begin - 2);
    if (!raw.contains('\\')) {
        return QString::fromUtf8(raw);
    }
    QString result;
    QByteArray pending;  // UTF-8 bytes not yet converted
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
            pending.append(raw[i]);
            continue;
        }
        result += QString::fromUtf8(pending);
        pending.clear();
        const char e = raw[++i];
        switch (e) {
            case 'b': result += QLatin1Char('\b'); break;
            case 'f': result += QLatin1Char('\f'); break;
            case 'n': result += QLatin1Char('\n'); break;
            case 'r': result += QLatin1Char('\r'); break;
            case 't': result += QLatin1Char('\t'); break;
            case 'u':
                result += QChar(char16_t(raw.sliced(i + 1, 4).toByteArray().toUShort(nullptr, 16)));
                i += 4;
                break;
            default: result += QLatin1Char(e); break;  // " \ /
        }
    }
    return result + QString::fromUtf8(pending);
}

QByteArray FrameScanner::quoted(const QString &value) {
    QByteArray out;
    out.reserve(value.size() + 2);
    out.append('"');
    for (const char c : value.toUtf8()) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.append('\\').append(c);
        } else if (u < 0x20) {
            out.append(QByteArray("\\u00") + QByteArray::number(u, 16).rightJustified(2, '0'));
        } else {
            out.append(c);
        }
    }
    out.append('"');
    return out;
}

QByteArray FrameScanner::withString(QByteArrayView key, const QString &value) const {
    const Member *m = member(key);
    QByteArray out;
    const QByteArray replacement = quoted(value);
    out.reserve(text_.size() + replacement.size());
    out.append(text_.first(m->begin)).append(replacement).append(text_.sliced(m->end));
    return out;
}

}  // namespace confab::protocol
