// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeCredentialStore.h"

#include <QTimer>

using confab::ui::CredentialStore;

void FakeCredentialStore::read(const QString &key) {
    ++reads;
    QTimer::singleShot(0, this, [this, key] {
        if (!available) {
            Q_EMIT readFinished(key, Status::NoKeyring, {}, QStringLiteral("No keyring (fake)"));
        } else if (!entries.contains(key)) {
            Q_EMIT readFinished(key, Status::NotFound, {}, QStringLiteral("Entry not found (fake)"));
        } else {
            Q_EMIT readFinished(key, Status::Ok, entries.value(key), {});
        }
    });
}

void FakeCredentialStore::write(const QString &key, const Secrets &secrets) {
    ++writes;
    QTimer::singleShot(0, this, [this, key, secrets] {
        if (!available) {
            Q_EMIT writeFinished(key, Status::NoKeyring, QStringLiteral("No keyring (fake)"));
            return;
        }
        if (secrets.isEmpty()) {
            entries.remove(key);
        } else {
            entries.insert(key, secrets);
        }
        Q_EMIT writeFinished(key, Status::Ok, {});
    });
}
