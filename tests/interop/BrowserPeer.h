#pragma once

#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

// Headless Chromium from Debian running tests/interop/page/confab-peer.html with fake camera and
// microphone; the page's CONFAB-RESULT console lines become events.
class BrowserPeer {
public:
    BrowserPeer();
    ~BrowserPeer();

    // Empty on success, else why Chromium could not be started.
    QString start(const QUrl &server, const QString &name, const QString &call, const QString &chat);
    QJsonObject waitFor(const QString &event, int timeoutMs);
    QString log() const { return log_; }

private:
    void read();

    QProcess process_;
    QTemporaryDir profile_;
    QList<QJsonObject> events_;
    QByteArray partial_;
    QString log_;
};
