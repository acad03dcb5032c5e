// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QStringList>

class QLocalServer;

namespace confab::ui {

// One Confab window per user: the first launch listens on a local socket; a later launch hands
// its command line to it (e.g. `confab --call bob`) and exits. Owned by main().
class SingleInstance : public QObject {
    Q_OBJECT
public:
    // `key` names the local socket; defaultKey() is per user.
    explicit SingleInstance(QString key, QObject *parent = nullptr);
    ~SingleInstance() override;

    static QString defaultKey();

    // True when a running instance took `arguments` (it answered); this process should then exit.
    bool handOver(const QStringList &arguments, int timeoutMs = 3000);
    // Becomes the running instance. A socket left by a crashed instance is removed first.
    bool listen(QString *error);

Q_SIGNALS:
    void argumentsReceived(const QStringList &arguments);

private:
    void acceptConnection();

    QString key_;
    QLocalServer *server_ = nullptr;
};

}  // namespace confab::ui
