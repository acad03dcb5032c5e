// SPDX-License-Identifier: GPL-3.0-or-later
// confab-server's --config file: `key = value` lines named like the long options, the first bad
// line reported with its number, and the command line winning over the file.
#include "CannotRun.h"

#include "signaling/ServerConfigFile.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

using namespace confab;

namespace {
const QSet<QString> kKeys{QStringLiteral("host"), QStringLiteral("port"), QStringLiteral("ice-server"),
                          QStringLiteral("tls-cert")};
const QSet<QString> kRepeatable{QStringLiteral("ice-server")};

struct ServerRun {
    int exitCode = -1;
    QString output;  // stdout then stderr
};

// Runs $CONFAB_SERVER_BIN until it prints its first line or exits, then stops it.
ServerRun runServer(const QStringList &arguments) {
    QProcess process;
    process.start(qEnvironmentVariable("CONFAB_SERVER_BIN"), arguments);
    ServerRun run;
    if (!process.waitForStarted(5000)) {
        run.output = QStringLiteral("cannot start confab-server from $CONFAB_SERVER_BIN");
        return run;
    }
    QByteArray output;
    const bool settled = QTest::qWaitFor(
        [&] {
            output += process.readAllStandardOutput();
            return output.contains('\n') || process.state() == QProcess::NotRunning;
        },
        10000);
    if (!settled) {
        process.kill();
        process.waitForFinished(5000);
        run.output = QStringLiteral("confab-server neither printed a line nor exited within 10 s");
        return run;
    }
    if (process.state() == QProcess::NotRunning) {
        run.exitCode = process.exitCode();
    } else {
        process.terminate();
        process.waitForFinished(5000);
        run.exitCode = 0;  // it was up and listening
    }
    output += process.readAllStandardOutput();
    run.output = QString::fromUtf8(output + process.readAllStandardError());
    return run;
}
}  // namespace

