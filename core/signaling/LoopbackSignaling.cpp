// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/LoopbackSignaling.h"

#include "util/Logging.h"

#include <QCoreApplication>
#include <QMetaObject>

namespace confab {

using namespace protocol;

namespace {

// The `name` of a relayed message: the target when sent, the sender when received.
QString *nameOf(Message &message) {
    return std::visit(
        [](auto &m) -> QString * {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, OfferMessage> || std::is_same_v<T, AnswerMessage> ||
                          std::is_same_v<T, CandidateMessage> || std::is_same_v<T, LeaveMessage> ||
                          std::is_same_v<T, RingingMessage>) {
                return &m.name;
            } else {
                return nullptr;
            }
        },
        message);
}

}  // namespace

LoopbackSignaling::LoopbackSignaling(std::shared_ptr<Switchboard> switchboard, const QString &name, QObject *parent)
    : CallSignaling(parent), switchboard_(std::move(switchboard)), name_(name) {
    setSignedIn(true);
}

LoopbackSignaling::~LoopbackSignaling() {
    setSignedIn(false);
}

std::shared_ptr<LoopbackSignaling::Switchboard> LoopbackSignaling::newSwitchboard() {
    return std::make_shared<Switchboard>();
}

void LoopbackSignaling::setSignedIn(bool signedIn) {
    if (signedIn == signedIn_) {
        return;
    }
    if (signedIn) {
        if (switchboard_->online.value(name_)) {
            qCWarning(lcSignaling).noquote() << "loopback: the name" << name_ << "is taken";
            return;
        }
        switchboard_->online.insert(name_, this);
    } else {
        switchboard_->online.remove(name_);
        const QSet<QString> partners = switchboard_->partners.take(name_);
        for (const QString &partner : partners) {
            switchboard_->partners[partner].remove(name_);
            if (LoopbackSignaling *other = switchboard_->online.value(partner)) {
                other->deliver(LeaveMessage{name_, QString::fromLatin1(leave_reason::kDisconnected)});
            }
        }
    }
    signedIn_ = signedIn;
    Q_EMIT signedInChanged(signedIn);
}

bool LoopbackSignaling::send(const Message &message) {
    if (!signedIn_) {
        qCInfo(lcSignaling).noquote() << "loopback:" << name_ << "is not signed in; not sending"
                                      << wireName(typeOf(message));
        return false;
    }
    sent_.append(message);
    Message relayed = message;
    QString *name = nameOf(relayed);
    if (!name) {
        return true;  // nothing to relay (login, presence): the switchboard has no use for it
    }
    const QString target = *name;
    LoopbackSignaling *to = switchboard_->online.value(target);
    if (!to || to == this) {
        const QString sentence = to ? QStringLiteral("You cannot send \"%1\" to yourself.").arg(wireName(typeOf(message)))
                                    : QStringLiteral("%1 is not online.").arg(target);
        deliver(ErrorMessage{to ? ErrorCode::BadMessage : ErrorCode::UserOffline, sentence,
                             wireName(typeOf(message)), target});
        return true;
    }
    const MessageType type = typeOf(message);
    if (type == MessageType::Offer) {
        switchboard_->partners[name_].insert(target);
        switchboard_->partners[target].insert(name_);
    } else if (type == MessageType::Leave) {
        switchboard_->partners[name_].remove(target);
        switchboard_->partners[target].remove(name_);
    }
    *name = name_;
    to->deliver(relayed);
    return true;
}

void LoopbackSignaling::deliver(const Message &message) {
    if (!reachable_) {
        return;
    }
    // On the next turn of the event loop, as from a socket: never inside the sender's call.
    QMetaObject::invokeMethod(
        this,
        [this, message] {
            if (!signedIn_) {
                return;
            }
            std::visit(
                [this](const auto &m) {
                    using T = std::decay_t<decltype(m)>;
                    if constexpr (std::is_same_v<T, OfferMessage>) {
                        Q_EMIT offerReceived(m);
                    } else if constexpr (std::is_same_v<T, AnswerMessage>) {
                        Q_EMIT answerReceived(m);
                    } else if constexpr (std::is_same_v<T, CandidateMessage>) {
                        Q_EMIT candidateReceived(m);
                    } else if constexpr (std::is_same_v<T, LeaveMessage>) {
                        Q_EMIT leaveReceived(m);
                    } else if constexpr (std::is_same_v<T, RingingMessage>) {
                        Q_EMIT ringingReceived(m);
                    } else if constexpr (std::is_same_v<T, ErrorMessage>) {
                        Q_EMIT serverError(m);
                    }
                },
                message);
        },
        Qt::QueuedConnection);
}

}  // namespace confab
