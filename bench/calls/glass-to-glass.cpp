// SPDX-License-Identifier: GPL-3.0-or-later
// bench/glass-to-glass: a call between two confab-call processes that stamp each frame's capture
// time into its pixels (confab-call --stamp-latency, core/media/FrameStamp); each side reads the
// other's stamps after its decoder. p50/p95/max per size. Prints one JSON object; see bench/README.md.
#include "BenchSupport.h"
#include "ProcessPeers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QTest>

using namespace benchsupport;

namespace {

struct Options {
    int seconds = 30;
    int skipSeconds = 2;
    int fps = 30;
    int jitterMs = 60;
    QString codec = QStringLiteral("vp8");
    int settleMs = 1000;
    QStringList readAt{QStringLiteral("decoder"), QStringLiteral("display")};
};

double connectedAt(const CallProcess &peer) {
    for (const QJsonObject &state : peer.events(QStringLiteral("call-state"))) {
        if (state.value(QStringLiteral("state")).toString() == QLatin1StringView("connected")) {
            return state.value(QStringLiteral("t")).toDouble();
        }
    }
    return 0;
}

// The receiver's samples from `skip` seconds after it connected on (the first second holds the
// first keyframe and the encoder's start).
std::vector<double> samples(const CallProcess &receiver, int skipSeconds, int *unreadable) {
    const double from = connectedAt(receiver) + skipSeconds * 1000.0;
    std::vector<double> ms;
    for (const QJsonObject &event : receiver.events(QStringLiteral("latency"))) {
        if (event.value(QStringLiteral("t")).toDouble() < from) {
            continue;
        }
        *unreadable += event.value(QStringLiteral("unreadable")).toInt();
        for (const QJsonValue &v : event.value(QStringLiteral("samplesMs")).toArray()) {
            ms.push_back(v.toDouble());
        }
    }
    return ms;
}

QJsonObject run(const Options &o, const QUrl &server, const QString &size, const QString &readAt, int index) {
    const QString callee = QStringLiteral("g2g-callee-%1").arg(index);
    const QStringList media{
        QStringLiteral("--size"),         size,    QStringLiteral("--fps"),       QString::number(o.fps),
        QStringLiteral("--codec"),        o.codec, QStringLiteral("--jitter-ms"), QString::number(o.jitterMs),
        QStringLiteral("--stamp-latency")};
    CallProcess answering(callee);
    answering.start(server, QStringList{QStringLiteral("--answer")} + media);
    if (answering.waitFor(QStringLiteral("logged-in"), 15000).isEmpty()) {
        return {{QStringLiteral("size"), size},
                {QStringLiteral("error"), answering.errorOutput().right(300)}};
    }
    QTest::qWait(o.settleMs);
    CallProcess calling(QStringLiteral("g2g-caller-%1").arg(index));
    calling.start(server, QStringList{QStringLiteral("--call"), callee, QStringLiteral("--duration"),
                                      QString::number(o.seconds)} +
                              media);
    progress(QStringLiteral("glass-to-glass %1, read at the %2: %3 s call").arg(size, readAt).arg(o.seconds));
    const bool ended = calling.waitForExit((o.seconds + 40) * 1000);
    answering.waitForExit(10000);
    int unreadableAtCallee = 0;
    int unreadableAtCaller = 0;
    const std::vector<double> toCallee = samples(answering, o.skipSeconds, &unreadableAtCallee);
    const std::vector<double> toCaller = samples(calling, o.skipSeconds, &unreadableAtCaller);
    std::vector<double> both = toCallee;
    both.insert(both.end(), toCaller.begin(), toCaller.end());
    QJsonObject result{
        {QStringLiteral("size"), size},
        {QStringLiteral("readAt"), readAt},
        {QStringLiteral("fps"), o.fps},
        {QStringLiteral("jitterMs"), o.jitterMs},
        {QStringLiteral("callerToCalleeMs"), summary(toCallee)},
        {QStringLiteral("calleeToCallerMs"), summary(toCaller)},
        {QStringLiteral("bothMs"), summary(both)},
        {QStringLiteral("unreadableFrames"), unreadableAtCallee + unreadableAtCaller},
        {QStringLiteral("receivedByCallee"), receivedVideo(answering)},
        {QStringLiteral("receivedByCaller"), receivedVideo(calling)},
        {QStringLiteral("callEndedNormally"), ended && calling.exitCode() == 0},
    };
    if (!ended || calling.exitCode() != 0) {
        result.insert(QStringLiteral("error"), calling.errorOutput().right(300));
    }
    progress(QStringLiteral("glass-to-glass %1, read at the %2: p50 %3 ms, p95 %4 ms")
                 .arg(size, readAt)
                 .arg(percentile(both, 50), 0, 'f', 1)
                 .arg(percentile(both, 95), 0, 'f', 1));
    return result;
}

}  // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Glass-to-glass latency of a confab-call pair."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("seconds"), QStringLiteral("Length of each call once connected."),
         QStringLiteral("s"), QStringLiteral("30")},
        {QStringLiteral("skip-seconds"), QStringLiteral("Samples ignored after connecting."),
         QStringLiteral("s"), QStringLiteral("2")},
        {QStringLiteral("sizes"), QStringLiteral("Comma-separated video sizes."), QStringLiteral("list"),
         QStringLiteral("640x480,1280x720")},
        {QStringLiteral("fps"), QStringLiteral("Frame rate."), QStringLiteral("n"), QStringLiteral("30")},
        {QStringLiteral("jitter-ms"), QStringLiteral("confab-call --jitter-ms."), QStringLiteral("ms"),
         QStringLiteral("60")},
        {QStringLiteral("codec"), QStringLiteral("vp8 or h264."), QStringLiteral("codec"),
         QStringLiteral("vp8")},
        {QStringLiteral("read-at"),
         QStringLiteral("decoder, display or decoder,display: where the receiver reads the stamps."),
         QStringLiteral("list"), QStringLiteral("decoder,display")},
        {QStringLiteral("server-bin"), QStringLiteral("confab-server to start."), QStringLiteral("path")},
        {QStringLiteral("call-bin"), QStringLiteral("confab-call to run."), QStringLiteral("path")},
    });
    parser.process(app);
    Options o;
    o.seconds = parser.value(QStringLiteral("seconds")).toInt();
    o.skipSeconds = parser.value(QStringLiteral("skip-seconds")).toInt();
    o.fps = parser.value(QStringLiteral("fps")).toInt();
    o.jitterMs = parser.value(QStringLiteral("jitter-ms")).toInt();
    o.codec = parser.value(QStringLiteral("codec"));
    o.readAt = parser.value(QStringLiteral("read-at")).split(QLatin1Char(','));
    if (o.seconds <= o.skipSeconds || o.fps < 1) {
        progress(
            QStringLiteral("glass-to-glass: --seconds must exceed --skip-seconds, --fps must be positive"));
        return 2;
    }
    usePrograms(parser.value(QStringLiteral("server-bin")), parser.value(QStringLiteral("call-bin")),
                QString());
    const QJsonObject before = machine();
    ServerProcess server;
    if (!server.start()) {
        progress(QStringLiteral("glass-to-glass: cannot start confab-server"));
        return 1;
    }
    QJsonArray runs;
    bool ok = true;
    int index = 0;
    for (const QString &size : parser.value(QStringLiteral("sizes")).split(QLatin1Char(','))) {
        for (const QString &readAt : std::as_const(o.readAt)) {
            const QJsonObject result = run(o, server.url(), size, readAt, index++);
            ok = ok && !result.contains(QStringLiteral("error"));
            runs.append(result);
        }
    }
    print({{QStringLiteral("bench"), QStringLiteral("glass-to-glass")},
           {QStringLiteral("codec"), o.codec},
           {QStringLiteral("seconds"), o.seconds},
           {QStringLiteral("skipSeconds"), o.skipSeconds},
           {QStringLiteral("runs"), runs},
           {QStringLiteral("machineBefore"), before},
           {QStringLiteral("machineAfter"), machine()}});
    return ok ? 0 : 1;
}
