// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerProcessProbe.h"

#include <QDir>
#include <QFile>
#include <QUrl>

ServerProcessProbe::ServerProcessProbe(const QStringList &arguments) {
    std::vector<std::string> args;
    for (const QString &argument : arguments) {
        args.push_back(argument.toStdString());
    }
    std::string error;
    server_ = confab::bench::ServerProcess::start(
        qEnvironmentVariable("CONFAB_SERVER_BIN").toStdString(), args,
        directory_.filePath(QStringLiteral("server.log")).toStdString(), &error);
    error_ = QString::fromStdString(error);
}

QString ServerProcessProbe::url() const {
    return server_ ? QString::fromStdString(server_->url()) : QString();
}

quint16 ServerProcessProbe::port() const {
    return quint16(QUrl(url()).port());
}

int ServerProcessProbe::descriptors() const {
    if (!server_) {
        return -1;
    }
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(server_->pid()));
    return fds.exists() ? int(fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size())
                        : -1;
}

int ServerProcessProbe::acceptQueue() const {
    QFile table(QStringLiteral("/proc/net/tcp"));
    if (!table.open(QIODevice::ReadOnly)) {
        return -1;
    }
    // "sl local_address rem_address st tx_queue:rx_queue ...": for a listening socket (st 0A)
    // rx_queue is the number of connections waiting to be accepted.
    const QByteArray local =
        QByteArrayLiteral(":") + QByteArray::number(port(), 16).toUpper().rightJustified(4, '0');
    for (const QByteArray &line : table.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 4 && fields[1].endsWith(local) && fields[3] == "0A") {
            return fields[4].mid(fields[4].indexOf(':') + 1).toInt(nullptr, 16);
        }
    }
    return -1;
}

QString ServerProcessProbe::log() const {
    QFile file(directory_.filePath(QStringLiteral("server.log")));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

int ServerProcessProbe::logLines(const QString &text) const {
    int count = 0;
    for (const QString &line : log().split(QLatin1Char('\n'))) {
        if (line.contains(text)) {
            ++count;
        }
    }
    return count;
}
