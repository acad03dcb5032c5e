// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include <cstdio>
#include <memory>

namespace confab {

// confab-call's behaviour: sign in, then place one call, answer one call, or echo every caller,
// reporting each event as a line (JSON with --json). Finishes with an exit status: 0 after a call
// that connected and ended normally, 1 after any failure, with the reason on stderr.
class HeadlessPeer : public QObject {
    Q_OBJECT
public:
    enum class Mode { Call = 1, Answer, Echo };

    struct Options {
        QUrl server;
        QString name;
        QString password;  // for servers started with --users
        QString token;     // for servers started with --token-file
        // wss:// certificates to accept although the system does not trust them (self-signed), by
        // SHA-256 fingerprint in ServerCertificate's "AB:CD:…" form; any other is refused.
        QStringList trustedFingerprints;
        Mode mode = Mode::Call;
        QString peer;          // Mode::Call
        int durationSeconds = 0;  // hang up this long after connecting; 0: stay
        int answerAfterSeconds = 0;  // Mode::Answer and Echo: let a call ring this long first
        QString chat;          // sent when the chat channel opens
        int chatEverySeconds = 0;  // and again this often while connected ("TEXT #2", …); 0: once
        bool json = false;
        bool quiet = false;  // no event lines on stdout (the desktop app's in-process echo service)
        // Stamp sent frames with the capture time and read the peer's stamps after decoding:
        // a `latency` event each second with that second's glass-to-glass figures (FrameStamp).
        bool stampLatency = false;
        // With stampLatency: read the stamps when the frame would be shown, after it waited for its
        // time on the pipeline clock as the desktop app's video sink (sync=true) does, instead of
        // right after the decoder.
        bool latencyAtDisplay = false;
        CallController::Settings call;
    };

    explicit HeadlessPeer(Options options, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(int exitStatus);

private:
    void loggedIn();
    void callStateChanged(CallState state, const QString &peer);
    void callEnded(CallEndReason reason, const QString &sentence);
    void emitEvent(const QString &event, QJsonObject fields, const QString &text);
    void fail(const QString &sentence);
    void reportLatency();

    Options options_;
    SignalingClient signaling_;
    CallController *controller_ = nullptr;
    bool everLoggedIn_ = false;
    bool connectedThisCall_ = false;
    bool finished_ = false;
    QTimer durationTimer_;
    QTimer chatTimer_;
    int chatsSent_ = 0;
    // Glass-to-glass samples from the video sink's streaming thread, reported once a second.
    struct LatencySamples;
    std::shared_ptr<LatencySamples> latency_;
    QTimer latencyTimer_;
};

}  // namespace confab
