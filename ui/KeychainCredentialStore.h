// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CredentialStore.h"

namespace confab::ui {

// The desktop keyring through QtKeychain: one entry per account under the service "Confab",
// holding {"password":…,"token":…} as JSON. QtKeychain's plain-file fallback stays off: without a
// keyring nothing is stored and the status says NoKeyring.
class KeychainCredentialStore : public CredentialStore {
    Q_OBJECT
public:
    static constexpr const char *kService = "Confab";

    using CredentialStore::CredentialStore;

    void read(const QString &key) override;
    void write(const QString &key, const Secrets &secrets) override;

    // Why there is no keyring to talk to (no D-Bus session bus, or no Secret Service or KWallet on
    // it, running or startable); empty when there is one. QtKeychain itself answers these cases
    // with an "Unknown error" after picking a backend that is not there.
    static QString missingKeyring();
};

}  // namespace confab::ui
