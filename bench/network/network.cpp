// SPDX-License-Identifier: GPL-3.0-or-later
// bench/network: a Confab pair and a Chromium pair, one after the other, under the same network
// conditions between two sites (NetworkLab: namespaces, tc tbf, nftables loss, a delay forwarder),
// sending the same natural clip; then hand-overs (a site changes networks; a 5 s outage) for both.
// Prints one JSON object: figures, never pass or fail. See bench/README.md.
#include "BenchSupport.h"
#include "BrowserPeer.h"
#include "NetworkLab.h"
#include "ProcessPeers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>
#include <functional>
#include <memory>
#include <optional>

using namespace benchsupport;
using netlab::LinkConditions;
using netlab::NetworkLab;

namespace {

struct Options {
    int seconds = 30;
    QString clipDir;
    QString size = QStringLiteral("1280x720");
    int fps = 30;
    bool confab = true;
    bool chromium = true;
    QStringList conditions;
    int handoverReps = 10;
    int watchSeconds = 15;
    QString logDir;  // where each Confab peer's standard error is written; empty: nowhere
};

struct Condition {
    QString name;
    QString description;
    LinkConditions link;
    QList<std::pair<int, int>> steps;  // (seconds into the window, new rate in kbit/s)
};

QList<Condition> allConditions() {
    return {
        {QStringLiteral("clean"), QStringLiteral("no limit"), {}, {}},
        {QStringLiteral("loss5"), QStringLiteral("5 % random loss each way"), {.lossPercent = 5}, {}},
        {QStringLiteral("cap300"), QStringLiteral("300 kbit/s each way"), {.rateKbps = 300}, {}},
        {QStringLiteral("mobile"),
         QStringLiteral("1 Mbit/s, 2 % loss, 100 ms round trip ±20 ms"),
         {.rateKbps = 1000, .lossPercent = 2, .delayMs = 50, .jitterMs = 10},
         {}},
        {QStringLiteral("step"),
         QStringLiteral("2 Mbit/s, 500 kbit/s from 10 s to 20 s"),
         {.rateKbps = 2000},
         {{10, 500}, {20, 2000}}},
    };
}

double number(const QJsonObject &o, const QString &key, bool *present = nullptr) {
    const QJsonValue v = o.value(key);
    if (present) {
        *present = v.isDouble();
    }
    return v.toDouble();
}

QList<QJsonObject> within(const QList<QJsonObject> &events, double from, double to) {
    QList<QJsonObject> result;
    for (const QJsonObject &e : events) {
        const double t = e.value(QStringLiteral("t")).toDouble();
        if (t >= from && t <= to) {
            result.append(e);
        }
    }
    return result;
}

// Mean of a field over the events that have it; null when none has it (never an invented value).
QJsonValue mean(const QList<QJsonObject> &events, const QString &key, double scale = 1) {
    double sum = 0;
    int n = 0;
    for (const QJsonObject &e : events) {
        bool present = false;
        const double v = number(e, key, &present);
        if (present) {
            sum += v;
            ++n;
        }
    }
    return n ? QJsonValue(rounded(sum / n * scale, 1)) : QJsonValue();
}

// Last minus first of a cumulative field across the window; null when either end lacks it.
std::optional<double> delta(const QList<QJsonObject> &events, const QString &key) {
    if (events.size() < 2) {
        return std::nullopt;
    }
    bool first = false;
    bool last = false;
    const double a = number(events.first(), key, &first);
    const double b = number(events.last(), key, &last);
    if (!first || !last) {
        return std::nullopt;
    }
    return b - a;
}

QJsonValue json(std::optional<double> value, int decimals = 1) {
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue();
}

double spanSeconds(const QList<QJsonObject> &events) {
    if (events.size() < 2) {
        return 0;
    }
    return (events.last().value(QStringLiteral("t")).toDouble() -
            events.first().value(QStringLiteral("t")).toDouble()) /
           1000.0;
}

// What a confab-call peer received in [from, to], from its `stats` and `latency` events.
QJsonObject confabSide(const CallProcess &peer, double from, double to) {
    const QList<QJsonObject> stats = within(peer.events(QStringLiteral("stats")), from, to);
    const double seconds = spanSeconds(stats);
    const auto perSecond = [&](const QString &key) -> QJsonValue {
        const auto d = delta(stats, key);
        return d && seconds > 0 ? QJsonValue(rounded(*d / seconds, 1)) : QJsonValue();
    };
    std::vector<double> latency;
    int unreadable = 0;
    for (const QJsonObject &e : within(peer.events(QStringLiteral("latency")), from, to)) {
        for (const QJsonValue v : e.value(QStringLiteral("samplesMs")).toArray()) {
            latency.push_back(v.toDouble());
        }
        unreadable += e.value(QStringLiteral("unreadable")).toInt();
    }
    const double p95 = percentile(latency, 95);
    QJsonValue concealed;
    if (!stats.isEmpty() && stats.last().value(QStringLiteral("audioConcealedPercent")).isDouble()) {
        concealed = rounded(stats.last().value(QStringLiteral("audioConcealedPercent")).toDouble(), 2);
    }
    return {
        {QStringLiteral("statsSamples"), int(stats.size())},
        {QStringLiteral("freezeCount"), json(delta(stats, QStringLiteral("freezeCount")), 0)},
        {QStringLiteral("totalFreezeMs"), json(delta(stats, QStringLiteral("totalFreezeMs")), 0)},
        {QStringLiteral("framesRenderedPerSecond"), perSecond(QStringLiteral("framesRendered"))},
        {QStringLiteral("meanFps"), mean(stats, QStringLiteral("fps"))},
        {QStringLiteral("meanWidth"), mean(stats, QStringLiteral("width"))},
        {QStringLiteral("meanHeight"), mean(stats, QStringLiteral("height"))},
        {QStringLiteral("receiveKbps"), mean(stats, QStringLiteral("receiveKbps"))},
        {QStringLiteral("sendKbps"), mean(stats, QStringLiteral("sendKbps"))},
        {QStringLiteral("targetKbps"), mean(stats, QStringLiteral("targetKbps"))},
        {QStringLiteral("estimateKbps"), mean(stats, QStringLiteral("estimateKbps"))},
        {QStringLiteral("lossPercent"), mean(stats, QStringLiteral("lossPercent"))},
        {QStringLiteral("remoteLossPercent"), mean(stats, QStringLiteral("remoteLossPercent"))},
        {QStringLiteral("rttMs"), mean(stats, QStringLiteral("rttMs"))},
        // "tcp": ICE chose a TCP pair, which repairs the network's loss itself (the call is not
        // comparable with a UDP one under loss).
        {QStringLiteral("transport"),
         stats.isEmpty() ? QJsonValue() : stats.last().value(QStringLiteral("transport"))},
        {QStringLiteral("audioConcealedPercentCumulative"), concealed},
        {QStringLiteral("glassToGlassP95Ms"), std::isnan(p95) ? QJsonValue() : QJsonValue(rounded(p95))},
        {QStringLiteral("glassToGlassP50Ms"),
         latency.empty() ? QJsonValue() : QJsonValue(rounded(percentile(latency, 50)))},
        {QStringLiteral("stampedFramesRead"), int(latency.size())},
        {QStringLiteral("stampedFramesUnreadable"), unreadable},
    };
}

// What a Chromium page received in [from, to], from its once-a-second `stats` lines.
QJsonObject chromiumSide(const BrowserPeer &peer, double from, double to) {
    const QList<QJsonObject> stats = within(peer.events(QStringLiteral("stats")), from, to);
    const double seconds = spanSeconds(stats);
    const auto d = [&](const char *key) { return delta(stats, QLatin1StringView(key)); };
    const auto ratio = [](std::optional<double> a, std::optional<double> b, double scale) -> QJsonValue {
        return a && b && *b > 0 ? QJsonValue(rounded(*a / *b * scale, 2)) : QJsonValue();
    };
    QJsonValue receiveKbps;
    if (const auto v = d("video.bytesReceived"), a = d("audio.bytesReceived"); v && a && seconds > 0) {
        receiveKbps = rounded((*v + *a) * 8 / 1000 / seconds, 0);
    }
    QJsonValue framesPerSecond;
    if (const auto f = d("video.framesDecoded"); f && seconds > 0) {
        framesPerSecond = rounded(*f / seconds, 1);
    }
    QJsonValue lossPercent;
    if (const auto lost = d("video.packetsLost"), got = d("video.packetsReceived");
        lost && got && *lost + *got > 0) {
        lossPercent = rounded(*lost / (*lost + *got) * 100, 2);
    }
    const auto freezes = d("video.totalFreezesDuration");
    return {
        {QStringLiteral("statsSamples"), int(stats.size())},
        {QStringLiteral("freezeCount"), json(d("video.freezeCount"), 0)},
        {QStringLiteral("totalFreezeMs"), freezes ? QJsonValue(rounded(*freezes * 1000, 0)) : QJsonValue()},
        {QStringLiteral("framesDecodedPerSecond"), framesPerSecond},
        {QStringLiteral("meanFps"), mean(stats, QStringLiteral("video.framesPerSecond"))},
        {QStringLiteral("meanWidth"), mean(stats, QStringLiteral("video.frameWidth"))},
        {QStringLiteral("meanHeight"), mean(stats, QStringLiteral("video.frameHeight"))},
        {QStringLiteral("receiveKbps"), receiveKbps},
        {QStringLiteral("targetKbps"), mean(stats, QStringLiteral("out.targetBitrate"), 0.001)},
        {QStringLiteral("estimateKbps"), mean(stats, QStringLiteral("pair.availableOutgoingBitrate"), 0.001)},
        {QStringLiteral("lossPercent"), lossPercent},
        {QStringLiteral("rttMs"), mean(stats, QStringLiteral("pair.currentRoundTripTime"), 1000)},
        {QStringLiteral("jitterBufferMsPerFrame"),
         ratio(d("video.jitterBufferDelay"), d("video.jitterBufferEmittedCount"), 1000)},
        {QStringLiteral("audioConcealedPercent"),
         ratio(d("audio.concealedSamples"), d("audio.totalSamplesReceived"), 100)},
        {QStringLiteral("qualityLimitationReason"),
         stats.isEmpty() ? QJsonValue() : stats.last().value(QStringLiteral("out.qualityLimitationReason"))},
    };
}

QStringList confabMedia(const Options &o) {
    return {QStringLiteral("--video"),
            QStringLiteral("file:") + QDir(o.clipDir).filePath(QStringLiteral("clip.y4m")),
            QStringLiteral("--audio"),
            QStringLiteral("file:") + QDir(o.clipDir).filePath(QStringLiteral("clip.wav")),
            QStringLiteral("--size"),
            o.size,
            QStringLiteral("--fps"),
            QString::number(o.fps),
            QStringLiteral("--stamp-latency")};
}

void preparePage(BrowserPeer &peer, const Options &o, NetworkLab &lab, NetworkLab::Site site) {
    peer.setPageParameters({{QStringLiteral("size"), o.size},
                            {QStringLiteral("fps"), QString::number(o.fps)},
                            {QStringLiteral("codec"), QStringLiteral("vp8")},
                            {QStringLiteral("hold"), QStringLiteral("3600")},
                            {QStringLiteral("stats"), QStringLiteral("1")},
                            {QStringLiteral("adapt"), QStringLiteral("1")}});
    peer.setExtraArguments({QStringLiteral("--use-file-for-fake-video-capture=") +
                                QDir(o.clipDir).filePath(QStringLiteral("clip.y4m")),
                            QStringLiteral("--use-file-for-fake-audio-capture=") +
                                QDir(o.clipDir).filePath(QStringLiteral("clip.wav"))});
    peer.setLauncher(lab.launcher(site));
}

// A lab with confab-server on its router; the server URL every site reaches.
struct Stage {
    NetworkLab lab;
    ServerProcess server;
    QUrl url;

