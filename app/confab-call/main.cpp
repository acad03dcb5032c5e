// SPDX-License-Identifier: GPL-3.0-or-later
// confab-call: the headless Confab peer for bots, automation, the echo service and tests.
#include "call/HeadlessPeer.h"
#include "confab/Version.h"
#include "media/MediaWarmup.h"
#include "media/X11WindowList.h"
#include "signaling/ServerCertificate.h"
#include "util/VersionOption.h"

#include <glib-unix.h>
#include <gst/gst.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <cstdio>
#include <memory>
#include <utility>

namespace {

// The first line of a file holding a secret (a password or token), without its line break;
// empty with *error set when it cannot be read or is empty. Secrets come from files, not the
// command line, which every user of the machine can read in /proc.
QString readSecret(const QString &path, QString *error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2.").arg(path, file.errorString());
        return {};
    }
    const QString secret = QString::fromUtf8(file.readLine()).remove(QLatin1Char('\n')).remove(QLatin1Char('\r'));
    if (secret.isEmpty()) {
        *error = QStringLiteral("%1 is empty.").arg(path);
    }
    return secret;
}

// Empty when `path` names a readable file; otherwise why not. Whether GStreamer can decode it is
// known when the call starts (a note, and a test source instead).
QString unreadableFile(const QString &path) {
    const QFileInfo info(path);
    if (path.isEmpty()) {
        return QStringLiteral("file: needs a path, as in file:clip.y4m.");
    }
    if (!info.exists()) {
        return QStringLiteral("%1 does not exist.").arg(path);
    }
    if (!info.isFile() || !info.isReadable()) {
        return QStringLiteral("%1 is not a readable file.").arg(path);
    }
    return {};
}

int usage(const char *sentence) {
    std::fprintf(stderr, "confab-call: %s See --help.\n", sentence);
    return 2;
}

gboolean hangUpOnSignal(gpointer) {
    QCoreApplication::exit(130);
    return G_SOURCE_REMOVE;
}

}  // namespace

