// SPDX-License-Identifier: GPL-3.0-or-later
// confab: the desktop app. Parses the command line, hands it to a running instance if there is one,
// and otherwise wires the main window to this process's settings and call defaults.
#include "LaunchRequest.h"
#include "MainWindow.h"
#include "SingleInstance.h"
#include "Translations.h"
#include "UiLogging.h"
#include "confab/Version.h"
#include "media/MediaWarmup.h"
#include "util/VersionOption.h"

#include <glib-unix.h>
#include <gst/gst.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include <cstdio>

namespace {

gboolean quitOnSignal(gpointer window) {
    // Without asking, also during a call; the window's destructor hangs up and signs out properly.
    static_cast<confab::ui::MainWindow *>(window)->quit(false);
    return G_SOURCE_REMOVE;
}

}  // namespace

int main(int argc, char *argv[]) {
    gst_init(&argc, &argv);
    // Our arguments as given: QApplication removes the ones Qt knows, and on X11 that includes
    // `-name`/`--name` (the X resource name), which is also ours.
    QStringList arguments;
    for (int i = 0; i < argc; ++i) {
        arguments.append(QString::fromLocal8Bit(argv[i]));
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("confab"));
    QApplication::setOrganizationName(QStringLiteral("confab"));
    QApplication::setApplicationDisplayName(QStringLiteral("Confab"));
    QApplication::setApplicationVersion(QString::fromLatin1(confab::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("confab"));
    // The system's language where Confab has a translation (LANG, LC_MESSAGES, LANGUAGE).
    confab::ui::Translations::install(QLocale::system());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Confab: audio and video calls with people you name."));
    parser.addHelpOption();
    parser.addOption(confab::VersionOption::option());
    confab::ui::LaunchRequest::addOptions(parser);
    parser.process(arguments);
    if (confab::VersionOption::handle(parser, QStringLiteral("confab"))) {
        return 0;
    }
    QString error;
    const std::optional<confab::ui::LaunchRequest> request =
        confab::ui::LaunchRequest::fromParser(parser, &error);
    if (!request) {
        std::fprintf(stderr, "confab: %s See --help.\n", qPrintable(error));
        return 2;
    }

    // One window per user: a second launch gives its arguments to the first and leaves.
    confab::ui::SingleInstance instance(qEnvironmentVariableIsSet("CONFAB_INSTANCE_KEY")
                                            ? qEnvironmentVariable("CONFAB_INSTANCE_KEY")
                                            : confab::ui::SingleInstance::defaultKey());
    if (instance.handOver(arguments)) {
        return 0;
    }
    if (!instance.listen(&error)) {
        qCWarning(lcUi).noquote() << "running without single-instance hand-over:" << error;
    }

    QSettings settings;
    confab::ui::MainWindow::Options options;
    options.settings = &settings;
    // Camera and microphone as chosen in Settings; without them a test pattern and silence, said so.
    options.useStoredCallSettings = true;
    confab::ui::MainWindow window(options);
    QObject::connect(&instance, &confab::ui::SingleInstance::argumentsReceived, &window,
                     [&window](const QStringList &handedArguments) {
                         QString why;
                         if (const auto handed = confab::ui::LaunchRequest::parse(handedArguments, &why)) {
                             window.handle(*handed);
                         } else {
                             qCWarning(lcUi).noquote() << "ignoring a hand-over:" << why;
                         }
                     });
    g_unix_signal_add(SIGINT, quitOnSignal, &window);
    g_unix_signal_add(SIGTERM, quitOnSignal, &window);
    // Plugins and the DTLS certificate are made now, in the background, not when the user calls.
    confab::MediaWarmup::start();
    window.show();
    window.start(*request);
    const int status = app.exec();
    confab::MediaWarmup::wait();  // its thread uses GStreamer
    return status;
}
