// SPDX-License-Identifier: GPL-3.0-or-later
// confab-server: the signaling server. Options in (command line over --config file over defaults),
// SignalingServer up, run until SIGINT/SIGTERM.
#include "confab/Version.h"
#include "protocol/NameRules.h"
#include "signaling/PasswordFile.h"
#include "signaling/ServerConfigFile.h"
#include "signaling/SignalingServer.h"
#include "signaling/cluster/RedisUrl.h"
#include "util/Logging.h"
#include "util/VersionOption.h"

#include <glib-unix.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

namespace {

const QString kConfigOption = QStringLiteral("config");
const QString kIceServerOption = QStringLiteral("ice-server");

// One option's value: the command line wins over the configuration file, the file over the default.
QString optionValue(const QCommandLineParser &parser, const confab::ServerConfigFile &file,
                    const QString &key) {
    if (!parser.isSet(key) && file.contains(key)) {
        return file.value(key);
    }
    return parser.value(key);
}

// Where a bad value came from, so the message points at the command line or at the file's line.
QByteArray optionOrigin(const QCommandLineParser &parser, const confab::ServerConfigFile &file,
                        const QString &key) {
    if (!parser.isSet(key) && file.contains(key)) {
        return QStringLiteral("\"%1\" (%2)").arg(key, file.origin(key)).toLocal8Bit();
    }
    return QStringLiteral("--%1").arg(key).toLocal8Bit();
}

// A whole number from `minimum` up, or false after printing why not.
bool wholeNumber(const QCommandLineParser &parser, const confab::ServerConfigFile &file, const QString &key,
                 qlonglong minimum, qlonglong *result) {
    bool ok = false;
    *result = optionValue(parser, file, key).toLongLong(&ok);
    if (!ok || *result < minimum) {
        std::fprintf(stderr, "confab-server: %s must be a whole number of at least %lld.\n",
                     optionOrigin(parser, file, key).constData(), minimum);
        return false;
    }
    return true;
}

// Returns false (after printing why) when an option's value is unusable.
bool parseOptions(const QCommandLineParser &parser, const confab::ServerConfigFile &file,
                  confab::SignalingServerOptions *options) {
    const auto value = [&](const QString &key) { return optionValue(parser, file, key); };
    const auto origin = [&](const QString &key) { return optionOrigin(parser, file, key); };
    bool ok = true;
    options->host = value(QStringLiteral("host"));
    const uint port = value(QStringLiteral("port")).toUInt(&ok);
    if (!ok || port > 65535) {
        std::fprintf(stderr, "confab-server: %s must be a number from 0 to 65535.\n",
                     origin(QStringLiteral("port")).constData());
        return false;
    }
    options->port = static_cast<quint16>(port);
    const qlonglong maxBytes = value(QStringLiteral("max-message-bytes")).toLongLong(&ok);
    if (!ok || maxBytes < 1024) {
        std::fprintf(stderr, "confab-server: %s must be a number of at least 1024.\n",
                     origin(QStringLiteral("max-message-bytes")).constData());
        return false;
    }
    options->maxMessageBytes = maxBytes;
    const int keepalive = value(QStringLiteral("keepalive")).toInt(&ok);
    if (!ok || keepalive < 1) {
        std::fprintf(stderr, "confab-server: %s must be a number of seconds, at least 1.\n",
                     origin(QStringLiteral("keepalive")).constData());
        return false;
    }
    options->keepaliveIntervalSeconds = keepalive;
    options->silentTimeoutSeconds = 3 * keepalive;
    // Repeatable: any --ice-server on the command line replaces the file's whole list, so a test
    // run can start from a clean slate without editing the file.
    const QStringList iceServers =
        parser.isSet(kIceServerOption) ? parser.values(kIceServerOption) : file.values(kIceServerOption);
    for (const QString &url : iceServers) {
        confab::protocol::IceServer server;
        // turn:user:password@host:port is accepted as a shorthand for credentials.
        QString rest = url;
        const qsizetype at = rest.lastIndexOf(QLatin1Char('@'));
        const qsizetype colon = rest.indexOf(QLatin1Char(':'));
        if (at > colon && colon > 0) {
            const QString credentials = rest.mid(colon + 1, at - colon - 1);
            const qsizetype split = credentials.indexOf(QLatin1Char(':'));
            server.username = credentials.left(split);
            server.credential = split >= 0 ? credentials.mid(split + 1) : QString();
            rest = rest.left(colon + 1) + rest.mid(at + 1);
        }
        if (!rest.startsWith(QLatin1StringView("stun:")) && !rest.startsWith(QLatin1StringView("turn:")) &&
            !rest.startsWith(QLatin1StringView("turns:"))) {
            std::fprintf(stderr, "confab-server: %s must be a stun:, turn: or turns: URL, not \"%s\".\n",
                         origin(kIceServerOption).constData(), qPrintable(url));
            return false;
        }
        server.urls = QStringList{rest};
        options->iceServers.append(server);
    }
    options->tlsCertificateFile = value(QStringLiteral("tls-cert"));
    options->tlsKeyFile = value(QStringLiteral("tls-key"));

    // Abuse limits; 0 turns one off.
    qlonglong number = 0;
    if (!wholeNumber(parser, file, QStringLiteral("message-rate"), 0, &number)) {
        return false;
    }
    options->messagesPerSecond = double(number);
    if (!wholeNumber(parser, file, QStringLiteral("message-burst"), 1, &number)) {
        return false;
    }
    options->messageBurst = int(std::min<qlonglong>(number, 1000000));
    if (!wholeNumber(parser, file, QStringLiteral("max-connections-per-ip"), 0, &number)) {
        return false;
    }
    options->maxConnectionsPerIp = int(std::min<qlonglong>(number, 1000000));
    options->limitLoopbackConnections = parser.isSet(QStringLiteral("limit-loopback")) ||
                                        file.value(QStringLiteral("limit-loopback")) == QStringLiteral("true");
    if (!wholeNumber(parser, file, QStringLiteral("login-timeout"), 0, &number)) {
        return false;
    }
    options->loginTimeoutSeconds = int(std::min<qlonglong>(number, 86400));
    if (!wholeNumber(parser, file, QStringLiteral("handshake-timeout"), 0, &number)) {
        return false;
    }
    options->handshakeTimeout = std::chrono::seconds(std::min<qlonglong>(number, 86400));
    if (!wholeNumber(parser, file, QStringLiteral("max-handshakes"), 0, &number)) {
        return false;
    }
    options->maxHandshakes = int(std::min<qlonglong>(number, 1000000));
    if (!wholeNumber(parser, file, QStringLiteral("max-queued-bytes"), 0, &number)) {
        return false;
    }
    options->maxQueuedBytes = number;
    if (!wholeNumber(parser, file, QStringLiteral("max-sdp-bytes"), 0, &number)) {
        return false;
    }
    options->maxSdpBytes = number;
    if (!wholeNumber(parser, file, QStringLiteral("max-candidate-bytes"), 0, &number)) {
        return false;
    }
    options->maxCandidateBytes = number;
    if (!wholeNumber(parser, file, QStringLiteral("max-pending-bytes"), 0, &number)) {
        return false;
    }
    options->maxPendingBytes = number;
    if (!wholeNumber(parser, file, QStringLiteral("connections-per-shard"), 0, &number)) {
        return false;
    }
    options->connectionsPerShard = int(std::min<qlonglong>(number, 1000000));

    options->turnSecret = value(QStringLiteral("turn-secret")).toUtf8();
    if (const QString secretFile = value(QStringLiteral("turn-secret-file")); !secretFile.isEmpty()) {
        // A file (e.g. a systemd credential) keeps the secret out of /proc and of server.conf.
        QFile secret(secretFile);
        if (!secret.open(QIODevice::ReadOnly) || (options->turnSecret = secret.readLine().trimmed()).isEmpty()) {
            std::fprintf(stderr, "confab-server: %s: cannot read a secret from %s.\n",
                         origin(QStringLiteral("turn-secret-file")).constData(), qPrintable(secretFile));
            return false;
        }
    }
    options->turnUrls =
        parser.isSet(QStringLiteral("turn-url")) ? parser.values(QStringLiteral("turn-url")) : file.values(QStringLiteral("turn-url"));
    for (const QString &url : std::as_const(options->turnUrls)) {
        if (!url.startsWith(QLatin1StringView("turn:")) && !url.startsWith(QLatin1StringView("turns:"))) {
            std::fprintf(stderr, "confab-server: %s must be a turn: or turns: URL, not \"%s\".\n",
                         origin(QStringLiteral("turn-url")).constData(), qPrintable(url));
            return false;
        }
    }
    if (!options->turnSecret.isEmpty() && options->turnUrls.isEmpty()) {
        std::fprintf(stderr, "confab-server: --turn-secret needs --turn-url turn:HOST:PORT.\n");
        return false;
    }
    if (!wholeNumber(parser, file, QStringLiteral("turn-ttl"), 60, &number)) {
        return false;
    }
    options->turnTtlSeconds = int(std::min<qlonglong>(number, 30ll * 86400));

    options->redisUrl = value(QStringLiteral("redis"));
    if (!options->redisUrl.isEmpty()) {
        QString error;
        if (!confab::RedisUrl::parse(options->redisUrl, &error)) {
            std::fprintf(stderr, "confab-server: %s: %s\n", origin(QStringLiteral("redis")).constData(),
                         qPrintable(error));
            return false;
        }
    }
    if (!wholeNumber(parser, file, QStringLiteral("redis-presence-ttl"), 2, &number)) {
        return false;
    }
    options->redisPresenceTtlSeconds = int(std::min<qlonglong>(number, 3600));

    options->usersFile = value(QStringLiteral("users"));
    const QString tokenFile = value(QStringLiteral("token-file"));
    if (!tokenFile.isEmpty()) {
        QFile secret(tokenFile);
        if (!secret.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "confab-server: %s: cannot read %s: %s.\n", origin(QStringLiteral("token-file")).constData(),
                         qPrintable(tokenFile), qPrintable(secret.errorString()));
            return false;
        }
        options->token = secret.readLine().trimmed();
        if (options->token.isEmpty()) {
            std::fprintf(stderr, "confab-server: %s: the token file %s is empty.\n",
                         origin(QStringLiteral("token-file")).constData(), qPrintable(tokenFile));
            return false;
        }
    }
    return true;
}

