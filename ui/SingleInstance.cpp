// SPDX-License-Identifier: GPL-3.0-or-later
#include "SingleInstance.h"

#include "UiLogging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>

#include <unistd.h>

namespace confab::ui {

namespace {
// The hand-over is one line of JSON (an array of strings) answered by one line "ok".
constexpr char kAck[] = "ok\n";
constexpr qint64 kMaxRequestBytes = 64 * 1024;
}  // namespace

SingleInstance::SingleInstance(QString key, QObject *parent) : QObject(parent), key_(std::move(key)) {}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::defaultKey() {
    return QStringLiteral("confab-%1").arg(getuid());
}

bool SingleInstance::handOver(const QStringList &arguments, int timeoutMs) {
    QLocalSocket socket;
    socket.connectToServer(key_);
    if (!socket.waitForConnected(timeoutMs)) {
        return false;  // nobody is listening (or a stale socket): we are the first
    }
    QByteArray line = QJsonDocument(QJsonArray::fromStringList(arguments)).toJson(QJsonDocument::Compact);
    line.append('\n');
    socket.write(line);
    if (!socket.waitForBytesWritten(timeoutMs)) {
        qCWarning(lcUi).noquote() << "could not hand the command line to the running Confab:"
                                  << socket.errorString();
        return false;
    }
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(timeoutMs)) {
            qCWarning(lcUi).noquote() << "the running Confab did not answer:" << socket.errorString();
            return false;
        }
    }
    return socket.readLine() == kAck;
}

bool SingleInstance::listen(QString *error) {
    server_ = new QLocalServer(this);
    server_->setSocketOptions(QLocalServer::UserAccessOption);
    if (!server_->listen(key_)) {
        // handOver() found no one answering, so the socket file is a crashed instance's leftover.
        QLocalServer::removeServer(key_);
        if (!server_->listen(key_)) {
            *error = server_->errorString();
            return false;
        }
    }
    connect(server_, &QLocalServer::newConnection, this, &SingleInstance::acceptConnection);
    return true;
}

void SingleInstance::acceptConnection() {
    while (QLocalSocket *socket = server_->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            if (!socket->canReadLine()) {
                if (socket->bytesAvailable() > kMaxRequestBytes) {
                    qCWarning(lcUi) << "dropping an oversized hand-over request";
                    socket->abort();
                }
                return;
            }
            const QJsonDocument document = QJsonDocument::fromJson(socket->readLine());
            if (!document.isArray()) {
                qCWarning(lcUi) << "ignoring a malformed hand-over request";
                socket->abort();
                return;
            }
            QStringList arguments;
            for (const QJsonValue &value : document.array()) {
                arguments.append(value.toString());
            }
            socket->write(kAck);
            socket->flush();
            socket->disconnectFromServer();
            qCInfo(lcUi).noquote() << "another launch handed over:" << arguments.join(QLatin1Char(' '));
            Q_EMIT argumentsReceived(arguments);
        });
    }
}

}  // namespace confab::ui