class TestServerConfigFile : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;

    QString writeFile(const QByteArray &text) {
        const QString path = dir_.filePath(QStringLiteral("server.conf"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
            qFatal("cannot write the test configuration file");
        }
        return path;
    }

    static QString parseError(const QByteArray &text) {
        ServerConfigFile file(kKeys, kRepeatable);
        QString error;
        if (file.parse(text, QStringLiteral("server.conf"), &error)) {
            return QStringLiteral("(parsed)");
        }
        return error;
    }

private Q_SLOTS:
    void readsKeyValueLinesSkippingCommentsAndBlankLines() {
        ServerConfigFile file(kKeys, kRepeatable);
        QString error;
        QVERIFY2(file.parse("# a comment\n\n  host = 0.0.0.0  \n\tport=9000\r\n   # indented comment\n",
                            QStringLiteral("server.conf"), &error),
                 qPrintable(error));
        QCOMPARE(file.value(QStringLiteral("host")), QStringLiteral("0.0.0.0"));
        QCOMPARE(file.value(QStringLiteral("port")), QStringLiteral("9000"));
        QCOMPARE(file.entries().size(), 2);
        QCOMPARE(file.origin(QStringLiteral("port")), QStringLiteral("server.conf line 4"));
        QVERIFY(!file.contains(QStringLiteral("tls-cert")));
        QCOMPARE(file.value(QStringLiteral("tls-cert")), QString());
    }

    void keepsEveryValueOfARepeatableKeyInOrder() {
        ServerConfigFile file(kKeys, kRepeatable);
        QString error;
        QVERIFY2(file.parse("ice-server = stun:a.example:3478\nice-server = turn:u:p@b.example:3478\n",
                            QStringLiteral("server.conf"), &error),
                 qPrintable(error));
        QCOMPARE(
            file.values(QStringLiteral("ice-server")),
            (QStringList{QStringLiteral("stun:a.example:3478"), QStringLiteral("turn:u:p@b.example:3478")}));
    }

    void valueKeepsEqualsAndHashSigns() {
        // TURN passwords may contain both; only the first '=' splits and there are no inline comments.
        ServerConfigFile file(kKeys, kRepeatable);
        QString error;
        QVERIFY2(file.parse("ice-server = turn:user:pa=ss#word@turn.example:3478\n",
                            QStringLiteral("server.conf"), &error),
                 qPrintable(error));
        QCOMPARE(file.value(QStringLiteral("ice-server")),
                 QStringLiteral("turn:user:pa=ss#word@turn.example:3478"));
    }

    void refusesALineWithoutEqualsNamingItsNumber() {
        const QString error = parseError("host = ::1\n\nport 9000\n");
        QVERIFY2(error.startsWith(QStringLiteral("server.conf:3: ")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("key = value")), qPrintable(error));
    }

    void refusesAnUnknownKeyListingTheKnownOnes() {
        const QString error = parseError("prot = 9000\n");
        QVERIFY2(error.startsWith(QStringLiteral("server.conf:1: unknown key \"prot\"")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("host, ice-server, port, tls-cert")), qPrintable(error));
    }

    void refusesAKeyWrittenWithDashes() {
        const QString error = parseError("--port = 9000\n");
        QVERIFY2(error.startsWith(QStringLiteral("server.conf:1: ")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("without dashes")), qPrintable(error));
    }

    void refusesAnEmptyKeyOrValue() {
        QVERIFY(parseError("= 9000\n").startsWith(QStringLiteral("server.conf:1: ")));
        const QString error = parseError("\nport =   \n");
        QVERIFY2(error.startsWith(QStringLiteral("server.conf:2: \"port\" has no value")), qPrintable(error));
    }

    void refusesASingleValuedKeyGivenTwice() {
        const QString error = parseError("port = 1\nhost = ::1\nport = 2\n");
        QVERIFY2(error.startsWith(QStringLiteral("server.conf:3: ")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("server.conf line 1")), qPrintable(error));
    }

    void refusesTextThatIsNotUtf8() {
        const QString error = parseError("host = \xff\xfe\n");
        QVERIFY2(error.contains(QStringLiteral("not UTF-8")), qPrintable(error));
    }

    void refusesAMissingFile() {
        ServerConfigFile file(kKeys, kRepeatable);
        QString error;
        QVERIFY(!file.load(dir_.filePath(QStringLiteral("absent.conf")), &error));
        QVERIFY2(error.contains(QStringLiteral("absent.conf")), qPrintable(error));
    }

    void serverListensWhereTheFileSays() {
        // host 127.0.0.2 is loopback on Linux and differs from the default 127.0.0.1.
        const QString path = writeFile("host = 127.0.0.2\nport = 0\n");
        const ServerRun run = runServer({QStringLiteral("--config"), path});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("listening on ws://127\\.0\\.0\\.2:\\d+/"))
                     .match(run.output)
                     .hasMatch(),
                 qPrintable(run.output));
    }

    void serverCommandLineOverridesTheFile() {
        // The file's port is out of range; the command line's --port replaces it, so it is never judged.
        const QString path = writeFile("port = 70000\n");
        const ServerRun run =
            runServer({QStringLiteral("--config"), path, QStringLiteral("--port"), QStringLiteral("0")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.output.contains(QStringLiteral("listening on ws://127.0.0.1:")), qPrintable(run.output));
    }

    void serverRefusesABadValueNamingTheFileLine() {
        const QString path = writeFile("# comment\nport = 70000\n");
        const ServerRun run = runServer({QStringLiteral("--config"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(QStringLiteral("\"port\" (%1 line 2) must be a number").arg(path)),
                 qPrintable(run.output));
    }

    void serverRefusesABadLineAndExitsNonZero() {
        const QString path = writeFile("port = 0\nlisten on everything\n");
        const ServerRun run = runServer({QStringLiteral("--config"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(QStringLiteral("%1:2: expected \"key = value\"").arg(path)),
                 qPrintable(run.output));
    }

    void serverTakesTheAbuseLimitsFromTheFile() {
        const QString path = writeFile(
            "port = 0\nmessage-rate = 0\nmessage-burst = 5\nmax-connections-per-ip = 0\nlimit-loopback = true\n"
            "login-timeout = 30\nmax-sdp-bytes = 4096\nmax-candidate-bytes = 256\nmax-pending-bytes = 0\n");
        const ServerRun run = runServer({QStringLiteral("--config"), path});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.output.contains(QStringLiteral("listening on ws://127.0.0.1:")), qPrintable(run.output));
    }

    void serverBoundsHandshakesAndQueuesByDefault() {
        // The defaults, without waiting 10 s for a handshake to time out: the server logs the
        // limits it runs with (tst_serverhandshakes tests the mechanism with short timeouts).
        const ServerRun run = runServer({QStringLiteral("--port"), QStringLiteral("0")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(
            run.output.contains(QStringLiteral("handshake timeout 10 s; at most 1000 connections in their "
                                               "handshake, 64 connections an address, 1048576 bytes queued")),
            qPrintable(run.output));
    }

    void serverTakesTheHandshakeLimitsFromTheFileAndTheCommandLine() {
        const QString path =
            writeFile("port = 0\nhandshake-timeout = 3\nmax-handshakes = 50\nmax-queued-bytes = 4096\n");
        const ServerRun run = runServer(
            {QStringLiteral("--config"), path, QStringLiteral("--max-handshakes"), QStringLiteral("70")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(
            run.output.contains(QStringLiteral("handshake timeout 3 s; at most 70 connections in their "
                                               "handshake, 64 connections an address, 4096 bytes queued")),
            qPrintable(run.output));
    }

    void serverRefusesABadLimitNamingTheFileLine_data() {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("message-rate") << QByteArray("message-rate = fast");
        QTest::newRow("message-burst") << QByteArray("message-burst = 0");
        QTest::newRow("max-connections-per-ip") << QByteArray("max-connections-per-ip = -1");
        QTest::newRow("login-timeout") << QByteArray("login-timeout = 10s");
        QTest::newRow("max-sdp-bytes") << QByteArray("max-sdp-bytes = many");
        QTest::newRow("max-candidate-bytes") << QByteArray("max-candidate-bytes = -5");
        QTest::newRow("max-pending-bytes") << QByteArray("max-pending-bytes = 1MB");
        QTest::newRow("handshake-timeout") << QByteArray("handshake-timeout = 0.5");
        QTest::newRow("max-handshakes") << QByteArray("max-handshakes = -1");
        QTest::newRow("max-queued-bytes") << QByteArray("max-queued-bytes = lots");
    }

    void serverRefusesABadLimitNamingTheFileLine() {
        QFETCH(QByteArray, line);
        const QString path = writeFile("port = 0\n" + line + "\n");
        const ServerRun run = runServer({QStringLiteral("--config"), path});
        QCOMPARE(run.exitCode, 2);
        const QString key = QString::fromUtf8(line.left(line.indexOf(' ')));
        QVERIFY2(run.output.contains(QStringLiteral("\"%1\" (%2 line 2) must be a whole number").arg(key, path)),
                 qPrintable(run.output));
    }

    void serverRefusesAMissingConfigFile() {
        const ServerRun run =
            runServer({QStringLiteral("--config"), dir_.filePath(QStringLiteral("absent.conf")),
                       QStringLiteral("--port"), QStringLiteral("0")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(QStringLiteral("cannot read the configuration file")),
                 qPrintable(run.output));
    }

    void serverRaisesItsOpenFileLimitToTheHardLimit() {
        // Started with a soft limit of 256 (inherited), as a service gets 1,024 from systemd.
        rlimit ours{};
        QVERIFY(getrlimit(RLIMIT_NOFILE, &ours) == 0);
        if (ours.rlim_max <= 256) {
            CONFAB_CANNOT_RUN(QStringLiteral("the hard open file limit here is too low to tell"));
        }
        rlimit lowered = ours;
        lowered.rlim_cur = 256;
        QVERIFY(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
        QProcess process;
        process.start(qEnvironmentVariable("CONFAB_SERVER_BIN"), {QStringLiteral("--port"), QStringLiteral("0")});
        const bool started = process.waitForStarted(5000);
        setrlimit(RLIMIT_NOFILE, &ours);
        QVERIFY(started);
        QByteArray output;
        QVERIFY(QTest::qWaitFor(
            [&] {
                output += process.readAllStandardOutput();
                return output.contains("listening on") || process.state() == QProcess::NotRunning;
            },
            10000));
        QFile limits(QStringLiteral("/proc/%1/limits").arg(process.processId()));
        QVERIFY(limits.open(QIODevice::ReadOnly));
        const QString openFiles = QString::fromLatin1(limits.readAll())
                                      .split(QLatin1Char('\n'))
                                      .filter(QStringLiteral("Max open files"))
                                      .value(0)
                                      .simplified();
        process.terminate();
        process.waitForFinished(5000);
        const QString hard = ours.rlim_max == RLIM_INFINITY ? QStringLiteral("unlimited") : QString::number(ours.rlim_max);
        QCOMPARE(openFiles, QStringLiteral("Max open files %1 %1 files").arg(hard));
    }
};

QTEST_GUILESS_MAIN(TestServerConfigFile)
#include "tst_serverconfigfile.moc"