// Reads a password: from the terminal without echo (asked twice), or the first line of stdin.
QByteArray readPassword(const QString &name, QString *error) {
    const bool tty = isatty(STDIN_FILENO) != 0;
    const auto readLine = [&](const char *prompt) {
        termios saved = {};
        if (tty) {
            std::fprintf(stderr, prompt, qPrintable(name));
            tcgetattr(STDIN_FILENO, &saved);
            termios quiet = saved;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        QFile in;
        (void)in.open(stdin, QIODevice::ReadOnly);
        QByteArray line = in.readLine();
        if (tty) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
            std::fprintf(stderr, "\n");
        }
        while (line.endsWith('\n') || line.endsWith('\r')) {
            line.chop(1);
        }
        return line;
    };
    const QByteArray password = readLine("Password for %s: ");
    if (password.isEmpty()) {
        *error = QStringLiteral("the password is empty.");
        return {};
    }
    if (tty && readLine("The same password again: ") != password) {
        *error = QStringLiteral("the passwords differ.");
        return {};
    }
    return password;
}

// confab-server --add-user NAME --users FILE: adds or replaces one user, then exits.
int addUser(const QString &name, const QString &usersFile) {
    if (usersFile.isEmpty()) {
        std::fprintf(stderr, "confab-server: --add-user needs --users FILE (or users = FILE in --config).\n");
        return 2;
    }
    if (const std::optional<confab::protocol::ProtocolError> invalid = confab::protocol::checkName(name)) {
        std::fprintf(stderr, "confab-server: %s\n", qPrintable(invalid->message));
        return 2;
    }
    QString error;
    const QByteArray password = readPassword(name, &error);
    if (password.isEmpty() || !confab::PasswordFile::setUser(usersFile, name, password, &error)) {
        std::fprintf(stderr, "confab-server: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("confab-server: %s can sign in with that password (%s).\n", qPrintable(name), qPrintable(usersFile));
    return 0;
}

gboolean quitOnSignal(gpointer) {
    qCInfo(lcServer) << "shutting down";
    QCoreApplication::quit();
    return G_SOURCE_CONTINUE;
}

}  // namespace

// Every client is a socket, and every 16 of them a main-loop shard (two descriptors more): the
// soft limit of 1,024 a process gets by default (systemd's services included) stopped the server
// short of a thousand clients. The hard limit is what the administrator allows; take all of it.
void raiseOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) {
        return;
    }
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        qCWarning(lcServer) << "cannot raise the open file limit from" << before << "to" << limit.rlim_max
                            << "- at most about" << before << "clients";
        return;
    }
    qCInfo(lcServer) << "open file limit raised from" << before << "to" << limit.rlim_cur;
}

