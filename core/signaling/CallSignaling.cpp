// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/CallSignaling.h"

namespace confab {

using namespace protocol;

bool CallSignaling::sendOffer(const QString &to, const SessionDescription &offer, int reconnect,
                              const QString &call) {
    return send(OfferMessage{to, offer, reconnect, call});
}

bool CallSignaling::sendAnswer(const QString &to, const SessionDescription &answer, int reconnect,
                               const QString &call) {
    return send(AnswerMessage{to, answer, reconnect, call});
}

bool CallSignaling::sendCandidate(const QString &to, const IceCandidate &candidate, int reconnect,
                                  const QString &call) {
    return send(CandidateMessage{to, candidate, reconnect, call});
}

bool CallSignaling::sendLeave(const QString &to, const QString &reason, const QString &call) {
    return send(LeaveMessage{to, reason, call});
}

bool CallSignaling::sendRinging(const QString &to, const QString &call) {
    return send(RingingMessage{to, call});
}

}  // namespace confab
