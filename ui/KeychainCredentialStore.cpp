// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeychainCredentialStore.h"

#include "UiLogging.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace confab::ui {

namespace {

CredentialStore::Status statusOf(QKeychain::Error error) {
    switch (error) {
        case QKeychain::NoError:
            return CredentialStore::Status::Ok;
        case QKeychain::EntryNotFound:
            return CredentialStore::Status::NotFound;
        case QKeychain::NoBackendAvailable:
        case QKeychain::NotImplemented:
            return CredentialStore::Status::NoKeyring;
        case QKeychain::CouldNotDeleteEntry:
        case QKeychain::AccessDeniedByUser:
        case QKeychain::AccessDenied:
        case QKeychain::OtherError:
            return CredentialStore::Status::Failed;
    }
    return CredentialStore::Status::Failed;
}

template <typename Job>
Job *makeJob(const QString &key, QObject *parent) {
    auto *job = new Job(QString::fromLatin1(KeychainCredentialStore::kService), parent);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);  // never a plain file instead of a keyring
    job->setKey(key);
    return job;
}

}  // namespace

QString KeychainCredentialStore::missingKeyring() {
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        return tr("there is no D-Bus session bus");
    }
    QDBusConnectionInterface *services = bus.interface();
    if (!services) {
        return tr("the D-Bus session bus cannot be asked for services");
    }
    const QStringList activatable = services->activatableServiceNames().value();
    for (const QString &name :
         {QStringLiteral("org.freedesktop.secrets"), QStringLiteral("org.kde.kwalletd5"),
          QStringLiteral("org.kde.kwalletd6"), QStringLiteral("org.kde.kwalletd")}) {
        if (services->isServiceRegistered(name).value() || activatable.contains(name)) {
            return {};
        }
    }
    return tr("no Secret Service (GNOME Keyring, KeePassXC, …) or KWallet on the session bus");
}

void KeychainCredentialStore::read(const QString &key) {
    if (const QString missing = missingKeyring(); !missing.isEmpty()) {
        qCWarning(lcUi).noquote() << "keyring read: no keyring:" << missing;
        QTimer::singleShot(
            0, this, [this, key, missing] { Q_EMIT readFinished(key, Status::NoKeyring, {}, missing); });
        return;
    }
    auto *job = makeJob<QKeychain::ReadPasswordJob>(key, this);
    connect(job, &QKeychain::Job::finished, this, [this, key](QKeychain::Job *finished) {
        const Status status = statusOf(finished->error());
        Secrets secrets;
        if (status == Status::Ok) {
            const QJsonObject stored =
                QJsonDocument::fromJson(
                    static_cast<QKeychain::ReadPasswordJob *>(finished)->textData().toUtf8())
                    .object();
            secrets.password = stored.value(QStringLiteral("password")).toString();
            secrets.token = stored.value(QStringLiteral("token")).toString();
        } else if (status != Status::NotFound) {
            qCWarning(lcUi).noquote() << "keyring read failed:" << finished->errorString();
        }
        Q_EMIT readFinished(key, status, secrets, finished->errorString());
    });
    job->start();
}

void KeychainCredentialStore::write(const QString &key, const Secrets &secrets) {
    if (const QString missing = missingKeyring(); !missing.isEmpty()) {
        qCWarning(lcUi).noquote() << "keyring write: no keyring:" << missing;
        QTimer::singleShot(0, this,
                           [this, key, missing] { Q_EMIT writeFinished(key, Status::NoKeyring, missing); });
        return;
    }
    const auto report = [this, key](QKeychain::Job *finished) {
        Status status = statusOf(finished->error());
        if (status == Status::NotFound) {
            status = Status::Ok;  // removing what is not there: done
        }
        if (status != Status::Ok) {
            qCWarning(lcUi).noquote() << "keyring write failed:" << finished->errorString();
        }
        Q_EMIT writeFinished(key, status, finished->errorString());
    };
    if (secrets.isEmpty()) {
        auto *job = makeJob<QKeychain::DeletePasswordJob>(key, this);
        connect(job, &QKeychain::Job::finished, this, report);
        job->start();
        return;
    }
    auto *job = makeJob<QKeychain::WritePasswordJob>(key, this);
    job->setTextData(
        QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("password"), secrets.password},
                                                    {QStringLiteral("token"), secrets.token}})
                              .toJson(QJsonDocument::Compact)));
    connect(job, &QKeychain::Job::finished, this, report);
    job->start();
}

}  // namespace confab::ui
