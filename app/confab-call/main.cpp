// confab-call: the headless Confab peer. Until the call engine lands it only reports its version.
#include "confab/Version.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-call"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(confab::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Headless Confab peer for bots, automation and tests."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);

    std::fprintf(stderr, "confab-call: calls are not available in this build yet (the call engine is issue #3).\n");
    return 3;
}
