// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "XvfbDisplay.h"
#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QMutex>
#include <QSize>
#include <QUrl>

#include <atomic>
#include <memory>

// A user signed in to a test server whose video sink measures what arrives: the mean colour of
// the middle half of each decoded frame, and its size. Sends the test source at 160x120, 15 fps
// (a blue background with a ball: see LocalMedia).
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
    // Within `tolerance` on each of red, green and blue.
    static bool near(const Rgb &a, const Rgb &b, int tolerance = 40);

private:
    static GstPadProbeReturn measure(GstPad *pad, GstPadProbeInfo *info, gpointer self);

    mutable QMutex mutex_;
    Rgb colour_;
    QSize size_;
    std::atomic<int> frames_{0};
};
