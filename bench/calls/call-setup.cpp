// SPDX-License-Identifier: GPL-3.0-or-later
// bench/call-setup: time from the caller's "call" to the first decoded remote video frame on each
// side, confab-call <-> confab-call and Chromium <-> Chromium through one confab-server, same
// resolution, frame rate and codec. Prints one JSON object; see bench/README.md.
#include "BenchSupport.h"
#include "BrowserPeer.h"
#include "ProcessPeers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QTest>

#include <cmath>
#include <memory>

using namespace benchsupport;

namespace {

struct Options {
    int calls = 20;
    QString size = QStringLiteral("640x480");
    int fps = 30;
    QString codec = QStringLiteral("vp8");
    int settleMs = 1000;
    bool confab = true;
    bool chromium = true;
};

struct Results {
    std::vector<double> caller;
    std::vector<double> callee;
    std::vector<double> pair;  // the later of the two sides: when both see each other
    std::vector<double> processStart;
    std::vector<double> alternative;  // Chromium: the same figure from requestVideoFrameCallback's own time
    QJsonArray perCall;
    int failed = 0;
    QStringList failures;
};

QJsonObject report(const Results &r) {
    QJsonObject o{{QStringLiteral("callerMs"), summary(r.caller)},
                  {QStringLiteral("calleeMs"), summary(r.callee)},
                  {QStringLiteral("bothMs"), summary(r.pair)},
                  {QStringLiteral("failed"), r.failed},
                  {QStringLiteral("perCall"), r.perCall}};
    if (!r.failures.isEmpty()) {
        o.insert(QStringLiteral("failures"), QJsonArray::fromStringList(r.failures.mid(0, 5)));
    }
    return o;
}

double eventTime(const QJsonObject &event, const char *field = "t") {
    const QJsonValue value = event.value(QLatin1StringView(field));
    return value.isDouble() ? value.toDouble() : std::nan("");
}

QStringList mediaArguments(const Options &o) {
    return {QStringLiteral("--size"),  o.size, QStringLiteral("--fps"), QString::number(o.fps),
            QStringLiteral("--codec"), o.codec};
}

void confabCall(const Options &o, const QUrl &server, int index, Results *r) {
    const QString callee = QStringLiteral("setup-callee-%1").arg(index);
    const QString caller = QStringLiteral("setup-caller-%1").arg(index);
    CallProcess answering(callee);
    answering.start(server, QStringList{QStringLiteral("--answer")} + mediaArguments(o));
    const auto failure = [&](const QString &why) {
        ++r->failed;
        r->failures.append(QStringLiteral("confab call %1: %2 %3 %4")
                               .arg(index)
                               .arg(why, answering.errorOutput().right(300), QString()));
        progress(r->failures.last());
    };
    if (answering.waitFor(QStringLiteral("logged-in"), 15000).isEmpty()) {
        return failure(QStringLiteral("the callee did not sign in"));
    }
    QTest::qWait(o.settleMs);  // an app that is already running, as a callee's would be
    CallProcess calling(caller);
    const double processStarted = wallMs();
    calling.start(server, QStringList{QStringLiteral("--call"), callee, QStringLiteral("--duration"),
                                      QStringLiteral("1")} +
                              mediaArguments(o));
    const QJsonObject callerFrame = calling.waitFor(QStringLiteral("first-remote-frame"), 20000);
    const QJsonObject calleeFrame = answering.waitFor(QStringLiteral("first-remote-frame"), 20000);
    calling.waitForExit(15000);
    answering.waitForExit(15000);
    double callAt = std::nan("");
    for (const QJsonObject &state : calling.events(QStringLiteral("call-state"))) {
        if (state.value(QStringLiteral("state")).toString() == QLatin1StringView("calling")) {
            callAt = eventTime(state);
            break;
        }
    }
    if (callerFrame.isEmpty() || calleeFrame.isEmpty() || std::isnan(callAt)) {
        return failure(QStringLiteral("no first frame on both sides; caller: ") +
                       calling.errorOutput().right(300));
    }
    const double callerMs = eventTime(callerFrame) - callAt;
    const double calleeMs = eventTime(calleeFrame) - callAt;
    r->caller.push_back(callerMs);
    r->callee.push_back(calleeMs);
    r->pair.push_back(std::max(callerMs, calleeMs));
    r->processStart.push_back(eventTime(callerFrame) - processStarted);
    r->perCall.append(QJsonArray{rounded(callerMs), rounded(calleeMs)});
    progress(QStringLiteral("confab call %1: caller %2 ms, callee %3 ms")
                 .arg(index)
                 .arg(callerMs, 0, 'f', 1)
                 .arg(calleeMs, 0, 'f', 1));
}

void configure(BrowserPeer *peer, const Options &o) {
    peer->setPageParameters({{QStringLiteral("size"), o.size},
                             {QStringLiteral("fps"), QString::number(o.fps)},
                             {QStringLiteral("codec"), o.codec}});
    // Chromium's fake camera runs at 20 fps unless told otherwise.
    peer->setExtraArguments({QStringLiteral("--use-fake-device-for-media-stream=fps=%1").arg(o.fps)});
}

// The page's first-frame time: `presented` (the decoded frame handed to the compositor), else the
// callback's own time.
double firstFrameTime(const QJsonObject &event) {
    const double presented = eventTime(event, "presented");
    return std::isnan(presented) ? eventTime(event) : presented;
}

void chromiumCall(const Options &o, const QUrl &server, int index, Results *r) {
    const QString callee = QStringLiteral("web-callee-%1").arg(index);
    const QString caller = QStringLiteral("web-caller-%1").arg(index);
    BrowserPeer answering;
    BrowserPeer calling;
    configure(&answering, o);
    configure(&calling, o);
    const auto failure = [&](const QString &why) {
        ++r->failed;
        r->failures.append(QStringLiteral("chromium call %1: %2").arg(index).arg(why));
        progress(r->failures.last() + calling.summary().right(1500));
    };
    QString error = answering.start(server, callee, QString(), QStringLiteral("hi"));
    if (!error.isEmpty() || answering.waitFor(QStringLiteral("logged-in"), 30000).isEmpty()) {
        return failure(QStringLiteral("the callee did not sign in ") + error);
    }
    QTest::qWait(o.settleMs);
    error = calling.start(server, caller, callee, QStringLiteral("hi"));
    if (!error.isEmpty()) {
        return failure(error);
    }
    const QJsonObject callerFrame = calling.waitFor(QStringLiteral("first-frame"), 30000);
    const QJsonObject calleeFrame = answering.waitFor(QStringLiteral("first-frame"), 30000);
    const QJsonObject callStart = calling.waitFor(QStringLiteral("call-start"), 1000);
    calling.waitFor(QStringLiteral("final"), 30000);
    answering.waitFor(QStringLiteral("final"), 10000);
    if (callerFrame.isEmpty() || calleeFrame.isEmpty() || callStart.isEmpty()) {
        return failure(QStringLiteral("no first frame on both sides"));
    }
    const double callAt = eventTime(callStart);
    const double callerMs = firstFrameTime(callerFrame) - callAt;
    const double calleeMs = firstFrameTime(calleeFrame) - callAt;
    r->caller.push_back(callerMs);
    r->callee.push_back(calleeMs);
    r->pair.push_back(std::max(callerMs, calleeMs));
    r->alternative.push_back(eventTime(callerFrame) - callAt);
    r->alternative.push_back(eventTime(calleeFrame) - callAt);
    r->perCall.append(QJsonArray{rounded(callerMs), rounded(calleeMs)});
    progress(QStringLiteral("chromium call %1: caller %2 ms, callee %3 ms")
                 .arg(index)
                 .arg(callerMs, 0, 'f', 1)
                 .arg(calleeMs, 0, 'f', 1));
}

double ratio(const std::vector<double> &confab, const std::vector<double> &chromium) {
    const double c = percentile(confab, 50);
    const double w = percentile(chromium, 50);
    return (std::isnan(c) || std::isnan(w) || w == 0) ? std::nan("") : rounded(c / w, 2);
}

QJsonValue number(double value) {
    return std::isnan(value) ? QJsonValue() : QJsonValue(value);
}

}  // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Call set-up time, confab-call pairs and Chromium pairs."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("calls"), QStringLiteral("Calls per kind of pair."), QStringLiteral("n"),
         QStringLiteral("20")},
        {QStringLiteral("size"), QStringLiteral("Video size."), QStringLiteral("WxH"),
         QStringLiteral("640x480")},
        {QStringLiteral("fps"), QStringLiteral("Frame rate."), QStringLiteral("n"), QStringLiteral("30")},
        {QStringLiteral("codec"), QStringLiteral("vp8 or h264."), QStringLiteral("codec"),
         QStringLiteral("vp8")},
        {QStringLiteral("settle-ms"), QStringLiteral("Wait after the callee signed in."),
         QStringLiteral("ms"), QStringLiteral("1000")},
        {QStringLiteral("only"), QStringLiteral("confab or chromium: run one kind of pair."),
         QStringLiteral("kind")},
        {QStringLiteral("server-bin"), QStringLiteral("confab-server to start."), QStringLiteral("path")},
        {QStringLiteral("call-bin"), QStringLiteral("confab-call to run."), QStringLiteral("path")},
        {QStringLiteral("chromium-bin"), QStringLiteral("Chromium to run."), QStringLiteral("path")},
    });
    parser.process(app);
    Options o;
    o.calls = parser.value(QStringLiteral("calls")).toInt();
    o.size = parser.value(QStringLiteral("size"));
    o.fps = parser.value(QStringLiteral("fps")).toInt();
    o.codec = parser.value(QStringLiteral("codec"));
    o.settleMs = parser.value(QStringLiteral("settle-ms")).toInt();
    const QString only = parser.value(QStringLiteral("only"));
    o.confab = only.isEmpty() || only == QLatin1StringView("confab");
    o.chromium = only.isEmpty() || only == QLatin1StringView("chromium");
    if (o.calls < 1 || o.fps < 1) {
        progress(QStringLiteral("call-setup: --calls and --fps must be positive"));
        return 2;
    }
    usePrograms(parser.value(QStringLiteral("server-bin")), parser.value(QStringLiteral("call-bin")),
                parser.value(QStringLiteral("chromium-bin")));

    const QJsonObject before = machine();
    ServerProcess server;
    if (!server.start()) {
        progress(QStringLiteral("call-setup: cannot start confab-server"));
        return 1;
    }
    Results confab;
    Results chromium;
    // Alternating, so both kinds of pair see the same machine: other jobs come and go.
    for (int i = 0; i < o.calls; ++i) {
        if (o.confab) {
            confabCall(o, server.url(), i, &confab);
        }
        if (o.chromium) {
            chromiumCall(o, server.url(), i, &chromium);
        }
    }
    QJsonObject confabReport = report(confab);
    confabReport.insert(QStringLiteral("processStartToCallerFrameMs"), summary(confab.processStart));
    QJsonObject chromiumReport = report(chromium);
    chromiumReport.insert(QStringLiteral("firstFrameCallbackMs"), summary(chromium.alternative));
    print({
        {QStringLiteral("bench"), QStringLiteral("call-setup")},
        {QStringLiteral("calls"), o.calls},
        {QStringLiteral("video"), QStringLiteral("%1@%2 %3").arg(o.size).arg(o.fps).arg(o.codec)},
        {QStringLiteral("confab"), confabReport},
        {QStringLiteral("chromium"), chromiumReport},
        {QStringLiteral("ratioConfabToChromium"),
         QJsonObject{{QStringLiteral("callerMedian"), number(ratio(confab.caller, chromium.caller))},
                     {QStringLiteral("calleeMedian"), number(ratio(confab.callee, chromium.callee))},
                     {QStringLiteral("bothMedian"), number(ratio(confab.pair, chromium.pair))}}},
        {QStringLiteral("machineBefore"), before},
        {QStringLiteral("machineAfter"), machine()},
    });
    return confab.failed + chromium.failed == 0 ? 0 : 1;
}
