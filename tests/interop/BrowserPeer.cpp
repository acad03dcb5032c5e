#include "BrowserPeer.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

namespace {
const QString kChromium = QStringLiteral("/usr/bin/chromium");
}

BrowserPeer::BrowserPeer() {
    QObject::connect(&process_, &QProcess::readyReadStandardError, [this] { read(); });
}

BrowserPeer::~BrowserPeer() {
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}

QString BrowserPeer::start(const QUrl &server, const QString &name, const QString &call, const QString &chat) {
    if (!QFileInfo::exists(kChromium)) {
        return QStringLiteral("%1 is missing: install the chromium package (scripts/test does).").arg(kChromium);
    }
    QUrl page = QUrl::fromLocalFile(QStringLiteral(CONFAB_INTEROP_PAGE));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("server"), server.toString());
    query.addQueryItem(QStringLiteral("name"), name);
    query.addQueryItem(call.isEmpty() ? QStringLiteral("answer") : QStringLiteral("call"),
                       call.isEmpty() ? QStringLiteral("1") : call);
    query.addQueryItem(QStringLiteral("chat"), chat);
    page.setQuery(query);
    process_.start(kChromium, {
                                  QStringLiteral("--headless=new"),
                                  QStringLiteral("--no-sandbox"),  // tests may run as root
                                  QStringLiteral("--disable-gpu"),
                                  QStringLiteral("--use-fake-device-for-media-stream"),
                                  QStringLiteral("--use-fake-ui-for-media-stream"),
                                  QStringLiteral("--autoplay-policy=no-user-gesture-required"),
                                  // Raw IP host candidates instead of .local mDNS names.
                                  QStringLiteral("--disable-features=WebRtcHideLocalIpsWithMdns"),
                                  // No network beyond loopback here: keep Chromium from trying.
                                  QStringLiteral("--disable-background-networking"),
                                  QStringLiteral("--disable-component-update"),
                                  QStringLiteral("--disable-sync"),
                                  QStringLiteral("--disable-quic"),
                                  QStringLiteral("--no-first-run"),
                                  QStringLiteral("--user-data-dir=") + profile_.path(),
                                  QStringLiteral("--enable-logging=stderr"),
                                  QStringLiteral("--v=0"),
                                  page.toString(QUrl::FullyEncoded),
                              });
    if (!process_.waitForStarted(10000)) {
        return QStringLiteral("Chromium did not start: ") + process_.errorString();
    }
    return {};
}

void BrowserPeer::read() {
    partial_ += process_.readAllStandardError();
    qsizetype newline;
    while ((newline = partial_.indexOf('\n')) >= 0) {
        const QByteArray line = partial_.left(newline);
        partial_.remove(0, newline + 1);
        log_ += QString::fromUtf8(line) + QLatin1Char('\n');
        // [...:INFO:CONSOLE(57)] "CONFAB-RESULT {...}", source: file:///…
        const qsizetype at = line.indexOf("CONFAB-RESULT ");
        if (at < 0) {
            continue;
        }
        QByteArray json = line.mid(at + 14);
        json.truncate(json.lastIndexOf('}') + 1);
        const QJsonDocument document = QJsonDocument::fromJson(json);
        if (document.isObject()) {
            events_.append(document.object());
        }
    }
}

QJsonObject BrowserPeer::waitFor(const QString &event, int timeoutMs) {
    QJsonObject found;
    (void)QTest::qWaitFor(
        [&] {
            read();
            for (const QJsonObject &e : std::as_const(events_)) {
                if (e.value(QStringLiteral("event")).toString() == event) {
                    found = e;
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}