// GLib 2.74's slice allocator (GSlice, behind most of GLib's and libsoup's small objects) keeps
// the slices it ever handed out in its own caches and never returns them: after a flood of 3,000
// half-open connections the server's heap stayed 10 MB larger for good, against 2 MB with malloc
// and HeapTrimmer. GLib 2.76 replaced GSlice with malloc; G_SLICE=always-malloc, GLib's documented
// switch, makes 2.74 do the same. GLib reads it at its first allocation, while the library loads,
// before main(): so the server starts itself once more with it set. Anyone who sets G_SLICE
// (even empty) keeps their choice.
void useMallocForGLibSlices(char **argv) {
    if (glib_check_version(2, 76, 0) == nullptr || std::getenv("G_SLICE") != nullptr) {
        return;
    }
    // The binary's own path, so that the process keeps its name (ps, systemd, logs).
    char self[4096] = {};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) {
        return;
    }
    setenv("G_SLICE", "always-malloc", 1);
    execv(self, argv);
    std::fprintf(stderr,
                 "confab-server: cannot start again with G_SLICE=always-malloc (%s); GLib will keep the "
                 "memory of its slices\n",
                 std::strerror(errno));
}

int main(int argc, char *argv[]) {
    useMallocForGLibSlices(argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-server"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(confab::kVersion));
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{category}: %{message}"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Confab signaling server: sign-in by name, presence, and "
                       "relay of WebRTC offers, answers and candidates."));
    parser.addHelpOption();
    parser.addOption(confab::VersionOption::option());
    const QList<QCommandLineOption> serverOptions{
        {QStringLiteral("host"), QStringLiteral("IP address to listen on."), QStringLiteral("address"),
         QStringLiteral("127.0.0.1")},
        {QStringLiteral("port"), QStringLiteral("Port to listen on; 0 picks a free one."),
         QStringLiteral("port"), QStringLiteral("8443")},
        {QStringLiteral("max-message-bytes"),
         QStringLiteral("Largest message accepted; larger ones are refused."), QStringLiteral("bytes"),
         QStringLiteral("65536")},
        {QStringLiteral("ice-server"),
         QStringLiteral(
             "STUN/TURN server handed to clients at login (repeatable), e.g. stun:stun.example.org:3478 "
             "or turn:user:secret@turn.example.org:3478."),
         QStringLiteral("url")},
        {QStringLiteral("tls-cert"), QStringLiteral("PEM certificate for wss://."), QStringLiteral("file")},
        {QStringLiteral("tls-key"), QStringLiteral("PEM private key for wss://."), QStringLiteral("file")},
        {QStringLiteral("keepalive"),
         QStringLiteral("Seconds between pings; a client silent for three intervals is dropped."),
         QStringLiteral("seconds"), QStringLiteral("15")},
        // Abuse limits (docs/security.md); 0 turns one off.
        {QStringLiteral("message-rate"),
         QStringLiteral("Messages a second one connection may send, sustained; beyond it they are refused "
                        "(error rate-limited), and a client that keeps on is disconnected. 0: no limit."),
         QStringLiteral("count"), QStringLiteral("50")},
        {QStringLiteral("message-burst"), QStringLiteral("Messages one connection may send at once."),
         QStringLiteral("count"), QStringLiteral("200")},
        {QStringLiteral("max-connections-per-ip"),
         QStringLiteral("Connections one IP address (an IPv6 /64) may hold, counted from accept, those still in "
                        "their handshake included; more are closed at once. Loopback addresses are not counted "
                        "unless --limit-loopback (behind a local TLS proxy, limit there). 0: no limit."),
         QStringLiteral("count"), QStringLiteral("64")},
        {QStringLiteral("limit-loopback"),
         QStringLiteral("Treat loopback addresses as any other in the limits by address: "
                        "--max-connections-per-ip and the sharing out of password checks (in a file: "
                        "limit-loopback = true).")},
        {QStringLiteral("handshake-timeout"),
         QStringLiteral("Seconds a connection may take, from accept, to complete its WebSocket upgrade (and "
                        "TLS handshake); then it is closed. 0: no limit."),
         QStringLiteral("seconds"), QStringLiteral("10")},
        {QStringLiteral("max-handshakes"),
         QStringLiteral("Connections in their handshake at once; beyond it the oldest of the address holding "
                        "most is closed. 0: no limit."),
         QStringLiteral("count"), QStringLiteral("1000")},
        {QStringLiteral("login-timeout"),
         QStringLiteral("Seconds a connection may stay without signing in. 0: no limit."), QStringLiteral("seconds"),
         QStringLiteral("10")},
        {QStringLiteral("max-queued-bytes"),
         QStringLiteral("Bytes waiting to be sent to a client that does not read them before it is "
                        "disconnected; must exceed the list of everyone online (about 25 bytes a user). "
                        "0: no limit."),
         QStringLiteral("bytes"), QStringLiteral("1048576")},
        {QStringLiteral("max-sdp-bytes"), QStringLiteral("Longest session description in an offer or answer."),
         QStringLiteral("bytes"), QStringLiteral("32768")},
        {QStringLiteral("max-candidate-bytes"), QStringLiteral("Longest ICE candidate string."),
         QStringLiteral("bytes"), QStringLiteral("1024")},
        {QStringLiteral("turn-secret"),
         QStringLiteral("Secret shared with a TURN server (coturn use-auth-secret): each login reply gets "
                        "credentials for --turn-url valid --turn-ttl seconds. Better set in --config than here."),
         QStringLiteral("secret")},
        {QStringLiteral("turn-secret-file"), QStringLiteral("Read --turn-secret from this file's first line."),
         QStringLiteral("file")},
        {QStringLiteral("turn-url"), QStringLiteral("TURN server for --turn-secret, e.g. turn:turn.example.org:3478 "
                                                    "(repeatable)."),
         QStringLiteral("url")},
        {QStringLiteral("turn-ttl"), QStringLiteral("Seconds the TURN credentials stay valid."),
         QStringLiteral("seconds"), QStringLiteral("86400")},
        {QStringLiteral("users"),
         QStringLiteral("Users file (confab-server --add-user): each name signs in only with its password."),
         QStringLiteral("file")},
        {QStringLiteral("token-file"),
         QStringLiteral("File whose first line is a token every client must send to sign in."),
         QStringLiteral("file")},
        {QStringLiteral("redis"),
         QStringLiteral("Join a cluster of confab-server nodes sharing this Redis, "
                        "redis://[:password@]host[:port][/db]: names are unique across it, everyone sees "
                        "who is online on any node, and calls cross nodes."),
         QStringLiteral("url")},
        {QStringLiteral("redis-presence-ttl"),
         QStringLiteral("Seconds after which the users of a node that stopped (crashed, cut off) are "
                        "offline and their names free; nodes refresh every third of it."),
         QStringLiteral("seconds"), QStringLiteral("15")},
        {QStringLiteral("connections-per-shard"),
         QStringLiteral("Connections served by each main-loop shard: the server's cost per message grows "
                        "with this, not with everyone connected. 0: one shard for all."),
         QStringLiteral("number"), QStringLiteral("16")},
        {QStringLiteral("max-pending-bytes"),
         QStringLiteral("Bytes a client may send that do not make a whole message (a fragment flood) "
                        "before it is disconnected. 0: unwatched."),
         QStringLiteral("bytes"), QStringLiteral("1048576")},
    };
    parser.addOptions(serverOptions);
    parser.addOption(
        {kConfigOption,
         QStringLiteral("Read options from this file: one \"key = value\" per line, keys being the "
                        "long option names above; the command line overrides the file."),
         QStringLiteral("file")});
    const QCommandLineOption addUserOption(
        QStringLiteral("add-user"),
        QStringLiteral("Add a user to the --users file, or change their password (read from the terminal or "
                       "stdin), and exit."),
        QStringLiteral("name"));
    parser.addOption(addUserOption);
    parser.process(app);
    if (confab::VersionOption::handle(parser, QStringLiteral("confab-server"))) {
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "confab-server: unexpected argument \"%s\"; see --help.\n",
                     qPrintable(parser.positionalArguments().constFirst()));
        return 2;
    }

    // The file may hold every server option but --config itself (no includes) and --help/--version.
    QSet<QString> fileKeys;
    for (const QCommandLineOption &option : serverOptions) {
        fileKeys.insert(option.names().constLast());
    }
    confab::ServerConfigFile file(fileKeys, {kIceServerOption, QStringLiteral("turn-url")});
    if (parser.isSet(kConfigOption)) {
        QString error;
        if (!file.load(parser.value(kConfigOption), &error)) {
            std::fprintf(stderr, "confab-server: %s\n", qPrintable(error));
            return 2;
        }
    }
    if (parser.isSet(addUserOption)) {
        return addUser(parser.value(addUserOption), optionValue(parser, file, QStringLiteral("users")));
    }
    confab::SignalingServerOptions options;
    if (!parseOptions(parser, file, &options)) {
        return 2;
    }
    raiseOpenFileLimit();
    confab::SignalingServer server(options);
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "confab-server: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("confab-server %s listening on %s\n", confab::kVersion, qPrintable(server.url().toString()));
    std::fflush(stdout);

    g_unix_signal_add(SIGINT, quitOnSignal, nullptr);
    g_unix_signal_add(SIGTERM, quitOnSignal, nullptr);
    return app.exec();
}
