// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

class QCommandLineParser;

namespace confab::ui {

// What a launch of `confab` asks for: `confab [--server URL] [--name NAME] [--call PEER]` or
// `confab confab:PEER` (the URL scheme handler). The same arguments arrive either from this
// process's command line or, handed over by a second launch, through SingleInstance.
struct LaunchRequest {
    QUrl server;   // empty: whatever is remembered (or the embedded default)
    QString name;  // empty: whatever is remembered
    QString call;  // empty: call no one
    // The call comes from a confab: link (a web page, another app): ask before dialling. `--call`
    // typed in a terminal dials at once.
    bool callFromLink = false;

    bool isEmpty() const { return server.isEmpty() && name.isEmpty() && call.isEmpty(); }

    static void addOptions(QCommandLineParser &parser);
    // Reads a parser that addOptions() prepared and that has parsed; nullopt with *error if the
    // arguments make no sense (a positional argument that is not confab:PEER, say).
    static std::optional<LaunchRequest> fromParser(const QCommandLineParser &parser, QString *error);
    // Parses a full argument list (argv[0] first), as handed over by another launch.
    static std::optional<LaunchRequest> parse(const QStringList &arguments, QString *error);
};

}  // namespace confab::ui
