// SPDX-License-Identifier: GPL-3.0-or-later
#include "BrowserPeer.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

#include <unistd.h>
#include <csignal>

namespace {

// Debian's chromium; CONFAB_CHROMIUM_BIN may name another build of Chromium.
QString chromium() {
    const QString path = qEnvironmentVariable("CONFAB_CHROMIUM_BIN");
    return path.isEmpty() ? QStringLiteral("/usr/bin/chromium") : path;
}
const QString kPage = QStringLiteral(CONFAB_INTEROP_PAGE);
constexpr qsizetype kLogTail = 6000;

}  // namespace

BrowserPeer::BrowserPeer() {
    QObject::connect(&process_, &QProcess::readyReadStandardError, [this] { read(); });
    // Chromium forks zygote, renderer, GPU and utility processes: in a process group of their own
    // they can all be killed at once, by the group's id, when the test is done.
    process_.setChildProcessModifier([] { ::setpgid(0, 0); });
    process_.setStandardOutputFile(QProcess::nullDevice());
}

BrowserPeer::~BrowserPeer() {
    kill();
}

QString BrowserPeer::start(const QUrl &server, const QString &name, const QString &call, const QString &chat,
                           const QString &hangup) {
    const QString program = chromium();
    if (!QFileInfo(program).isExecutable()) {
        return QStringLiteral(
                   "%1 is missing: the browser interop tests need Debian's chromium package "
                   "(scripts/test installs it; or apt-get install chromium).")
            .arg(program);
    }
    if (!profile_.isValid()) {
        return QStringLiteral("cannot create a temporary Chromium profile: ") + profile_.errorString();
    }
    // file:// is enough: Chromium treats it as a secure context (getUserMedia) and lets it open
    // ws:// connections; no web server needed.
    QUrl page = QUrl::fromLocalFile(kPage);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("server"), server.toString());
    query.addQueryItem(QStringLiteral("name"), name);
    if (call.isEmpty()) {
        query.addQueryItem(QStringLiteral("answer"), QStringLiteral("1"));
    } else {
        query.addQueryItem(QStringLiteral("call"), call);
    }
    query.addQueryItem(QStringLiteral("chat"), chat);
    if (!hangup.isEmpty()) {
        query.addQueryItem(QStringLiteral("hangup"), hangup);
    }
    for (const auto &[key, value] : pageParameters_) {
        query.addQueryItem(key, value);
    }
    page.setQuery(query);
    QStringList arguments{
        QStringLiteral("--headless"),
        QStringLiteral("--no-sandbox"),  // tests may run as root
        QStringLiteral("--disable-gpu"),
        QStringLiteral("--use-fake-device-for-media-stream"),
        QStringLiteral("--use-fake-ui-for-media-stream"),
        QStringLiteral("--autoplay-policy=no-user-gesture-required"),
        // Raw IP host candidates instead of .local mDNS names.
        QStringLiteral("--disable-features=WebRtcHideLocalIpsWithMdns"),
        // Nothing beyond 127.0.0.1: keep Chromium from phoning home.
        QStringLiteral("--disable-background-networking"),
        QStringLiteral("--disable-component-update"),
        QStringLiteral("--disable-sync"),
        QStringLiteral("--disable-quic"),
        QStringLiteral("--no-first-run"),
        QStringLiteral("--no-default-browser-check"),
        QStringLiteral("--password-store=basic"),
        QStringLiteral("--user-data-dir=") + profile_.path(),
        // Console messages go to the log: the page's results come that way.
        QStringLiteral("--enable-logging=stderr"),
        QStringLiteral("--v=0"),
    };
    arguments += extraArguments_;
    arguments.append(page.toString(QUrl::FullyEncoded));
    if (launcher_.isEmpty()) {
        process_.start(program, arguments);
    } else {
        process_.start(launcher_.first(), launcher_.mid(1) + QStringList{program} + arguments);
    }
    if (!process_.waitForStarted(10000)) {
        return QStringLiteral("Chromium did not start: ") + process_.errorString();
    }
    pid_ = process_.processId();
    return {};
}

void BrowserPeer::read() {
    partial_ += process_.readAllStandardError();
    qsizetype newline;
    while ((newline = partial_.indexOf('\n')) >= 0) {
        const QByteArray line = partial_.left(newline);
        partial_.remove(0, newline + 1);
        // Without a system bus (containers, CI) Chromium complains on every start: noise.
        if (!line.contains("dbus/")) {
            log_ += line + '\n';
            if (log_.size() > 2 * kLogTail) {
                log_ = log_.right(kLogTail);
            }
        }
        // [pid:tid:date:INFO:CONSOLE:23] "CONFAB-RESULT {...}", source: file:///…/confab-peer.js (23)
        const qsizetype start = line.indexOf("\"CONFAB-RESULT ");
        const qsizetype end = line.lastIndexOf("\", source: ");
        if (start < 0 || end < start) {
            continue;
        }
        const QByteArray json = line.mid(start + 15, end - start - 15);
        const QJsonDocument document = QJsonDocument::fromJson(json);
        if (document.isObject()) {
            events_.append(document.object());
            eventLines_.append(QString::fromUtf8(json));
        } else {
            eventLines_.append(QStringLiteral("(unreadable) ") + QString::fromUtf8(json));
        }
    }
}

bool BrowserPeer::failed() const {
    return !events(QStringLiteral("error")).isEmpty() || !events(QStringLiteral("server-error")).isEmpty();
}

QJsonObject BrowserPeer::waitFor(const QString &event, int timeoutMs) {
    const auto find = [&] {
        const QList<QJsonObject> found = events(event);
        return found.isEmpty() ? QJsonObject() : found.first();
    };
    (void)QTest::qWaitFor(
        [&] {
            read();
            return !find().isEmpty() || failed() || process_.state() == QProcess::NotRunning;
        },
        timeoutMs);
    read();
    return find();
}

QList<QJsonObject> BrowserPeer::events(const QString &event) const {
    QList<QJsonObject> result;
    for (const QJsonObject &e : events_) {
        if (e.value(QStringLiteral("event")).toString() == event) {
            result.append(e);
        }
    }
    return result;
}

QString BrowserPeer::summary() const {
    QString text = QStringLiteral("\n--- page events:\n") + eventLines_.join(QLatin1Char('\n'));
    if (process_.state() == QProcess::NotRunning) {
        text += QStringLiteral("\n--- Chromium exited with %1").arg(process_.exitCode());
    }
    text += QStringLiteral("\n--- end of Chromium's log:\n") + QString::fromUtf8(log_.right(kLogTail));
    return text;
}

void BrowserPeer::kill() {
    if (pid_ > 0) {
        ::kill(-pid_t(pid_), SIGKILL);  // the group: the browser and every process it forked
        pid_ = 0;
    }
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(10000);
    }
}