    bool start(QString *error) {
        if (!lab.start(error)) {
            return false;
        }
        server.setLauncher(lab.routerLauncher());
        if (!server.start({QStringLiteral("--host"), QStringLiteral("0.0.0.0")})) {
            *error = QStringLiteral("confab-server did not start on the router");
            return false;
        }
        url = QUrl(QStringLiteral("ws://%1:%2/").arg(NetworkLab::serviceAddress()).arg(server.url().port()));
        return true;
    }
};

// Waits until wall time `until`, applying the rate steps due (relative to `start`).
void runWindow(NetworkLab &lab, const Condition &condition, double start, double until, QJsonArray *applied) {
    int next = 0;
    while (wallMs() < until) {
        if (next < condition.steps.size() && wallMs() >= start + condition.steps[next].first * 1000.0) {
            QString error;
            lab.setRate(condition.steps[next].second, &error);
            applied->append(
                QJsonObject{{QStringLiteral("atSeconds"), rounded((wallMs() - start) / 1000.0, 2)},
                            {QStringLiteral("rateKbps"), condition.steps[next].second},
                            {QStringLiteral("error"), error.isEmpty() ? QJsonValue() : error}});
            ++next;
        }
        QTest::qWait(50);
    }
}

// With --log-dir, each peer's standard error and stats events, as
// DIR/CONDITION-INDEX-ROLE.log and .stats.jsonl; also for a call that failed, which is when they
// are needed most.
void keepLogs(const Options &o, const Condition &condition, int index,
              std::initializer_list<std::pair<const CallProcess *, const char *>> peers) {
    if (o.logDir.isEmpty()) {
        return;
    }
    const auto write = [](const QString &path, const QByteArray &bytes) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
            progress(QStringLiteral("network: cannot write %1").arg(path));
        }
    };
    for (const auto &[peer, role] : peers) {
        const QString base = QDir(o.logDir).filePath(
            QStringLiteral("%1-%2-%3").arg(condition.name).arg(index).arg(QLatin1String(role)));
        QByteArray events;
        for (const QJsonObject &event : peer->events(QStringLiteral("stats"))) {
            events += QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
        }
        write(base + QStringLiteral(".log"), peer->errorOutput().toUtf8());
        write(base + QStringLiteral(".stats.jsonl"), events);
    }
}

