// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace confab {

// confab-server's configuration file (/etc/confab/server.conf for the system service): one
// `key = value` per line, the keys being the server's long option names, so an admin moves an
// option between the command line and the file without translating it. Lines that are empty or
// start with '#' are comments; there are no inline comments because '#' may appear in a TURN
// password. Only keys named repeatable may appear more than once (ice-server). This class only
// reads the text and reports the first bad line; judging the values (is the port a number?) stays
// with the code that judges command-line values, so both sources give the same checks.
class ServerConfigFile {
public:
    struct Entry {
        QString key;
        QString value;
        int line = 0;  // 1-based, for messages
    };

    // `knownKeys` are the keys the file may use; `repeatableKeys` a subset that may occur often.
    ServerConfigFile(const QSet<QString> &knownKeys, const QSet<QString> &repeatableKeys);

    // Reads and parses `path`. On failure returns false and sets *error to a sentence that starts
    // with "path:line:" when a line is at fault.
    bool load(const QString &path, QString *error);
    // Parses `text` as if read from `path` (used in messages only).
    bool parse(const QByteArray &text, const QString &path, QString *error);

    QString path() const { return path_; }
    bool contains(const QString &key) const;
    // The value of a single-valued key, or an empty string when the file does not set it.
    QString value(const QString &key) const;
    // Every value of a key in file order.
    QStringList values(const QString &key) const;
    // Where the key was (first) set, as "path line N", for messages about bad values.
    QString origin(const QString &key) const;
    const QList<Entry> &entries() const { return entries_; }

private:
    QSet<QString> knownKeys_;
    QSet<QString> repeatableKeys_;
    QString path_;
    QList<Entry> entries_;
};

}  // namespace confab