int main(int argc, char *argv[]) {
    gst_init(&argc, &argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-call"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(confab::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Headless Confab peer: places, answers or echoes calls."));
    parser.addHelpOption();
    parser.addOption(confab::VersionOption::option());
    parser.addOptions({
        {QStringLiteral("server"), QStringLiteral("Signaling server, ws:// or wss://."), QStringLiteral("url")},
        {QStringLiteral("name"), QStringLiteral("Name to sign in with."), QStringLiteral("name")},
        {QStringLiteral("password-file"),
         QStringLiteral("Sign in with the password on this file's first line (servers started with --users)."),
         QStringLiteral("file")},
        {QStringLiteral("token-file"),
         QStringLiteral("Sign in with the server token on this file's first line (servers started with "
                        "--token-file)."),
         QStringLiteral("file")},
        {QStringLiteral("trust-certificate"),
         QStringLiteral("Accept the wss:// server's certificate with this SHA-256 fingerprint (AB:CD:… as the "
                        "desktop app's trust dialog and a refusal show it) although this computer does not "
                        "trust it, as for a self-signed certificate; any other untrusted certificate is still "
                        "refused. For this run only (repeatable)."),
         QStringLiteral("fingerprint")},
        {QStringLiteral("call"), QStringLiteral("Call this user, then exit when the call ends."), QStringLiteral("peer")},
        {QStringLiteral("answer"), QStringLiteral("Answer the next incoming call, then exit when it ends.")},
        {QStringLiteral("echo"), QStringLiteral("Answer every caller and send their audio and video back.")},
        {QStringLiteral("answer-after"),
         QStringLiteral("With --answer or --echo: let each call ring this many seconds before answering, as a "
                        "person taking a moment would."),
         QStringLiteral("seconds")},
        {QStringLiteral("video"),
         QStringLiteral("Video to send: test, camera, none, file:PATH (any video file GStreamer can decode, "
                        "looped, scaled to --size and --fps), or screen[:WINDOW-ID] (the whole X11 screen, or "
                        "one window by its id as xwininfo shows it; the test pattern goes out when the window "
                        "closes)."),
         QStringLiteral("source"), QStringLiteral("test")},
        {QStringLiteral("audio"),
         QStringLiteral("Audio to send: test, mic, none, or file:PATH (any audio file GStreamer can decode, "
                        "looped)."),
         QStringLiteral("source"), QStringLiteral("test")},
        {QStringLiteral("codec"), QStringLiteral("Video codec to offer: vp8 or h264."), QStringLiteral("codec"),
         QStringLiteral("vp8")},
        {QStringLiteral("size"), QStringLiteral("Video size."), QStringLiteral("WxH"), QStringLiteral("640x480")},
        {QStringLiteral("fps"), QStringLiteral("Video frame rate."), QStringLiteral("n"), QStringLiteral("30")},
        {QStringLiteral("jitter-ms"), QStringLiteral("Jitter buffer."), QStringLiteral("ms"), QStringLiteral("60")},
        {QStringLiteral("reconnect-window"),
         QStringLiteral("How long a call whose media stopped (a network change, an outage) may stay "
                        "reconnecting before it ends."),
         QStringLiteral("seconds"), QStringLiteral("30")},
        {QStringLiteral("duration"), QStringLiteral("Hang up this many seconds after connecting."),
         QStringLiteral("seconds")},
        {QStringLiteral("chat"), QStringLiteral("Send this chat message once the call's chat opens."),
         QStringLiteral("text")},
        {QStringLiteral("chat-every"),
         QStringLiteral("With --chat: send it again this often while the call is connected, numbered "
                        "(\"TEXT #2\", …)."),
         QStringLiteral("seconds")},
        {QStringLiteral("ice-server"), QStringLiteral("STUN/TURN URL to use besides the server's (repeatable)."),
         QStringLiteral("url")},
        {QStringLiteral("json"), QStringLiteral("Print one JSON object per line for each event.")},
        {QStringLiteral("stamp-latency"),
         QStringLiteral("Stamp the capture time into sent video and report the peer's glass-to-glass latency "
                        "each second (both sides on this machine's clock).")},
        {QStringLiteral("test-pattern"),
         QStringLiteral("What --video test draws: ball (a ball on a flat background) or bars (scrolling colour bars: "
                        "cheaper to draw, more for the encoder to code)."),
         QStringLiteral("pattern"), QStringLiteral("ball")},
        {QStringLiteral("latency-at-display"),
         QStringLiteral("With --stamp-latency: read the stamps when each frame is due on the clock, as a video sink "
                        "that shows it would, instead of right after the decoder.")},
    });
    parser.process(app);
    if (confab::VersionOption::handle(parser, QStringLiteral("confab-call"))) {
        return 0;
    }

    confab::HeadlessPeer::Options options;
    options.server = QUrl(parser.value(QStringLiteral("server")));
    options.name = parser.value(QStringLiteral("name"));
    if (options.server.isEmpty() || options.name.isEmpty()) {
        return usage("--server and --name are required.");
    }
    for (const auto &[option, secret] : {std::pair{QStringLiteral("password-file"), &options.password},
                                         std::pair{QStringLiteral("token-file"), &options.token}}) {
        if (parser.isSet(option)) {
            QString error;
            *secret = readSecret(parser.value(option), &error);
            if (secret->isEmpty()) {
                std::fprintf(stderr, "confab-call: --%s: %s\n", qPrintable(option), qPrintable(error));
                return 2;
            }
        }
    }
    for (const QString &text : parser.values(QStringLiteral("trust-certificate"))) {
        const QString fingerprint = confab::ServerCertificate::normalizeFingerprint(text);
        if (fingerprint.isEmpty()) {
            return usage("--trust-certificate needs a SHA-256 fingerprint: 32 bytes in hex, such as AB:CD:…:EF.");
        }
        options.trustedFingerprints.append(fingerprint);
    }
    const int modes = int(parser.isSet(QStringLiteral("call"))) + int(parser.isSet(QStringLiteral("answer"))) +
                      int(parser.isSet(QStringLiteral("echo")));
    if (modes != 1) {
        return usage("Choose exactly one of --call PEER, --answer or --echo.");
    }
    if (parser.isSet(QStringLiteral("call"))) {
        options.mode = confab::HeadlessPeer::Mode::Call;
        options.peer = parser.value(QStringLiteral("call"));
    } else {
        options.mode = parser.isSet(QStringLiteral("echo")) ? confab::HeadlessPeer::Mode::Echo
                                                            : confab::HeadlessPeer::Mode::Answer;
    }
    if (parser.isSet(QStringLiteral("answer-after"))) {
        bool ok = false;
        options.answerAfterSeconds = parser.value(QStringLiteral("answer-after")).toInt(&ok);
        if (!ok || options.answerAfterSeconds < 0 || options.mode == confab::HeadlessPeer::Mode::Call) {
            return usage("--answer-after goes with --answer or --echo and is a whole number of seconds.");
        }
    }
    options.json = parser.isSet(QStringLiteral("json"));
    options.chat = parser.value(QStringLiteral("chat"));
    if (parser.isSet(QStringLiteral("chat-every"))) {
        bool ok = false;
        options.chatEverySeconds = parser.value(QStringLiteral("chat-every")).toInt(&ok);
        if (!ok || options.chatEverySeconds <= 0 || options.chat.isEmpty()) {
            return usage("--chat-every must be a whole number of seconds, with --chat.");
        }
    }
    options.stampLatency = parser.isSet(QStringLiteral("stamp-latency"));
    options.latencyAtDisplay = parser.isSet(QStringLiteral("latency-at-display"));
    if (parser.isSet(QStringLiteral("duration"))) {
        bool ok = false;
        options.durationSeconds = parser.value(QStringLiteral("duration")).toInt(&ok);
        if (!ok || options.durationSeconds <= 0) {
            return usage("--duration must be a whole number of seconds.");
        }
    }

    confab::MediaOptions &media = options.call.media;
    const QString video = parser.value(QStringLiteral("video"));
    const QString audio = parser.value(QStringLiteral("audio"));
    if (options.mode == confab::HeadlessPeer::Mode::Echo) {
        media.video = confab::VideoSourceKind::Echo;
        media.audio = confab::AudioSourceKind::Echo;
    } else {
        if (video == QLatin1StringView("test")) {
            media.video = confab::VideoSourceKind::Test;
        } else if (video == QLatin1StringView("camera")) {
            media.video = confab::VideoSourceKind::Camera;
        } else if (video == QLatin1StringView("none")) {
            media.video = confab::VideoSourceKind::None;
        } else if (video.startsWith(QLatin1StringView("file:"))) {
            media.video = confab::VideoSourceKind::File;
            media.videoFile = video.mid(5);
            if (const QString error = unreadableFile(media.videoFile); !error.isEmpty()) {
                std::fprintf(stderr, "confab-call: --video: %s\n", qPrintable(error));
                return 2;
            }
        } else if (video == QLatin1StringView("screen") || video.startsWith(QLatin1StringView("screen:"))) {
            // The share replaces a test pattern, which goes out again if the shared window closes.
            media.video = confab::VideoSourceKind::Test;
            if (video == QLatin1StringView("screen")) {
                options.call.screenShare = confab::ScreenSource::x11Screen();
            } else {
                bool isNumber = false;
                const quint64 id = video.mid(7).toULongLong(&isNumber, 0);  // 0x2a or 42
                if (!isNumber || id == 0) {
                    return usage("--video screen:WINDOW-ID needs a window id such as 0x2a00007.");
                }
                confab::X11WindowList windows;
                if (!windows.isOpen()) {
                    std::fprintf(stderr, "confab-call: --video screen: there is no X11 display (DISPLAY=%s).\n",
                                 qgetenv("DISPLAY").constData());
                    return 2;
                }
                if (!windows.windowExists(id)) {
                    std::fprintf(stderr, "confab-call: --video %s: there is no such window.\n", qPrintable(video));
                    return 2;
                }
                options.call.screenShare = confab::ScreenSource::x11Window(id, windows.windowTitle(id));
            }
        } else {
            return usage("--video must be test, camera, none, file:PATH or screen[:WINDOW-ID].");
        }
        if (audio == QLatin1StringView("test")) {
            media.audio = confab::AudioSourceKind::Test;
        } else if (audio == QLatin1StringView("mic")) {
            media.audio = confab::AudioSourceKind::Microphone;
        } else if (audio == QLatin1StringView("none")) {
            media.audio = confab::AudioSourceKind::None;
        } else if (audio.startsWith(QLatin1StringView("file:"))) {
            media.audio = confab::AudioSourceKind::File;
            media.audioFile = audio.mid(5);
            if (const QString error = unreadableFile(media.audioFile); !error.isEmpty()) {
                std::fprintf(stderr, "confab-call: --audio: %s\n", qPrintable(error));
                return 2;
            }
        } else {
            return usage("--audio must be test, mic, none or file:PATH.");
        }
    }
    const QString pattern = parser.value(QStringLiteral("test-pattern"));
    if (pattern != QLatin1StringView("ball") && pattern != QLatin1StringView("bars")) {
        return usage("--test-pattern must be ball or bars.");
    }
    media.testPattern =
        pattern == QLatin1StringView("bars") ? confab::TestPattern::ScrollingBars : confab::TestPattern::Ball;
    const QString codec = parser.value(QStringLiteral("codec"));
    if (codec != QLatin1StringView("vp8") && codec != QLatin1StringView("h264")) {
        return usage("--codec must be vp8 or h264.");
    }
    media.codec = codec == QLatin1StringView("h264") ? confab::VideoCodec::H264 : confab::VideoCodec::VP8;
    const QRegularExpressionMatch size =
        QRegularExpression(QStringLiteral("^(\\d{2,4})x(\\d{2,4})$")).match(parser.value(QStringLiteral("size")));
    if (!size.hasMatch()) {
        return usage("--size must look like 1280x720.");
    }
    media.width = size.captured(1).toInt();
    media.height = size.captured(2).toInt();
    bool ok = false;
    media.fps = parser.value(QStringLiteral("fps")).toInt(&ok);
    if (!ok || media.fps < 1 || media.fps > 60) {
        return usage("--fps must be from 1 to 60.");
    }
    options.call.jitterBufferMs = parser.value(QStringLiteral("jitter-ms")).toInt(&ok);
    if (!ok || options.call.jitterBufferMs < 0 || options.call.jitterBufferMs > 2000) {
        return usage("--jitter-ms must be from 0 to 2000.");
    }
    const double reconnectWindow = parser.value(QStringLiteral("reconnect-window")).toDouble(&ok);
    if (!ok || reconnectWindow < 1 || reconnectWindow > 3600) {
        return usage("--reconnect-window must be from 1 to 3600 seconds.");
    }
    options.call.reconnectWindowMs = int(reconnectWindow * 1000);
    for (const QString &url : parser.values(QStringLiteral("ice-server"))) {
        options.call.iceServers.append(confab::protocol::IceServer{QStringList{url}, {}, {}});
    }
    auto peer = std::make_unique<confab::HeadlessPeer>(options);
    QObject::connect(peer.get(), &confab::HeadlessPeer::finished, &app,
                     [](int status) { QCoreApplication::exit(status); });
    g_unix_signal_add(SIGINT, hangUpOnSignal, nullptr);
    g_unix_signal_add(SIGTERM, hangUpOnSignal, nullptr);
    peer->start();
    const int status = app.exec();
    // A call still running (SIGTERM mid-call) must be torn down before gst_deinit(), which waits for
    // every streaming thread and would otherwise wait for ever. The server tells the other side.
    peer.reset();
    confab::MediaWarmup::wait();  // its thread uses GStreamer
    // Under GST_TRACERS=leaks this is where anything GStreamer still holds gets reported.
    gst_deinit();
    return status;
}
