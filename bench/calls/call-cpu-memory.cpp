// SPDX-License-Identifier: GPL-3.0-or-later
// bench/call-cpu-memory: CPU seconds per second of call and peak memory of a confab-call pair
// against a Chromium pair (every process of each browser counted), same size, frame rate and
// codec, both sending the same natural clip (scripts/make-test-clip). Prints one JSON object; see
// bench/README.md.
#include "BenchSupport.h"
#include "BrowserPeer.h"
#include "ProcessPeers.h"
#include "ProcessUsage.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QTest>

#include <cmath>

using namespace benchsupport;

namespace {

struct Options {
    int seconds = 30;
    int warmSeconds = 3;
    int windowSeconds = 25;
    int fps = 30;
    QString codec = QStringLiteral("vp8");
    int settleMs = 1000;
    bool confab = true;
    bool chromium = true;
    QString clipDir;  // clip.y4m and clip.wav, sent by both kinds of pair
};

// CPU over a window of the call: both sides' counters read at its start and end.
struct Window {
    double wallStart = 0;
    ProcessUsage::Sample callerStart, calleeStart;
    double wallEnd = 0;
    ProcessUsage::Sample callerEnd, calleeEnd;
};

Window measure(const Options &o, pid_t caller, pid_t callee, bool group) {
    QTest::qWait(o.warmSeconds * 1000);
    Window w;
    w.wallStart = wallMs();
    w.callerStart = ProcessUsage::read(caller, group, false);
    w.calleeStart = ProcessUsage::read(callee, group, false);
    QTest::qWait(o.windowSeconds * 1000);
    w.wallEnd = wallMs();
    w.callerEnd = ProcessUsage::read(caller, group, false);
    w.calleeEnd = ProcessUsage::read(callee, group, false);
    return w;
}

QJsonObject cpu(const Window &w) {
    const double seconds = (w.wallEnd - w.wallStart) / 1000.0;
    const double caller = (w.callerEnd.cpuSeconds - w.callerStart.cpuSeconds) / seconds;
    const double callee = (w.calleeEnd.cpuSeconds - w.calleeStart.cpuSeconds) / seconds;
    return {{QStringLiteral("caller"), rounded(caller, 3)},
            {QStringLiteral("callee"), rounded(callee, 3)},
            {QStringLiteral("pair"), rounded(caller + callee, 3)},
            {QStringLiteral("windowSeconds"), rounded(seconds, 1)}};
}

QJsonObject confabRun(const Options &o, const QUrl &server, const QString &size, int index) {
    const QString callee = QStringLiteral("cpu-callee-%1").arg(index);
    const QStringList media{QStringLiteral("--size"),
                            size,
                            QStringLiteral("--fps"),
                            QString::number(o.fps),
                            QStringLiteral("--codec"),
                            o.codec,
                            QStringLiteral("--video"),
                            QStringLiteral("file:") + QDir(o.clipDir).filePath(QStringLiteral("clip.y4m")),
                            QStringLiteral("--audio"),
                            QStringLiteral("file:") + QDir(o.clipDir).filePath(QStringLiteral("clip.wav"))};
    CallProcess answering(callee);
    answering.start(server, QStringList{QStringLiteral("--answer")} + media);
    if (answering.waitFor(QStringLiteral("logged-in"), 15000).isEmpty()) {
        return {{QStringLiteral("error"), answering.errorOutput().right(300)}};
    }
    QTest::qWait(o.settleMs);
    CallProcess calling(QStringLiteral("cpu-caller-%1").arg(index));
    calling.start(server, QStringList{QStringLiteral("--call"), callee, QStringLiteral("--duration"),
                                      QString::number(o.seconds)} +
                              media);
    ProcessUsage callerUsage(pid_t(calling.pid()), false);
    ProcessUsage calleeUsage(pid_t(answering.pid()), false);
    callerUsage.start();
    calleeUsage.start();
    if (calling.waitFor(QStringLiteral("first-remote-frame"), 20000).isEmpty() ||
        answering.waitFor(QStringLiteral("first-remote-frame"), 20000).isEmpty()) {
        return {{QStringLiteral("error"), QStringLiteral("no video: ") + calling.errorOutput().right(300)}};
    }
    progress(QStringLiteral("cpu-memory confab %1: measuring %2 s").arg(size).arg(o.windowSeconds));
    const Window w = measure(o, pid_t(calling.pid()), pid_t(answering.pid()), false);
    const bool ended = calling.waitForExit((o.seconds + 20) * 1000);
    answering.waitForExit(10000);
    callerUsage.stop();
    calleeUsage.stop();
    QJsonObject result{
        {QStringLiteral("cpuSecondsPerSecond"), cpu(w)},
        // VmHWM: the kernel's own peak of each process over its whole life.
        {QStringLiteral("peakRssMB"),
         QJsonObject{{QStringLiteral("caller"), rounded(callerUsage.peakHwmMB())},
                     {QStringLiteral("callee"), rounded(calleeUsage.peakHwmMB())},
                     {QStringLiteral("pair"), rounded(callerUsage.peakHwmMB() + calleeUsage.peakHwmMB())}}},
        {QStringLiteral("peakPssMB"),
         QJsonObject{{QStringLiteral("caller"), rounded(callerUsage.peakPssMB())},
                     {QStringLiteral("callee"), rounded(calleeUsage.peakPssMB())}}},
        {QStringLiteral("receivedByCaller"), receivedVideo(calling)},
        {QStringLiteral("receivedByCallee"), receivedVideo(answering)},
    };
    if (!ended || calling.exitCode() != 0) {
        result.insert(QStringLiteral("error"), calling.errorOutput().right(300));
    }
    return result;
}

QJsonObject chromiumRun(const Options &o, const QUrl &server, const QString &size, int index) {
    const QString callee = QStringLiteral("webcpu-callee-%1").arg(index);
    BrowserPeer answering;
    BrowserPeer calling;
    for (BrowserPeer *peer : {&answering, &calling}) {
        peer->setPageParameters({{QStringLiteral("size"), size},
                                 {QStringLiteral("fps"), QString::number(o.fps)},
                                 {QStringLiteral("codec"), o.codec},
                                 {QStringLiteral("hold"), QString::number(o.seconds)}});
        peer->setExtraArguments(
            {QStringLiteral("--use-fake-device-for-media-stream=fps=%1").arg(o.fps),
             QStringLiteral("--use-file-for-fake-video-capture=%1/clip.y4m").arg(o.clipDir),
             QStringLiteral("--use-file-for-fake-audio-capture=%1/clip.wav").arg(o.clipDir)});
    }
    QString error = answering.start(server, callee, QString(), QStringLiteral("hi"));
    if (!error.isEmpty() || answering.waitFor(QStringLiteral("logged-in"), 30000).isEmpty()) {
        return {{QStringLiteral("error"),
                 QStringLiteral("callee did not sign in ") + error + answering.summary().right(500)}};
    }
    QTest::qWait(o.settleMs);
    error =
        calling.start(server, QStringLiteral("webcpu-caller-%1").arg(index), callee, QStringLiteral("hi"));
    if (!error.isEmpty()) {
        return {{QStringLiteral("error"), error}};
    }
    ProcessUsage callerUsage(pid_t(calling.pid()), true);
    ProcessUsage calleeUsage(pid_t(answering.pid()), true);
    callerUsage.start();
    calleeUsage.start();
    if (calling.waitFor(QStringLiteral("first-frame"), 30000).isEmpty() ||
        answering.waitFor(QStringLiteral("first-frame"), 30000).isEmpty()) {
        return {{QStringLiteral("error"), QStringLiteral("no video") + calling.summary().right(800)}};
    }
    progress(QStringLiteral("cpu-memory chromium %1: measuring %2 s").arg(size).arg(o.windowSeconds));
    const Window w = measure(o, pid_t(calling.pid()), pid_t(answering.pid()), true);
    const QJsonObject callerFinal = calling.waitFor(QStringLiteral("final"), (o.seconds + 20) * 1000);
    const QJsonObject calleeFinal = answering.waitFor(QStringLiteral("final"), 10000);
    callerUsage.stop();
    calleeUsage.stop();
    const QJsonObject media = calling.waitFor(QStringLiteral("media"), 100);
    const auto seen = [](const QJsonObject &final) {
        return QJsonObject{{QStringLiteral("size"), QStringLiteral("%1x%2")
                                                        .arg(final.value(QStringLiteral("width")).toInt())
                                                        .arg(final.value(QStringLiteral("height")).toInt())},
                           {QStringLiteral("fpsLast"), final.value(QStringLiteral("fps"))},
                           {QStringLiteral("kbpsLast"), final.value(QStringLiteral("receiveKbps"))},
                           {QStringLiteral("videoCodec"), final.value(QStringLiteral("videoCodec"))}};
    };
    QJsonObject result{
        {QStringLiteral("cpuSecondsPerSecond"), cpu(w)},
        // Summed over the browser's processes at each sample: shared pages count once per process.
        {QStringLiteral("peakRssSumMB"),
         QJsonObject{{QStringLiteral("caller"), rounded(callerUsage.peakRssMB())},
                     {QStringLiteral("callee"), rounded(calleeUsage.peakRssMB())}}},
        // Proportional set size, sampled once a second: each shared page split among its users.
        {QStringLiteral("peakPssSumMB"),
         QJsonObject{{QStringLiteral("caller"), rounded(callerUsage.peakPssMB())},
                     {QStringLiteral("callee"), rounded(calleeUsage.peakPssMB())}}},
        {QStringLiteral("processes"), QJsonObject{{QStringLiteral("caller"), callerUsage.maxProcesses()},
                                                  {QStringLiteral("callee"), calleeUsage.maxProcesses()}}},
        {QStringLiteral("camera"), media.value(QStringLiteral("camera"))},
        {QStringLiteral("receivedByCaller"), seen(callerFinal)},
        {QStringLiteral("receivedByCallee"), seen(calleeFinal)},
    };
    if (callerFinal.isEmpty()) {
        result.insert(QStringLiteral("error"),
                      QStringLiteral("the call did not end normally") + calling.summary().right(500));
    }
    return result;
}

QJsonValue ratio(double a, double b) {
    return (b > 0 && a > 0) ? QJsonValue(rounded(a / b, 2)) : QJsonValue();
}

}  // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("CPU and memory of a call: confab-call pair vs Chromium pair."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("seconds"), QStringLiteral("Length of each call."), QStringLiteral("s"),
         QStringLiteral("30")},
        {QStringLiteral("warm-seconds"), QStringLiteral("Wait after the first frames before measuring."),
         QStringLiteral("s"), QStringLiteral("3")},
        {QStringLiteral("window-seconds"), QStringLiteral("CPU is measured over this long."),
         QStringLiteral("s"), QStringLiteral("25")},
        {QStringLiteral("sizes"), QStringLiteral("Comma-separated video sizes (the clip is 16:9)."),
         QStringLiteral("list"), QStringLiteral("640x360,1280x720")},
        {QStringLiteral("clip"),
         QStringLiteral("Directory with clip.y4m and clip.wav (scripts/make-test-clip)."),
         QStringLiteral("dir")},
        {QStringLiteral("fps"), QStringLiteral("Frame rate."), QStringLiteral("n"), QStringLiteral("30")},
        {QStringLiteral("codec"), QStringLiteral("vp8 or h264."), QStringLiteral("codec"),
         QStringLiteral("vp8")},
        {QStringLiteral("only"), QStringLiteral("confab or chromium: run one kind of pair."),
         QStringLiteral("kind")},
        {QStringLiteral("server-bin"), QStringLiteral("confab-server to start."), QStringLiteral("path")},
        {QStringLiteral("call-bin"), QStringLiteral("confab-call to run."), QStringLiteral("path")},
        {QStringLiteral("chromium-bin"), QStringLiteral("Chromium to run."), QStringLiteral("path")},
    });
    parser.process(app);
    Options o;
    o.seconds = parser.value(QStringLiteral("seconds")).toInt();
    o.warmSeconds = parser.value(QStringLiteral("warm-seconds")).toInt();
    o.windowSeconds = parser.value(QStringLiteral("window-seconds")).toInt();
    o.fps = parser.value(QStringLiteral("fps")).toInt();
    o.codec = parser.value(QStringLiteral("codec"));
    o.clipDir = parser.value(QStringLiteral("clip"));
    if (o.clipDir.isEmpty()) {
        o.clipDir = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../test-clip"));
    }
    o.clipDir = QFileInfo(o.clipDir).absoluteFilePath();
    for (const char *file : {"clip.y4m", "clip.wav"}) {
        if (!QFileInfo::exists(QDir(o.clipDir).filePath(QLatin1StringView(file)))) {
            progress(QStringLiteral("call-cpu-memory: %1 has no %2: run scripts/make-test-clip first")
                         .arg(o.clipDir, QLatin1StringView(file)));
            return 2;
        }
    }
    const QString only = parser.value(QStringLiteral("only"));
    o.confab = only.isEmpty() || only == QLatin1StringView("confab");
    o.chromium = only.isEmpty() || only == QLatin1StringView("chromium");
    if (o.windowSeconds < 1 || o.warmSeconds + o.windowSeconds > o.seconds - 1 || o.fps < 1) {
        progress(QStringLiteral("call-cpu-memory: need --warm-seconds + --window-seconds < --seconds"));
        return 2;
    }
    usePrograms(parser.value(QStringLiteral("server-bin")), parser.value(QStringLiteral("call-bin")),
                parser.value(QStringLiteral("chromium-bin")));
    const QJsonObject before = machine();
    ServerProcess server;
    if (!server.start()) {
        progress(QStringLiteral("call-cpu-memory: cannot start confab-server"));
        return 1;
    }
    QJsonArray runs;
    bool ok = true;
    int index = 0;
    for (const QString &size : parser.value(QStringLiteral("sizes")).split(QLatin1Char(','))) {
        QJsonObject run{{QStringLiteral("size"), size}, {QStringLiteral("fps"), o.fps}};
        const QJsonObject confab = o.confab ? confabRun(o, server.url(), size, index) : QJsonObject();
        const QJsonObject chromium = o.chromium ? chromiumRun(o, server.url(), size, index) : QJsonObject();
        ++index;
        ok = ok && !confab.contains(QStringLiteral("error")) && !chromium.contains(QStringLiteral("error"));
        run.insert(QStringLiteral("confab"), confab);
        run.insert(QStringLiteral("chromium"), chromium);
        const auto get = [](const QJsonObject &o1, const char *a, const char *b) {
            return o1.value(QLatin1StringView(a)).toObject().value(QLatin1StringView(b)).toDouble();
        };
        run.insert(
            QStringLiteral("ratioConfabToChromium"),
            QJsonObject{{QStringLiteral("cpuPair"), ratio(get(confab, "cpuSecondsPerSecond", "pair"),
                                                          get(chromium, "cpuSecondsPerSecond", "pair"))},
                        {QStringLiteral("peakRssCaller"),
                         ratio(get(confab, "peakRssMB", "caller"), get(chromium, "peakRssSumMB", "caller"))},
                        {QStringLiteral("peakPssCaller"), ratio(get(confab, "peakPssMB", "caller"),
                                                                get(chromium, "peakPssSumMB", "caller"))}});
        progress(QStringLiteral("cpu-memory %1 done").arg(size));
        runs.append(run);
    }
    print({{QStringLiteral("bench"), QStringLiteral("call-cpu-memory")},
           {QStringLiteral("codec"), o.codec},
           {QStringLiteral("clip"), o.clipDir},
           {QStringLiteral("seconds"), o.seconds},
           {QStringLiteral("runs"), runs},
           {QStringLiteral("machineBefore"), before},
           {QStringLiteral("machineAfter"), machine()}});
    return ok ? 0 : 1;
}