QJsonObject confabRun(const Options &o, Stage &stage, const Condition &condition, int index) {
    const QString calleeName = QStringLiteral("net-callee-%1").arg(index);
    CallProcess callee(calleeName);
    callee.setLauncher(stage.lab.launcher(NetworkLab::Site::B));
    callee.start(stage.url, QStringList{QStringLiteral("--answer")} + confabMedia(o));
    if (callee.waitFor(QStringLiteral("logged-in"), 20000).isEmpty()) {
        keepLogs(o, condition, index, {{&callee, "callee"}});
        return {{QStringLiteral("error"),
                 QStringLiteral("callee did not sign in: ") + callee.errorOutput().right(400)}};
    }
    CallProcess caller(QStringLiteral("net-caller-%1").arg(index));
    caller.setLauncher(stage.lab.launcher(NetworkLab::Site::A));
    caller.start(stage.url, QStringList{QStringLiteral("--call"), calleeName, QStringLiteral("--duration"),
                                        QString::number(o.seconds + 8)} +
                                confabMedia(o));
    // The window starts when both sides show a picture; a call that connected but shows none on
    // either side within 30 s (a cap far below what the picture needs) is measured from then on, as
    // it is.
    QElapsedTimer waited;
    waited.start();
    QJsonObject callerFirst = caller.waitFor(QStringLiteral("first-remote-frame"), 30000);
    QJsonObject calleeFirst = callee.waitFor(QStringLiteral("first-remote-frame"),
                                             int(std::max<qint64>(1000, 30000 - waited.elapsed())));
    bool pictureMissing = false;
    if (callerFirst.isEmpty() || calleeFirst.isEmpty()) {
        if (!caller.has(QStringLiteral("call-state")) || caller.has(QStringLiteral("ended"))) {
            keepLogs(o, condition, index, {{&caller, "caller"}, {&callee, "callee"}});
            return {{QStringLiteral("error"),
                     QStringLiteral("the call did not connect: caller %1; callee %2")
                         .arg(caller.errorOutput().right(300), callee.errorOutput().right(300))}};
        }
        pictureMissing = true;
        callerFirst = calleeFirst = QJsonObject{{QStringLiteral("t"), wallMs()}};
    }
    const double start = std::max(callerFirst.value(QStringLiteral("t")).toDouble(),
                                  calleeFirst.value(QStringLiteral("t")).toDouble());
    const double end = start + o.seconds * 1000.0;
    QJsonArray steps;
    runWindow(stage.lab, condition, start, end + 1500, &steps);  // one more stats event after the end
    QJsonObject result{{QStringLiteral("receivedByCaller"), confabSide(caller, start, end + 1100)},
                       {QStringLiteral("receivedByCallee"), confabSide(callee, start, end + 1100)},
                       {QStringLiteral("rateSteps"), steps},
                       {QStringLiteral("noPictureWithin30s"), pictureMissing}};
    for (CallProcess *peer : {&caller, &callee}) {
        if (const QJsonObject ended = peer->waitFor(QStringLiteral("ended"), 0); !ended.isEmpty()) {
            if (ended.value(QStringLiteral("t")).toDouble() < end) {
                result.insert(
                    peer == &caller ? QStringLiteral("callerCallEnded") : QStringLiteral("calleeCallEnded"),
                    ended);
            }
        }
    }
    caller.kill();
    callee.kill();
    keepLogs(o, condition, index, {{&caller, "caller"}, {&callee, "callee"}});
    return result;
}

