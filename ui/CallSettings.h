// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallController.h"
#include "protocol/Message.h"

#include <QList>
#include <QSize>
#include <QString>

class QSettings;

namespace confab::ui {

// What the user chose in SettingsDialog for calls: devices, picture, echo cancellation, STUN/TURN
// servers. Stored under media/ and ice/ in QSettings; turned into CallController::Settings for
// the next call.
struct CallSettings {
    QString camera;  // device display names; empty: the first one found
    QString microphone;
    QString speaker;  // empty: the system default
    QSize resolution{640, 480};
    int frameRate = 30;
    bool echoCancellation = true;  // on unless the user turns it off: laptops play into their microphones
    int reconnectWindowSeconds = 30;  // how long a call whose media stopped may stay reconnecting
    QList<protocol::IceServer> iceServers;

    static CallSettings load(QSettings &settings);
    void save(QSettings &settings) const;

    // Sets the media options and ICE servers of `target` and leaves the rest alone: the sinks
    // CallWindow installed, the timeouts. Takes effect from the next call.
    void applyTo(CallController::Settings &target) const;
    CallController::Settings toControllerSettings() const;

    // A STUN/TURN URL webrtcbin takes: stun:, stuns:, turn: or turns: with a host.
    static bool isIceUrl(const QString &url);

    friend bool operator==(const CallSettings &, const CallSettings &) = default;
};

}  // namespace confab::ui
