// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallStats.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace confab::ui {

// How the call is going, as the quality indicator says it: judged from each second's figures
// (loss, round trip) and from what the person here saw and heard over the last few seconds
// (freezes of the picture, a picture that stopped, concealed audio). A picture that froze is never
// "Good", whatever the network figures say. Plain value type, fed by the call window.
class CallQuality {
    Q_DECLARE_TR_FUNCTIONS(confab::ui::CallQuality)
public:
    enum class Level { Unknown = 1, Good, Fair, Poor };

    // How many seconds of freezes and concealment the judgement remembers.
    static constexpr int kMemorySeconds = 10;
    // The first seconds of a call: the jitter buffer fills and the picture waits for its first
    // key frame. What they conceal or freeze is start-up, not the network; it is not judged.
    static constexpr int kStartSeconds = 4;

    // One second's figures (CallController::statsUpdated); returns the level they make.
    Level add(const CallStats &stats);
    void reset();

    Level level() const { return level_; }
    // Why, in a sentence ("The picture froze 2 times in the last 10 seconds."); empty when good.
    QString reason() const { return reason_; }
    // The share of the peer's audio concealed over the remembered seconds, in percent.
    double recentConcealedPercent() const;
    // Freezes of the picture over the remembered seconds.
    int recentFreezes() const;
    double recentFreezeMs() const;

private:
    struct Second {
        int freezes = 0;
        double freezeMs = 0;
        double concealedPercent = 0;  // of this second's audio
        bool hasAudio = false;
    };
    QList<Second> seconds_;
    // The audio counter is cumulative since the peer's first packet: the last reading and how many
    // seconds of audio it covered turn it into each second's share.
    double lastConcealedPercent_ = 0;
    int audioSeconds_ = 0;
    int samples_ = 0;
    quint64 lastVideoFrames_ = 0;  // frames rendered by the last second: none since is a still picture
    Level level_ = Level::Unknown;
    QString reason_;
};

}  // namespace confab::ui
