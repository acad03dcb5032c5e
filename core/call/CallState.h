// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace confab {

// Where a call is, as a person would say it. 0 is not a valid value.
enum class CallState {
    Idle = 1,    // no call
    Calling,     // we offered; waiting for the callee to ring or answer
    Ringing,     // the callee's phone rings (on both sides: incoming, or confirmed by the callee)
    Connecting,  // answer exchanged; ICE and DTLS under way
    Connected,   // media flows
    Reconnecting,  // was connected; the media stopped and the call is being restored (CallReconnector)
    Ended,
};

// Why a call ended, each with a sentence a person can read (describe()).
enum class CallEndReason {
    HungUp = 1,        // we hung up
    RemoteHungUp,      // they hung up
    Declined,          // they declined
    DeclinedByUs,      // we declined
    Busy,              // they are in another call
    Cancelled,         // the caller gave up before an answer
    NoAnswer,          // nobody answered in time
    UserOffline,       // the person is not signed in
    ConnectionFailed,  // ICE/DTLS could not connect
    NoRelay,           // ICE failed with no TURN server configured
    PeerVanished,      // the other side stopped sending and did not say goodbye
    MediaError,        // our own pipeline failed
    SignalingLost,     // we lost the server before the call was connected
    ConnectionLost,    // the other side stopped receiving us (its leave said "connection-lost")
    ReconnectTimedOut,  // the media stopped and did not come back within the reconnect window
};

QString describe(CallState state);
QString describe(CallEndReason reason, const QString &peer);
// The reason's word in `--json` output and logs: "hung-up", "declined", …
QString wireName(CallEndReason reason);
// A call that ended this way went as the user wanted (exit status 0 for confab-call).
bool isNormalEnd(CallEndReason reason);

}  // namespace confab