QJsonObject chromiumRun(const Options &o, Stage &stage, const Condition &condition, int index) {
    const QString calleeName = QStringLiteral("web-callee-%1").arg(index);
    BrowserPeer callee;
    BrowserPeer caller;
    preparePage(callee, o, stage.lab, NetworkLab::Site::B);
    preparePage(caller, o, stage.lab, NetworkLab::Site::A);
    QString error = callee.start(stage.url, calleeName, QString(), QStringLiteral("hi"));
    if (!error.isEmpty() || callee.waitFor(QStringLiteral("logged-in"), 45000).isEmpty()) {
        return {{QStringLiteral("error"),
                 QStringLiteral("callee page did not sign in: ") + error + callee.summary().right(600)}};
    }
    error =
        caller.start(stage.url, QStringLiteral("web-caller-%1").arg(index), calleeName, QStringLiteral("hi"));
    QElapsedTimer waited;
    waited.start();
    QJsonObject callerFirst = caller.waitFor(QStringLiteral("first-frame"), 45000);
    QJsonObject calleeFirst =
        callee.waitFor(QStringLiteral("first-frame"), int(std::max<qint64>(1000, 45000 - waited.elapsed())));
    bool pictureMissing = false;
    if (!error.isEmpty()) {
        return {{QStringLiteral("error"), error}};
    }
    if (callerFirst.isEmpty() || calleeFirst.isEmpty()) {
        if (caller.events(QStringLiteral("stats")).isEmpty()) {  // no peer connection at all
            return {{QStringLiteral("error"),
                     QStringLiteral("the call did not connect") + caller.summary().right(600)}};
        }
        pictureMissing = true;
        callerFirst = calleeFirst = QJsonObject{{QStringLiteral("t"), wallMs()}};
    }
    const double start = std::max(callerFirst.value(QStringLiteral("t")).toDouble(),
                                  calleeFirst.value(QStringLiteral("t")).toDouble());
    const double end = start + o.seconds * 1000.0;
    QJsonArray steps;
    runWindow(stage.lab, condition, start, end + 1500, &steps);
    QJsonObject result{{QStringLiteral("receivedByCaller"), chromiumSide(caller, start, end + 1100)},
                       {QStringLiteral("receivedByCallee"), chromiumSide(callee, start, end + 1100)},
                       {QStringLiteral("rateSteps"), steps},
                       {QStringLiteral("noPictureWithin45s"), pictureMissing}};
    caller.kill();
    callee.kill();
    return result;
}

