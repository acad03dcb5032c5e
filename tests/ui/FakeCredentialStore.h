// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CredentialStore.h"

#include <QHash>

// A keyring in memory, at the edge of the machine: this one has no Secret Service or KWallet to
// talk to in most test runs. Answers asynchronously like the real one. `available` false: it
// behaves as a desktop with no keyring (NoKeyring, nothing stored).
class FakeCredentialStore : public confab::ui::CredentialStore {
    Q_OBJECT
public:
    using CredentialStore::CredentialStore;

    void read(const QString &key) override;
    void write(const QString &key, const Secrets &secrets) override;

    bool available = true;
    QHash<QString, Secrets> entries;
    int reads = 0;
    int writes = 0;
};
