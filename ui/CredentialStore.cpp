// SPDX-License-Identifier: GPL-3.0-or-later
#include "CredentialStore.h"

namespace confab::ui {

QString CredentialStore::keyFor(const QString &serverUrl, const QString &name) {
    return QStringLiteral("%1 %2").arg(serverUrl.isEmpty() ? QStringLiteral("local") : serverUrl, name);
}

QString CredentialStore::describe(Status status, const QString &detail) {
    switch (status) {
        case Status::Ok:
        case Status::NotFound:
            return {};
        case Status::NoKeyring:
            return tr(
                "There is no keyring on this computer (such as GNOME Keyring or KWallet), so Confab "
                "cannot remember your password or token: nothing was stored. Type them when you sign in.");
        case Status::Failed:
            return tr("The keyring did not let Confab use your password or token (%1).").arg(detail);
    }
    return {};
}

}  // namespace confab::ui
