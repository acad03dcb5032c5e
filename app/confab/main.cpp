// confab: the desktop app.
#include "confab/Version.h"
#include "SignInWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QUrl>

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("confab"));
    QApplication::setApplicationDisplayName(QStringLiteral("Confab"));
    QApplication::setApplicationVersion(QString::fromLatin1(confab::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Confab: audio and video calls with people you name."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("server"), QStringLiteral("Signaling server URL (ws:// or wss://)."), QStringLiteral("url")},
        {QStringLiteral("name"), QStringLiteral("Your name on the server."), QStringLiteral("name")},
    });
    parser.process(app);

    confab::ui::SignInWindow window;
    window.setServer(QUrl(parser.value(QStringLiteral("server"))), parser.value(QStringLiteral("name")));
    window.show();
    return app.exec();
}
