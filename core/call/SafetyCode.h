// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace confab {

// The short code both people in a call can read to each other to know no one sits in the middle.
// The signaling server relays the SDP, so it could swap the DTLS certificates' fingerprints for
// its own and decrypt the media; it cannot make both sides show the same code while doing so.
// The code is derived from the two fingerprints (`a=fingerprint:sha-256 ...`) of the local and
// remote descriptions, sorted so that both sides hash the same bytes, and shown as six digits
// in two groups ("123 456").
class SafetyCode {
public:
    // The code for a call, or an empty string when either description lacks a usable SHA-256
    // fingerprint.
    static QString compute(const QString &localSdp, const QString &remoteSdp);

    // The certificate fingerprint in an SDP: the 32 bytes of the first `a=fingerprint:sha-256`
    // line (session or media level); empty when there is none or it is malformed. Every line
    // with a SHA-256 fingerprint must agree, or there is no usable fingerprint.
    static std::optional<QByteArray> fingerprint(QStringView sdp);
};

}  // namespace confab
