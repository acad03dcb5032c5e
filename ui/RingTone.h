// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GstPtr.h"

#include <QObject>
#include <QTimer>

namespace confab::ui {

// The ring of an incoming call: a generated tone (audiotestsrc) played in a double-ring cadence
// (on 0.4 s, off 0.2 s, on 0.4 s, off 2 s) until stop(). Without a sound device it logs once and
// stays silent; a missing speaker never stops a call from ringing on screen. Owned by the main window.
class RingTone : public QObject {
    Q_OBJECT
public:
    // `sinkDescription`: where the tone goes (autoaudiosink; tests pass fakesink).
    explicit RingTone(QString sinkDescription = QStringLiteral("autoaudiosink"), QObject *parent = nullptr);
    ~RingTone() override;

    void start();
    void stop();
    bool isRinging() const { return ringing_; }
    // True while a pipeline actually plays (false when there is no sound device).
    bool isAudible() const { return pipeline_ != nullptr; }

private:
    void step();
    void checkBus();
    bool playsIntoFakeSink() const;
    void release();

    QString sinkDescription_;
    GstPtr<GstElement> pipeline_;
    GstPtr<GstElement> volume_;
    QTimer cadence_;
    int phase_ = 0;
    bool ringing_ = false;
};

}  // namespace confab::ui
