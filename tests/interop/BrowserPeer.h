// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

// Headless Chromium (Debian's /usr/bin/chromium, or $CONFAB_CHROMIUM_BIN) running
// tests/interop/page/confab-peer.html with a fake camera and microphone, in a fresh profile. The page's
// "CONFAB-RESULT {json}" console lines, which Chromium logs to stderr, become events.
class BrowserPeer {
public:
    BrowserPeer();
    ~BrowserPeer();  // kills Chromium's whole process group

    // Empty on success, else why Chromium could not be started. An empty `call` answers instead;
    // `hangup` is the page's hangup= parameter (see page/confab-peer.js).
    QString start(const QUrl &server, const QString &name, const QString &call, const QString &chat,
                  const QString &hangup = QString());
    // The first event named `event`; empty when it did not come in time, or when the page reported
    // an error or Chromium exited first (summary() says which).
    QJsonObject waitFor(const QString &event, int timeoutMs);
    QList<QJsonObject> events(const QString &event) const;
    // For failure messages: every page event, then the end of Chromium's own log.
    QString summary() const;
    void kill();

    // For benchmarks (bench/call-setup, bench/call-cpu-memory), set before start(): more page
    // parameters (size=, fps=, codec=, hold=; see page/confab-peer.js) and Chromium switches.
    void setPageParameters(const QList<std::pair<QString, QString>> &parameters) { pageParameters_ = parameters; }
    void setExtraArguments(const QStringList &arguments) { extraArguments_ = arguments; }
    // A command Chromium runs under, e.g. {"ip", "netns", "exec", NAME} (bench/network); it must
    // exec Chromium, so that pid() stays the browser's process group.
    void setLauncher(const QStringList &launcher) { launcher_ = launcher; }
    // Chromium's pid, which is also the id of the process group of everything it forked; 0 when
    // not running.
    qint64 pid() const { return pid_; }

private:
    void read();
    bool failed() const;

    QProcess process_;
    qint64 pid_ = 0;  // also Chromium's process group
    QTemporaryDir profile_;
    QList<QJsonObject> events_;
    QStringList eventLines_;
    QByteArray partial_;
    QByteArray log_;  // the last part of Chromium's stderr
    QList<std::pair<QString, QString>> pageParameters_;
    QStringList extraArguments_;
    QStringList launcher_;
};
