// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/SafetyCode.h"

#include <QCryptographicHash>
#include <QStringList>

namespace confab {

namespace {

// "AB:CD:..." (RFC 8122: uppercase hex pairs separated by colons; lowercase tolerated) → bytes.
std::optional<QByteArray> parseHexPairs(QStringView text) {
    QByteArray bytes;
    const QList<QStringView> pairs = text.split(QLatin1Char(':'));
    for (QStringView pair : pairs) {
        if (pair.size() != 2) {
            return std::nullopt;
        }
        const auto nibble = [](QChar c) {
            const char16_t u = c.unicode();
            return u >= '0' && u <= '9' ? int(u - '0')
                   : u >= 'A' && u <= 'F' ? int(u - 'A' + 10)
                   : u >= 'a' && u <= 'f' ? int(u - 'a' + 10)
                                          : -1;
        };
        const int high = nibble(pair.at(0));
        const int low = nibble(pair.at(1));
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        bytes.append(char(high * 16 + low));
    }
    return bytes;
}

}  // namespace

std::optional<QByteArray> SafetyCode::fingerprint(QStringView sdp) {
    std::optional<QByteArray> found;
    for (QStringView line : sdp.split(QLatin1Char('\n'))) {
        line = line.trimmed();  // CRLF line ends, stray spaces
        constexpr QLatin1StringView kPrefix("a=fingerprint:");
        if (!line.startsWith(kPrefix)) {
            continue;
        }
        line = line.mid(kPrefix.size()).trimmed();
        const qsizetype space = line.indexOf(QLatin1Char(' '));
        if (space < 0 || line.left(space).compare(QLatin1StringView("sha-256"), Qt::CaseInsensitive) != 0) {
            continue;  // another hash function; we compare SHA-256 only
        }
        const std::optional<QByteArray> bytes = parseHexPairs(line.mid(space + 1).trimmed());
        if (!bytes || bytes->size() != 32) {
            return std::nullopt;
        }
        if (found && *found != *bytes) {
            return std::nullopt;  // two certificates in one description: which one is used is unclear
        }
        found = bytes;
    }
    return found;
}

QString SafetyCode::compute(const QString &localSdp, const QString &remoteSdp) {
    const std::optional<QByteArray> local = fingerprint(localSdp);
    const std::optional<QByteArray> remote = fingerprint(remoteSdp);
    // The same certificate on both sides is what two peers in one process have (webrtcbin's DTLS
    // plugin shares one per process); it still gives both the same code.
    if (!local || !remote) {
        return {};
    }
    // Sorted, so caller and callee hash the same bytes; the label keeps this hash for this use.
    const QByteArray &first = std::min(*local, *remote);
    const QByteArray &second = std::max(*local, *remote);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView("confab safety code v1"));
    hash.addData(first);
    hash.addData(second);
    const QByteArray digest = hash.result();
    const quint32 value = (quint32(quint8(digest[0])) << 24) | (quint32(quint8(digest[1])) << 16) |
                          (quint32(quint8(digest[2])) << 8) | quint32(quint8(digest[3]));
    const quint32 digits = value % 1000000;
    return QStringLiteral("%1 %2").arg(digits / 1000, 3, 10, QLatin1Char('0')).arg(digits % 1000, 3, 10, QLatin1Char('0'));
}

}  // namespace confab
