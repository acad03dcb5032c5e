// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CallState.h"

#include <QCoreApplication>

namespace confab {

namespace {
QString tr(const char *text) {
    return QCoreApplication::translate("confab", text);
}
}  // namespace

QString describe(CallState state) {
    switch (state) {
        case CallState::Idle:
            return tr("No call");
        case CallState::Calling:
            return tr("Calling…");
        case CallState::Ringing:
            return tr("Ringing…");
        case CallState::Connecting:
            return tr("Connecting…");
        case CallState::Connected:
            return tr("Connected");
        case CallState::Reconnecting:
            return tr("Reconnecting…");
        case CallState::Ended:
            return tr("Call ended");
    }
    return {};
}

QString describe(CallEndReason reason, const QString &peer) {
    switch (reason) {
        case CallEndReason::HungUp:
            return tr("You hung up.");
        case CallEndReason::RemoteHungUp:
            return tr("%1 hung up.").arg(peer);
        case CallEndReason::Declined:
            return tr("%1 declined the call.").arg(peer);
        case CallEndReason::DeclinedByUs:
            return tr("You declined the call from %1.").arg(peer);
        case CallEndReason::Busy:
            return tr("%1 is busy in another call.").arg(peer);
        case CallEndReason::Cancelled:
            return tr("%1 cancelled the call.").arg(peer);
        case CallEndReason::NoAnswer:
            return tr("%1 did not answer.").arg(peer);
        case CallEndReason::UserOffline:
            return tr("%1 is not online.").arg(peer);
        case CallEndReason::ConnectionFailed:
            return tr("The connection to %1 failed.").arg(peer);
        case CallEndReason::NoRelay:
            return tr("There is no network path between you and %1 — a TURN server is needed.").arg(peer);
        case CallEndReason::PeerVanished:
            return tr("%1 vanished: their connection is gone.").arg(peer);
        case CallEndReason::MediaError:
            return tr("The call's audio or video failed on this computer.");
        case CallEndReason::SignalingLost:
            return tr("The connection to the server was lost before the call connected.");
        case CallEndReason::ConnectionLost:
            return tr("The connection to %1 was lost: your audio and video no longer got through to them.")
                .arg(peer);
        case CallEndReason::ReconnectTimedOut:
            return tr("The connection to %1 was lost and could not be restored in time.").arg(peer);
    }
    return {};
}

QString wireName(CallEndReason reason) {
    switch (reason) {
        case CallEndReason::HungUp:
            return QStringLiteral("hung-up");
        case CallEndReason::RemoteHungUp:
            return QStringLiteral("remote-hung-up");
        case CallEndReason::Declined:
            return QStringLiteral("declined");
        case CallEndReason::DeclinedByUs:
            return QStringLiteral("declined-by-us");
        case CallEndReason::Busy:
            return QStringLiteral("busy");
        case CallEndReason::Cancelled:
            return QStringLiteral("cancelled");
        case CallEndReason::NoAnswer:
            return QStringLiteral("no-answer");
        case CallEndReason::UserOffline:
            return QStringLiteral("user-offline");
        case CallEndReason::ConnectionFailed:
            return QStringLiteral("connection-failed");
        case CallEndReason::NoRelay:
            return QStringLiteral("no-relay");
        case CallEndReason::PeerVanished:
            return QStringLiteral("peer-vanished");
        case CallEndReason::MediaError:
            return QStringLiteral("media-error");
        case CallEndReason::SignalingLost:
            return QStringLiteral("signaling-lost");
        case CallEndReason::ConnectionLost:
            return QStringLiteral("connection-lost");
        case CallEndReason::ReconnectTimedOut:
            return QStringLiteral("reconnect-timeout");
    }
    return {};
}

bool isNormalEnd(CallEndReason reason) {
    return reason == CallEndReason::HungUp || reason == CallEndReason::RemoteHungUp;
}

}  // namespace confab