// --- hand-overs ---------------------------------------------------------------------------------

// When each side's picture came back after `since` (ms, or null within the watch).
struct Recovery {
    QJsonValue callerMs;
    QJsonValue calleeMs;
    QJsonValue ended;  // a call that ended: its reason, on either side
};

// A re-established call's new media session prints first-remote-frame, exactly when its first frame
// is decoded. Otherwise (the old path came back) confab-call reports received frames once a second
// (stats.videoFrames): the end of the first second after `since` in which the count grew gives the
// time, to within that second (frames still in the jitter buffer at `since` are not counted as back).
QJsonValue confabBack(const CallProcess &peer, double since) {
    // A call re-established with a fresh media session prints its first frame again: exact.
    for (const QJsonObject &e : peer.events(QStringLiteral("first-remote-frame"))) {
        if (e.value(QStringLiteral("t")).toDouble() > since) {
            return rounded(e.value(QStringLiteral("t")).toDouble() - since, 0);
        }
    }
    double previous = -1;
    for (const QJsonObject &e : peer.events(QStringLiteral("stats"))) {
        const double t = e.value(QStringLiteral("t")).toDouble();
        const double frames = e.value(QStringLiteral("videoFrames")).toDouble();
        if (t <= since) {
            continue;
        }
        if (previous >= 0 && frames > previous) {
            return rounded(t - since, 0);
        }
        previous = frames;
    }
    return {};
}

// The page's first presented frame after `since` (exact, requestVideoFrameCallback) that starts
// pictures again: at least 10 more frames presented in the two seconds of stats after it, so that a
// frame still in the decoder's queue at `since` does not count as the picture coming back.
QJsonValue chromiumBack(const BrowserPeer &peer, double since) {
    const QList<QJsonObject> stats = peer.events(QStringLiteral("stats"));
    for (qsizetype i = 0; i < stats.size(); ++i) {
        const QJsonValue first = stats[i].value(QStringLiteral("firstPresented"));
        if (!first.isDouble() || first.toDouble() <= since) {
            continue;
        }
        if (i + 2 >= stats.size()) {
            return {};  // not known yet
        }
        const double presented = stats[i].value(QStringLiteral("framesPresented")).toDouble();
        if (stats[i + 2].value(QStringLiteral("framesPresented")).toDouble() - presented >= 10) {
            return rounded(first.toDouble() - since, 0);
        }
    }
    return {};
}

// Makes the network event: site b changes networks, or loses everything for 5 s. Returns the wall
// time it is usable again, or -1.
double disturb(NetworkLab &lab, bool addressChange, QString *error) {
    if (addressChange) {
        return lab.moveSiteB(error) ? wallMs() : -1;
    }
    if (!lab.cutSiteB(true, error)) {
        return -1;
    }
    QTest::qWait(5000);
    return lab.cutSiteB(false, error) ? wallMs() : -1;
}

