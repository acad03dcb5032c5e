// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerFailureWatch.h"
#include "XvfbDisplay.h"
#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QMutex>
#include <QSize>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>

// A user signed in to a test server whose video sink measures what arrives: the mean colour of
// the middle half of each decoded frame, and its size. Sends the test source at 160x120, 15 fps
// (a blue background with a ball: see LocalMedia). Anything no test of a working call expects
// fails the running test at once (PeerFailureWatch).
class ColourPeer {
public:
    ColourPeer(const QString &name, const QUrl &server, confab::VideoCodec codec = confab::VideoCodec::VP8);
    ~ColourPeer();

    confab::SignalingClient client;
    std::unique_ptr<confab::CallController> controller;

    Rgb lastColour() const;
    QSize lastSize() const;
    int frames() const { return frames_.load(); }
    confab::CallState state() const { return controller->state(); }
    // What went wrong so far (PeerFailureWatch); empty while nothing did.
    QString failure() const { return watch_->failure(); }
    // Until `condition` holds, at most `timeoutMs`, or until something goes wrong.
    bool waitFor(const std::function<bool()> &condition, int timeoutMs) const {
        return watch_->waitFor(condition, timeoutMs);
    }
    // Within `tolerance` on each of red, green and blue.
    static bool near(const Rgb &a, const Rgb &b, int tolerance = 40);

private:
    static GstPadProbeReturn measure(GstPad *pad, GstPadProbeInfo *info, gpointer self);

    mutable QMutex mutex_;
    Rgb colour_;
    QSize size_;
    std::atomic<int> frames_{0};
    std::unique_ptr<PeerFailureWatch> watch_;
};
