// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/CallSignaling.h"

namespace confab {

using namespace protocol;

bool CallSignaling::sendOffer(const QString &to, const SessionDescription &offer) {
    return send(OfferMessage{to, offer});
}

bool CallSignaling::sendAnswer(const QString &to, const SessionDescription &answer) {
    return send(AnswerMessage{to, answer});
}

bool CallSignaling::sendCandidate(const QString &to, const IceCandidate &candidate) {
    return send(CandidateMessage{to, candidate});
}

bool CallSignaling::sendLeave(const QString &to, const QString &reason) {
    return send(LeaveMessage{to, reason});
}

bool CallSignaling::sendRinging(const QString &to) {
    return send(RingingMessage{to});
}

}  // namespace confab
