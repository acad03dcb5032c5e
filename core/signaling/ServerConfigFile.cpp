// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/ServerConfigFile.h"

#include <QFile>
#include <QStringDecoder>

#include <algorithm>

namespace confab {

ServerConfigFile::ServerConfigFile(const QSet<QString> &knownKeys, const QSet<QString> &repeatableKeys)
    : knownKeys_(knownKeys), repeatableKeys_(repeatableKeys) {}

bool ServerConfigFile::load(const QString &path, QString *error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the configuration file %1: %2.").arg(path, file.errorString());
        return false;
    }
    return parse(file.readAll(), path, error);
}

bool ServerConfigFile::parse(const QByteArray &text, const QString &path, QString *error) {
    path_ = path;
    entries_.clear();
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString decoded = utf8.decode(text);
    if (utf8.hasError()) {
        *error = QStringLiteral("%1 is not UTF-8 text.").arg(path);
        return false;
    }
    // Sorted, so the list of valid keys in an error message is stable.
    QStringList known(knownKeys_.cbegin(), knownKeys_.cend());
    std::sort(known.begin(), known.end());

    const QStringList lines = decoded.split(QLatin1Char('\n'));
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int lineNumber = static_cast<int>(index) + 1;
        const QString line = lines.at(index).trimmed();  // also drops the \r of CRLF files
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) {
            continue;
        }
        const auto fail = [&](const QString &sentence) {
            *error = QStringLiteral("%1:%2: %3").arg(path).arg(lineNumber).arg(sentence);
            entries_.clear();
            return false;
        };
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (equals < 0) {
            return fail(QStringLiteral("expected \"key = value\", found \"%1\".").arg(line));
        }
        QString key = line.left(equals).trimmed();
        const QString value = line.mid(equals + 1).trimmed();
        // "--port = 1" is what someone pasting from the command line writes; say what is meant.
        if (key.startsWith(QLatin1StringView("--"))) {
            return fail(QStringLiteral("write the key without dashes: \"%1\".").arg(key.mid(2)));
        }
        if (key.isEmpty()) {
            return fail(QStringLiteral("the line has no key before \"=\"."));
        }
        if (!knownKeys_.contains(key)) {
            return fail(QStringLiteral("unknown key \"%1\"; the keys are: %2.")
                            .arg(key, known.join(QStringLiteral(", "))));
        }
        if (value.isEmpty()) {
            return fail(QStringLiteral("\"%1\" has no value.").arg(key));
        }
        if (!repeatableKeys_.contains(key) && contains(key)) {
            QStringList repeatable(repeatableKeys_.cbegin(), repeatableKeys_.cend());
            std::sort(repeatable.begin(), repeatable.end());
            return fail(QStringLiteral("\"%1\" is already set (%2); only %3 may be repeated.")
                            .arg(key, origin(key), repeatable.join(QStringLiteral(", "))));
        }
        entries_.append(Entry{std::move(key), value, lineNumber});
    }
    return true;
}

bool ServerConfigFile::contains(const QString &key) const {
    return std::any_of(entries_.cbegin(), entries_.cend(),
                       [&](const Entry &entry) { return entry.key == key; });
}

QString ServerConfigFile::value(const QString &key) const {
    const QStringList all = values(key);
    return all.isEmpty() ? QString() : all.constLast();
}

QStringList ServerConfigFile::values(const QString &key) const {
    QStringList result;
    for (const Entry &entry : entries_) {
        if (entry.key == key) {
            result.append(entry.value);
        }
    }
    return result;
}

QString ServerConfigFile::origin(const QString &key) const {
    for (const Entry &entry : entries_) {
        if (entry.key == key) {
            return QStringLiteral("%1 line %2").arg(path_).arg(entry.line);
        }
    }
    return QString();
}

}  // namespace confab
