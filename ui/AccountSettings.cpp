// SPDX-License-Identifier: GPL-3.0-or-later
#include "AccountSettings.h"

#include <QSettings>

namespace confab::ui {

namespace {
const QString kServerUrl = QStringLiteral("server/url");
const QString kName = QStringLiteral("account/name");
const QString kAutoSignIn = QStringLiteral("account/autoSignIn");
const QString kDoNotDisturb = QStringLiteral("account/doNotDisturb");
const QString kDoNotDisturbAction = QStringLiteral("account/doNotDisturbAction");
const QString kRememberSecrets = QStringLiteral("account/rememberSecretsInKeyring");
}  // namespace

AccountSettings AccountSettings::load(const QSettings &settings) {
    AccountSettings account;
    account.serverUrl = settings.value(kServerUrl).toString();
    account.name = settings.value(kName).toString();
    account.remembered = settings.contains(kName);
    account.autoSignIn = settings.value(kAutoSignIn, true).toBool();
    account.doNotDisturb = settings.value(kDoNotDisturb, false).toBool();
    account.rememberSecrets = settings.value(kRememberSecrets, false).toBool();
    account.doNotDisturbAction =
        settings.value(kDoNotDisturbAction).toString() == QLatin1StringView("decline")
            ? DoNotDisturbAction::Decline
            : DoNotDisturbAction::Silence;
    return account;
}

void AccountSettings::save(QSettings &settings) const {
    settings.setValue(kServerUrl, serverUrl);
    settings.setValue(kName, name);
    settings.setValue(kAutoSignIn, autoSignIn);
    settings.setValue(kDoNotDisturb, doNotDisturb);
    settings.setValue(kRememberSecrets, rememberSecrets);
    settings.setValue(kDoNotDisturbAction, doNotDisturbAction == DoNotDisturbAction::Decline
                                               ? QStringLiteral("decline")
                                               : QStringLiteral("silence"));
    settings.sync();
}

}  // namespace confab::ui
