// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/CallSignaling.h"

namespace confab {

using namespace protocol;

bool CallSignaling::sendOffer(const QString &to, const SessionDescription &offer, int reconnect) {
    return send(OfferMessage{to, offer, reconnect});
}

bool CallSignaling::sendAnswer(const QString &to, const SessionDescription &answer, int reconnect) {
    return send(AnswerMessage{to, answer, reconnect});
}

bool CallSignaling::sendCandidate(const QString &to, const IceCandidate &candidate, int reconnect) {
    return send(CandidateMessage{to, candidate, reconnect});
}

bool CallSignaling::sendLeave(const QString &to, const QString &reason) {
    return send(LeaveMessage{to, reason});
}

bool CallSignaling::sendRinging(const QString &to) {
    return send(RingingMessage{to});
}

}  // namespace confab
