// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerFailureWatch.h"

#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>

// A user signed in to a test server with a CallController whose sinks measure what arrives:
// the mean brightness of the last video frame and the loudest sample of the last audio buffer.
// Anything no test of a working call expects fails the running test at once (PeerFailureWatch).
class TestPeer {
public:
    TestPeer(const QString &name, const QUrl &server, int noAnswerTimeoutMs = 45000);
    ~TestPeer();

    confab::SignalingClient client;
    std::atomic<int> lastLuma{-1};       // 0..255, -1 before the first frame
    std::atomic<int> lastAudioPeak{-1};  // 0..32767, -1 before the first buffer
    std::atomic<int> videoFrames{0};
    std::unique_ptr<confab::CallController> controller;

    confab::CallState state() const { return controller->state(); }
    // What went wrong so far (PeerFailureWatch); empty while nothing did.
    QString failure() const { return watch_->failure(); }
    // Until `condition` holds, at most `timeoutMs`, or until something goes wrong.
    bool waitFor(const std::function<bool()> &condition, int timeoutMs) const {
        return watch_->waitFor(condition, timeoutMs);
    }

private:
    static GstPadProbeReturn measureVideo(GstPad *pad, GstPadProbeInfo *info, gpointer self);
    static GstPadProbeReturn measureAudio(GstPad *pad, GstPadProbeInfo *info, gpointer self);

    std::unique_ptr<PeerFailureWatch> watch_;
};

// Test sources at a size and rate that keep two or three calls in one process cheap.
confab::MediaOptions smallMedia();
