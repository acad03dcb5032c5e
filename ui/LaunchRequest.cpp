// SPDX-License-Identifier: GPL-3.0-or-later
#include "LaunchRequest.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace confab::ui {

namespace {
QString tr(const char *text) {
    return QCoreApplication::translate("confab::ui::LaunchRequest", text);
}
}  // namespace

void LaunchRequest::addOptions(QCommandLineParser &parser) {
    parser.addOptions({
        {QStringLiteral("server"), tr("Signaling server URL (ws:// or wss://)."), tr("url")},
        {QStringLiteral("name"), tr("Your name on the server."), tr("name")},
        {QStringLiteral("call"), tr("Call this person once signed in."), tr("peer")},
    });
    parser.addPositionalArgument(QStringLiteral("confab:PEER"), tr("Call PEER (the confab: link scheme)."),
                                 QStringLiteral("[confab:PEER]"));
}

std::optional<LaunchRequest> LaunchRequest::fromParser(const QCommandLineParser &parser, QString *error) {
    LaunchRequest request;
    if (parser.isSet(QStringLiteral("server"))) {
        request.server = QUrl(parser.value(QStringLiteral("server")));
        const QString scheme = request.server.scheme();
        if (!request.server.isValid() ||
            (scheme != QLatin1StringView("ws") && scheme != QLatin1StringView("wss"))) {
            *error = tr("The server address must start with ws:// or wss://, not \"%1\".")
                         .arg(parser.value(QStringLiteral("server")));
            return std::nullopt;
        }
    }
    request.name = parser.value(QStringLiteral("name")).trimmed();
    request.call = parser.value(QStringLiteral("call")).trimmed();
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        *error = tr("Give at most one confab:PEER link.");
        return std::nullopt;
    }
    if (!positional.isEmpty()) {
        // confab:bob and confab://bob (some launchers add the slashes); the name is percent-decoded.
        const QString link = positional.first();
        const QUrl url(link);
        if (url.scheme() != QLatin1StringView("confab")) {
            *error = tr("\"%1\" is not a confab:PEER link.").arg(link);
            return std::nullopt;
        }
        QString peer = link.mid(int(qstrlen("confab:")));
        while (peer.startsWith(QLatin1Char('/'))) {
            peer.remove(0, 1);
        }
        if (peer.endsWith(QLatin1Char('/'))) {
            peer.chop(1);
        }
        peer = QUrl::fromPercentEncoding(peer.toUtf8()).trimmed();
        if (peer.isEmpty()) {
            *error = tr("The link \"%1\" names no one to call.").arg(link);
            return std::nullopt;
        }
        request.call = peer;
        request.callFromLink = true;
    }
    return request;
}

std::optional<LaunchRequest> LaunchRequest::parse(const QStringList &arguments, QString *error) {
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    return fromParser(parser, error);
}

}  // namespace confab::ui