QJsonObject handoverOnce(const Options &o, bool confab, bool addressChange, int index) {
    Stage stage;
    QString error;
    if (!stage.start(&error)) {
        return {{QStringLiteral("error"), error}};
    }
    const QString calleeName = QStringLiteral("ho-callee-%1").arg(index);
    std::unique_ptr<CallProcess> confabCaller, confabCallee;
    std::unique_ptr<BrowserPeer> webCaller, webCallee;
    if (confab) {
        confabCallee = std::make_unique<CallProcess>(calleeName);
        confabCallee->setLauncher(stage.lab.launcher(NetworkLab::Site::B));
        confabCallee->start(stage.url, QStringList{QStringLiteral("--answer")} + confabMedia(o));
        if (confabCallee->waitFor(QStringLiteral("logged-in"), 20000).isEmpty()) {
            return {{QStringLiteral("error"), QStringLiteral("callee did not sign in")}};
        }
        confabCaller = std::make_unique<CallProcess>(QStringLiteral("ho-caller-%1").arg(index));
        confabCaller->setLauncher(stage.lab.launcher(NetworkLab::Site::A));
        confabCaller->start(stage.url, QStringList{QStringLiteral("--call"), calleeName} + confabMedia(o));
        if (confabCaller->waitFor(QStringLiteral("first-remote-frame"), 30000).isEmpty() ||
            confabCallee->waitFor(QStringLiteral("first-remote-frame"), 30000).isEmpty()) {
            return {{QStringLiteral("error"), QStringLiteral("no first frame")}};
        }
    } else {
        webCallee = std::make_unique<BrowserPeer>();
        webCaller = std::make_unique<BrowserPeer>();
        preparePage(*webCallee, o, stage.lab, NetworkLab::Site::B);
        preparePage(*webCaller, o, stage.lab, NetworkLab::Site::A);
        error = webCallee->start(stage.url, calleeName, QString(), QStringLiteral("hi"));
        if (!error.isEmpty() || webCallee->waitFor(QStringLiteral("logged-in"), 45000).isEmpty()) {
            return {{QStringLiteral("error"), QStringLiteral("callee page did not sign in") + error}};
        }
        error = webCaller->start(stage.url, QStringLiteral("ho-caller-%1").arg(index), calleeName,
                                 QStringLiteral("hi"));
        if (!error.isEmpty() || webCaller->waitFor(QStringLiteral("first-frame"), 45000).isEmpty() ||
            webCallee->waitFor(QStringLiteral("first-frame"), 45000).isEmpty()) {
            return {{QStringLiteral("error"), QStringLiteral("no first frame") + error}};
        }
    }
    QTest::qWait(3000);  // a call in its stride
    const double usable = disturb(stage.lab, addressChange, &error);
    if (usable < 0) {
        return {{QStringLiteral("error"), error}};
    }
    // Watch until both sides have pictures again, both calls ended, or the watch is over.
    Recovery r;
    const double until = usable + o.watchSeconds * 1000.0;
    while (wallMs() < until) {
        QTest::qWait(200);
        if (confab) {
            r.callerMs = confabBack(*confabCaller, usable);
            r.calleeMs = confabBack(*confabCallee, usable);
            const bool callerEnded = confabCaller->has(QStringLiteral("ended"));
            const bool calleeEnded = confabCallee->has(QStringLiteral("ended"));
            if (callerEnded || calleeEnded) {
                const QJsonObject ended = confabCaller->waitFor(QStringLiteral("ended"), 0).isEmpty()
                                              ? confabCallee->waitFor(QStringLiteral("ended"), 0)
                                              : confabCaller->waitFor(QStringLiteral("ended"), 0);
                r.ended = ended.value(QStringLiteral("reason"));
            }
            if ((callerEnded && calleeEnded) || (!r.callerMs.isNull() && !r.calleeMs.isNull())) {
                break;
            }
        } else {
            r.callerMs = chromiumBack(*webCaller, usable);
            r.calleeMs = chromiumBack(*webCallee, usable);
            if (!r.callerMs.isNull() && !r.calleeMs.isNull()) {
                break;
            }
        }
    }
    QJsonObject result{{QStringLiteral("callerMs"), r.callerMs}, {QStringLiteral("calleeMs"), r.calleeMs}};
    if (!r.ended.isNull()) {
        result.insert(QStringLiteral("callEnded"), r.ended);
    }
    if (!confab) {
        const QList<QJsonObject> states = webCaller->events(QStringLiteral("stats"));
        if (!states.isEmpty()) {
            result.insert(QStringLiteral("callerConnectionState"),
                          states.last().value(QStringLiteral("connection")));
        }
    }
    return result;
}

