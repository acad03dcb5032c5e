// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/HeadlessPeer.h"

#include "media/FrameStamp.h"
#include "media/MediaWarmup.h"
#include "util/GstPtr.h"
#include "util/Logging.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>

#include <algorithm>
#include <vector>

namespace confab {

namespace {

QString stateWord(CallState state) {
    switch (state) {
        case CallState::Idle:
            return QStringLiteral("idle");
        case CallState::Calling:
            return QStringLiteral("calling");
        case CallState::Ringing:
            return QStringLiteral("ringing");
        case CallState::Connecting:
            return QStringLiteral("connecting");
        case CallState::Connected:
            return QStringLiteral("connected");
        case CallState::Reconnecting:
            return QStringLiteral("reconnecting");
        case CallState::Ended:
            return QStringLiteral("ended");
    }
    return {};
}

}  // namespace

struct HeadlessPeer::LatencySamples {
    QMutex mutex;
    std::vector<double> ms;
    int unreadable = 0;
};

HeadlessPeer::HeadlessPeer(Options options, QObject *parent)
    : QObject(parent), options_(std::move(options)) {
    if (options_.stampLatency) {
        // Our frames carry their capture time; the peer's are read in a probe at the start of the
        // video sink (in place of RemoteMedia's fakesink): right after the decoder, or at display time.
        options_.call.media.stampCaptureTime = true;
        latency_ = std::make_shared<LatencySamples>();
        options_.call.sinks = [samples = latency_,
                               atDisplay = options_.latencyAtDisplay](MediaKind kind) -> GstElement * {
            if (kind != MediaKind::Video) {
                return nullptr;  // RemoteMedia's default fakesink
            }
            const FrameStamp::Sample sample = [samples](double ms) {
                const QMutexLocker lock(&samples->mutex);
                if (ms < 0) {
                    ++samples->unreadable;
                } else {
                    samples->ms.push_back(ms);
                }
            };
            GstElement *sink = gst_element_factory_make("fakesink", nullptr);
            if (atDisplay) {
                // As a video sink that shows the frame: it waits until the frame is due on the clock,
                // the pipeline's latency (jitter buffer included) added; stamps read at render.
                g_object_set(sink, "sync", TRUE, "async", FALSE, nullptr);
                FrameStamp::addDisplayReader(sink, sample);
            } else {
                g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
                GstPtr<GstPad> pad(gst_element_get_static_pad(sink, "sink"));
                FrameStamp::addReader(pad.get(), sample);
            }
            return sink;
        };
        connect(&latencyTimer_, &QTimer::timeout, this, &HeadlessPeer::reportLatency);
        latencyTimer_.start(1000);
    }
    controller_ = new CallController(&signaling_, options_.call, this);
    durationTimer_.setSingleShot(true);
    connect(&durationTimer_, &QTimer::timeout, controller_, &CallController::hangUp);

    connect(&signaling_, &SignalingClient::loggedIn, this, &HeadlessPeer::loggedIn);
    connect(&signaling_, &SignalingClient::loginRefused, this,
            [this](protocol::ErrorCode, const QString &message) { fail(tr("Sign-in refused: %1").arg(message)); });
    connect(&signaling_, &SignalingClient::stateChanged, this,
            [this](SignalingClient::State state, const QString &reason) {
                if (state == SignalingClient::State::Reconnecting && !everLoggedIn_) {
                    fail(reason);  // never reached the server: a headless peer does not wait forever
                } else if (state == SignalingClient::State::Disconnected && !reason.isEmpty()) {
                    // Queued: a refused certificate is reported (untrustedCertificate, below) right
                    // after this state, with the fuller sentence that says how to trust it.
                    QMetaObject::invokeMethod(this, [this, reason] { fail(reason); }, Qt::QueuedConnection);
                } else if (state == SignalingClient::State::Reconnecting) {
                    emitEvent(QStringLiteral("notice"), {{QStringLiteral("message"), reason}}, reason);
                }
            });

    connect(&signaling_, &SignalingClient::untrustedCertificate, this,
            [this](const ServerCertificate &certificate, bool replacesTrusted) {
                const QString reason = signaling_.trustedFingerprints().isEmpty() && !replacesTrusted
                                           ? tr("The server at %1 presented a certificate this computer does not "
                                                "trust (SHA-256 %2). If that is the fingerprint the server's "
                                                "operator gives, run again with --trust-certificate %2 to trust "
                                                "this certificate, and only it, for this run.")
                                           : tr("The server at %1 presented a certificate (SHA-256 %2) that is not "
                                                "one named by --trust-certificate. Someone may be impersonating "
                                                "it, or its certificate changed; confab-call did not connect.");
                fail(reason.arg(options_.server.toString(), certificate.sha256Fingerprint));
            });

    connect(controller_, &CallController::stateChanged, this, &HeadlessPeer::callStateChanged);
    connect(controller_, &CallController::ended, this, &HeadlessPeer::callEnded);
    connect(controller_, &CallController::incomingCall, this, [this](const QString &peer) {
        if (options_.mode == Mode::Call) {
            controller_->decline();  // a calling bot is not answering
            return;
        }
        const auto answer = [this, peer] {
            // The caller may have given up meanwhile: answer only the call still ringing.
            if (controller_->state() != CallState::Ringing || controller_->peer() != peer) {
                return;
            }
            QString error;
            if (!controller_->accept(&error)) {
                emitEvent(QStringLiteral("notice"), {{QStringLiteral("message"), error}}, error);
            }
        };
        if (options_.answerAfterSeconds > 0) {
            QTimer::singleShot(options_.answerAfterSeconds * 1000, this, answer);
        } else {
            answer();
        }
    });
    connect(controller_, &CallController::notice, this, [this](const QString &sentence) {
        emitEvent(QStringLiteral("notice"), {{QStringLiteral("message"), sentence}}, sentence);
    });
    connect(controller_, &CallController::screenShareChanged, this, [this](bool sharing, const QString &sentence) {
        emitEvent(QStringLiteral("screen-share"),
                  {{QStringLiteral("sharing"), sharing}, {QStringLiteral("message"), sentence}}, sentence);
    });
    connect(controller_, &CallController::safetyCodeReady, this, [this](const QString &code) {
        emitEvent(QStringLiteral("safety-code"), {{QStringLiteral("code"), code}},
                  tr("Safety code with %1: %2 (the same on both sides means no one is in between).")
                      .arg(controller_->peer(), code));
    });
    connect(controller_, &CallController::firstRemoteMedia, this, [this](MediaKind kind, qint64 ms) {
        const bool video = kind == MediaKind::Video;
        emitEvent(video ? QStringLiteral("first-remote-frame") : QStringLiteral("first-remote-audio"),
                  {{QStringLiteral("ms"), ms}},
                  (video ? tr("First video frame from %1 after %2 ms.") : tr("First audio from %1 after %2 ms."))
                      .arg(controller_->peer())
                      .arg(ms));
    });
    connect(controller_, &CallController::chatOpened, this, [this] {
        if (!options_.chat.isEmpty()) {
            chatsSent_ = 1;
            controller_->sendChat(options_.chat);
            if (options_.chatEverySeconds > 0) {
                chatTimer_.start(options_.chatEverySeconds * 1000);
            }
        }
    });
    connect(&chatTimer_, &QTimer::timeout, this, [this] {
        if (controller_->state() == CallState::Connected &&
            controller_->sendChat(QStringLiteral("%1 #%2").arg(options_.chat).arg(chatsSent_ + 1))) {
            ++chatsSent_;
        }
    });
    connect(controller_, &CallController::chatReceived, this, [this](const QString &text) {
        emitEvent(QStringLiteral("chat"), {{QStringLiteral("from"), controller_->peer()}, {QStringLiteral("text"), text}},
                  tr("%1: %2").arg(controller_->peer(), text));
        if (options_.mode == Mode::Echo) {
            controller_->sendChat(text);
        }
    });
    connect(controller_, &CallController::statsUpdated, this, [this](const CallStats &s) {
        const QJsonObject fields{
            {QStringLiteral("sendKbps"), qRound(s.sendKbps)},
            {QStringLiteral("receiveKbps"), qRound(s.receiveKbps)},
            {QStringLiteral("rttMs"), s.roundTripMs < 0 ? QJsonValue() : QJsonValue(qRound(s.roundTripMs))},
            {QStringLiteral("lossPercent"), s.lossPercent},
            {QStringLiteral("jitterMs"), s.jitterMs},
            {QStringLiteral("width"), s.receivedResolution.width()},
            {QStringLiteral("height"), s.receivedResolution.height()},
            {QStringLiteral("fps"), qRound(s.receivedFps * 10) / 10.0},
            {QStringLiteral("videoCodec"), s.videoCodec},
            {QStringLiteral("audioCodec"), s.audioCodec},
            {QStringLiteral("path"), s.path},
            {QStringLiteral("remotePath"), s.remotePath},
            {QStringLiteral("transport"), s.transport},
            {QStringLiteral("targetKbps"), s.sendBitrateKbps},
            {QStringLiteral("videoFrames"), qint64(s.videoFramesReceived)},
            {QStringLiteral("audioBuffers"), qint64(s.audioBuffersReceived)},
            {QStringLiteral("framesRendered"), qint64(s.videoFramesReceived)},
            {QStringLiteral("freezeCount"), qint64(s.freezeCount)},
            {QStringLiteral("totalFreezeMs"), qRound(s.totalFreezeMs)},
            {QStringLiteral("recentFreezesMs"), [&s] {
                 QJsonArray freezes;
                 for (const int ms : s.recentFreezesMs) {
                     freezes.append(ms);
                 }
                 return freezes;
             }()},
            {QStringLiteral("audioConcealedPercent"), qRound(s.audioConcealedPercent * 100) / 100.0},
            {QStringLiteral("estimateKbps"), s.estimateKbps},
            {QStringLiteral("remoteLossPercent"),
             s.remoteLossPercent < 0 ? QJsonValue() : QJsonValue(qRound(s.remoteLossPercent * 10) / 10.0)},
        };
        emitEvent(QStringLiteral("stats"), fields,
                  tr("send %1 kb/s, receive %2 kb/s, rtt %3 ms, loss %4%, %5x%6 at %7 fps, %8, path %9, "
                     "%10 freezes (%11 s), audio concealed %12%, estimate %13 kb/s")
                      .arg(qRound(s.sendKbps))
                      .arg(qRound(s.receiveKbps))
                      .arg(s.roundTripMs < 0 ? QStringLiteral("?") : QString::number(qRound(s.roundTripMs)))
                      .arg(s.lossPercent, 0, 'f', 1)
                      .arg(s.receivedResolution.width())
                      .arg(s.receivedResolution.height())
                      .arg(s.receivedFps, 0, 'f', 1)
                      .arg(s.videoCodec, s.path.isEmpty() ? QStringLiteral("?") : s.path)
                      .arg(s.freezeCount)
                      .arg(s.totalFreezeMs / 1000, 0, 'f', 1)
                      .arg(s.audioConcealedPercent, 0, 'f', 1)
                      .arg(s.estimateKbps));
    });
}

void HeadlessPeer::start() {
    // Plugins and the DTLS certificate are made while we connect and sign in, not during a call.
    // Only the plugins of the codec we offer (and the echo service's): each one loaded stays resident.
    MediaWarmup::start(options_.call.media.codec, options_.mode == Mode::Echo);
    signaling_.setPassword(options_.password);
    signaling_.setToken(options_.token);
    signaling_.setTrustedFingerprints(options_.trustedFingerprints);
    signaling_.connectToServer(options_.server, options_.name);
}

void HeadlessPeer::loggedIn() {
    const bool first = !everLoggedIn_;
    everLoggedIn_ = true;
    emitEvent(QStringLiteral("logged-in"),
              {{QStringLiteral("name"), options_.name}, {QStringLiteral("server"), options_.server.toString()}},
              tr("Signed in to %1 as %2.").arg(options_.server.toString(), options_.name));
    if (first && options_.mode == Mode::Call) {
        // Like a person pressing Call in a running app: the one-time media set-up is behind us.
        MediaWarmup::whenDone(this, [this] {
            QString error;
            if (!controller_->call(options_.peer, &error)) {
                fail(error);
            }
        });
    }
}

void HeadlessPeer::callStateChanged(CallState state, const QString &peer) {
    if (state == CallState::Idle || state == CallState::Ended) {
        return;  // reported by callEnded
    }
    if (state == CallState::Connected && !connectedThisCall_) {  // not again after Reconnecting
        connectedThisCall_ = true;
        if (options_.durationSeconds > 0) {
            durationTimer_.start(options_.durationSeconds * 1000);
        }
    }
    emitEvent(QStringLiteral("call-state"), {{QStringLiteral("state"), stateWord(state)}, {QStringLiteral("peer"), peer}},
              describe(state) + QLatin1Char(' ') + peer);
}

void HeadlessPeer::callEnded(CallEndReason reason, const QString &sentence) {
    durationTimer_.stop();
    chatTimer_.stop();
    const bool connected = connectedThisCall_;
    connectedThisCall_ = false;
    emitEvent(QStringLiteral("ended"),
              {{QStringLiteral("reason"), wireName(reason)},
               {QStringLiteral("message"), sentence},
               {QStringLiteral("connected"), connected}},
              sentence);
    if (options_.mode == Mode::Echo) {
        return;  // the echo service serves the next caller
    }
    if (connected && isNormalEnd(reason)) {
        finished_ = true;
        Q_EMIT finished(0);
    } else {
        fail(sentence);
    }
}

void HeadlessPeer::reportLatency() {
    std::vector<double> ms;
    int unreadable = 0;
    {
        const QMutexLocker lock(&latency_->mutex);
        ms.swap(latency_->ms);
        std::swap(unreadable, latency_->unreadable);
    }
    if (ms.empty() && unreadable == 0) {
        return;
    }
    QJsonArray samples;
    for (const double value : ms) {
        samples.append(qRound(value * 10) / 10.0);
    }
    std::sort(ms.begin(), ms.end());
    const QJsonValue p50 = ms.empty() ? QJsonValue() : QJsonValue(qRound(ms[ms.size() / 2] * 10) / 10.0);
    const QJsonValue max = ms.empty() ? QJsonValue() : QJsonValue(qRound(ms.back() * 10) / 10.0);
    emitEvent(QStringLiteral("latency"),
              {{QStringLiteral("samplesMs"), samples},
               {QStringLiteral("p50Ms"), p50},
               {QStringLiteral("maxMs"), max},
               {QStringLiteral("unreadable"), unreadable}},
              tr("glass-to-glass: %1 frames, p50 %2 ms, max %3 ms, %4 without a readable stamp")
                  .arg(ms.size())
                  .arg(p50.toDouble())
                  .arg(max.toDouble())
                  .arg(unreadable));
}

void HeadlessPeer::emitEvent(const QString &event, QJsonObject fields, const QString &text) {
    if (options_.quiet) {
        return;
    }
    if (options_.json) {
        fields.insert(QStringLiteral("event"), event);
        // Wall-clock ms (µs resolution) when the event was reported: benchmarks line up events of
        // several processes on this one clock (bench/call-setup).
        fields.insert(QStringLiteral("t"), double(g_get_real_time()) / 1000.0);
        std::printf("%s\n", QJsonDocument(fields).toJson(QJsonDocument::Compact).constData());
    } else {
        std::printf("%s\n", qPrintable(text));
    }
    std::fflush(stdout);
}

void HeadlessPeer::fail(const QString &sentence) {
    if (finished_) {
        return;
    }
    finished_ = true;
    std::fprintf(stderr, "confab-call: %s\n", qPrintable(sentence));
    Q_EMIT finished(1);
}

}  // namespace confab