QJsonObject handovers(const Options &o, bool confab, bool addressChange) {
    QJsonArray reps;
    std::vector<double> both;
    int recovered = 0;
    int ended = 0;
    int errors = 0;
    for (int i = 0; i < o.handoverReps; ++i) {
        progress(QStringLiteral("network: %1 %2, repetition %3 of %4")
                     .arg(confab ? QStringLiteral("confab") : QStringLiteral("chromium"),
                          addressChange ? QStringLiteral("address change") : QStringLiteral("5 s drop"))
                     .arg(i + 1)
                     .arg(o.handoverReps));
        const QJsonObject rep = handoverOnce(o, confab, addressChange, i);
        reps.append(rep);
        if (rep.contains(QStringLiteral("error"))) {
            ++errors;
            continue;
        }
        ended += rep.contains(QStringLiteral("callEnded")) ? 1 : 0;
        const QJsonValue a = rep.value(QStringLiteral("callerMs"));
        const QJsonValue b = rep.value(QStringLiteral("calleeMs"));
        if (a.isDouble() && b.isDouble()) {
            ++recovered;
            both.push_back(std::max(a.toDouble(), b.toDouble()));
        }
    }
    return {
        {QStringLiteral("repetitions"), o.handoverReps},
        {QStringLiteral("recovered"), recovered},
        {QStringLiteral("callsEnded"), ended},
        {QStringLiteral("errors"), errors},
        {QStringLiteral("watchSeconds"), o.watchSeconds},
        // Per repetition the later of the two sides: when both see each other again.
        {QStringLiteral("bothBackMedianMs"),
         both.empty() ? QJsonValue() : QJsonValue(rounded(percentile(both, 50), 0))},
        {QStringLiteral("bothBackWorstMs"),
         both.empty() ? QJsonValue() : QJsonValue(rounded(*std::max_element(both.begin(), both.end()), 0))},
        {QStringLiteral("runs"), reps}};
}

}  // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Confab and Chromium pairs under the same network conditions, on the same clip."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("seconds"), QStringLiteral("Measured length of each call."), QStringLiteral("s"),
         QStringLiteral("30")},
        {QStringLiteral("clip"),
         QStringLiteral("Directory with clip.y4m and clip.wav (scripts/make-test-clip)."),
         QStringLiteral("dir")},
        {QStringLiteral("size"), QStringLiteral("Video size."), QStringLiteral("WxH"),
         QStringLiteral("1280x720")},
        {QStringLiteral("fps"), QStringLiteral("Frame rate."), QStringLiteral("n"), QStringLiteral("30")},
        {QStringLiteral("conditions"),
         QStringLiteral("Comma-separated: clean,loss5,cap300,mobile,step (all)."), QStringLiteral("list"),
         QStringLiteral("clean,loss5,cap300,mobile,step")},
        {QStringLiteral("handover-reps"), QStringLiteral("Repetitions of each hand-over (0: none)."),
         QStringLiteral("n"), QStringLiteral("10")},
        {QStringLiteral("watch-seconds"), QStringLiteral("How long to wait for pictures after a hand-over."),
         QStringLiteral("s"), QStringLiteral("15")},
        {QStringLiteral("only"), QStringLiteral("confab or chromium."), QStringLiteral("kind")},
        {QStringLiteral("log-dir"),
         QStringLiteral("Directory for each Confab peer's log (its standard error; QT_LOGGING_RULES and "
                        "GST_DEBUG reach the peers) and its stats events (.stats.jsonl)."),
         QStringLiteral("dir")},
        {QStringLiteral("server-bin"), QStringLiteral("confab-server to start."), QStringLiteral("path")},
        {QStringLiteral("call-bin"), QStringLiteral("confab-call to run."), QStringLiteral("path")},
        {QStringLiteral("chromium-bin"), QStringLiteral("Chromium to run."), QStringLiteral("path")},
    });
    parser.process(app);
    Options o;
    o.seconds = parser.value(QStringLiteral("seconds")).toInt();
    o.clipDir = parser.value(QStringLiteral("clip"));
    if (o.clipDir.isEmpty()) {
        o.clipDir = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../test-clip"));
    }
    o.clipDir = QFileInfo(o.clipDir).absoluteFilePath();
    o.size = parser.value(QStringLiteral("size"));
    o.fps = parser.value(QStringLiteral("fps")).toInt();
    o.conditions = parser.value(QStringLiteral("conditions")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    o.handoverReps = parser.value(QStringLiteral("handover-reps")).toInt();
    o.watchSeconds = parser.value(QStringLiteral("watch-seconds")).toInt();
    o.logDir = parser.value(QStringLiteral("log-dir"));
    if (!o.logDir.isEmpty() && !QDir().mkpath(o.logDir)) {
        progress(QStringLiteral("network: cannot make %1").arg(o.logDir));
        return 2;
    }
    const QString only = parser.value(QStringLiteral("only"));
    o.confab = only.isEmpty() || only == QLatin1StringView("confab");
    o.chromium = only.isEmpty() || only == QLatin1StringView("chromium");
    if (o.seconds < 5 || o.fps < 1) {
        progress(QStringLiteral("network: --seconds must be at least 5"));
        return 2;
    }
    for (const char *file : {"clip.y4m", "clip.wav"}) {
        if (!QFileInfo::exists(QDir(o.clipDir).filePath(QLatin1StringView(file)))) {
            progress(QStringLiteral("network: %1 has no %2: run scripts/make-test-clip first")
                         .arg(o.clipDir, QLatin1StringView(file)));
            return 2;
        }
    }
    if (const QString reason = NetworkLab::unavailableReason(); !reason.isEmpty()) {
        progress(QStringLiteral("network: cannot build the networks: ") + reason);
        return 1;
    }
    usePrograms(parser.value(QStringLiteral("server-bin")), parser.value(QStringLiteral("call-bin")),
                parser.value(QStringLiteral("chromium-bin")));
    const QJsonObject before = machine();

    QJsonArray results;
    bool ok = true;
    int index = 0;
    for (const Condition &condition : allConditions()) {
        if (!o.conditions.contains(condition.name)) {
            continue;
        }
        QJsonObject entry{{QStringLiteral("condition"), condition.name},
                          {QStringLiteral("description"), condition.description},
                          {QStringLiteral("rateKbps"),
                           condition.link.rateKbps ? QJsonValue(condition.link.rateKbps) : QJsonValue()},
                          {QStringLiteral("lossPercent"), condition.link.lossPercent},
                          {QStringLiteral("oneWayDelayMs"), condition.link.delayMs},
                          {QStringLiteral("oneWayJitterMs"), condition.link.jitterMs}};
        for (const bool confab : {true, false}) {
            if ((confab && !o.confab) || (!confab && !o.chromium)) {
                continue;
            }
            progress(
                QStringLiteral("network: %1, %2")
                    .arg(condition.name, confab ? QStringLiteral("confab") : QStringLiteral("chromium")));
            Stage stage;
            QString error;
            QJsonObject run;
            if (!stage.start(&error) || !stage.lab.apply(condition.link, &error)) {
                run = {{QStringLiteral("error"), error}};
            } else {
                if (condition.link.delayMs > 0 && confab) {
                    // The forwarder's self-check: the round trip it really gives.
                    if (const auto probe = stage.lab.probe(50, 20, &error)) {
                        entry.insert(QStringLiteral("probedRoundTripMs"),
                                     QJsonObject{{QStringLiteral("min"), rounded(probe->minMs)},
                                                 {QStringLiteral("median"), rounded(probe->medianMs)},
                                                 {QStringLiteral("max"), rounded(probe->maxMs)},
                                                 {QStringLiteral("received"), probe->received},
                                                 {QStringLiteral("sent"), probe->sent}});
                    }
                }
                run =
                    confab ? confabRun(o, stage, condition, index) : chromiumRun(o, stage, condition, index);
            }
            ++index;
            ok = ok && !run.contains(QStringLiteral("error"));
            entry.insert(confab ? QStringLiteral("confab") : QStringLiteral("chromium"), run);
        }
        results.append(entry);
    }

    QJsonObject handover;
    if (o.handoverReps > 0) {
        for (const bool addressChange : {true, false}) {
            QJsonObject kinds;
            for (const bool confab : {true, false}) {
                if ((confab && !o.confab) || (!confab && !o.chromium)) {
                    continue;
                }
                kinds.insert(confab ? QStringLiteral("confab") : QStringLiteral("chromium"),
                             handovers(o, confab, addressChange));
            }
            handover.insert(addressChange ? QStringLiteral("addressChange") : QStringLiteral("drop5s"),
                            kinds);
        }
    }
    print({{QStringLiteral("bench"), QStringLiteral("network")},
           {QStringLiteral("video"),
            QStringLiteral("%1@%2 VP8, clip %3").arg(o.size).arg(o.fps).arg(o.clipDir)},
           {QStringLiteral("seconds"), o.seconds},
           {QStringLiteral("conditions"), results},
           {QStringLiteral("handover"), handover},
           {QStringLiteral("machineBefore"), before},
           {QStringLiteral("machineAfter"), machine()}});
    return ok ? 0 : 1;
}
