// SPDX-License-Identifier: GPL-3.0-or-later
#include "AccountSettings.h"

#include <QSettings>
#include <QUrl>

namespace confab::ui {

namespace {
const QString kServerUrl = QStringLiteral("server/url");
const QString kName = QStringLiteral("account/name");
const QString kAutoSignIn = QStringLiteral("account/autoSignIn");
// Before accounts had values of their own these sat under account/: the last account's still do.
const QString kLegacyDoNotDisturb = QStringLiteral("account/doNotDisturb");
const QString kLegacyDoNotDisturbAction = QStringLiteral("account/doNotDisturbAction");
const QString kLegacyRememberSecrets = QStringLiteral("account/rememberSecretsInKeyring");

QString ownKey(const QString &id, const char *key) {
    return QStringLiteral("accounts/%1/%2").arg(id, QLatin1StringView(key));
}
}  // namespace

QString AccountSettings::id(const QString &serverUrl, const QString &name) {
    // Percent-encoded: no '/' or ':' reaches a path or a settings key.
    const QString server = serverUrl.isEmpty() ? QStringLiteral("this-computer") : serverUrl;
    return QString::fromLatin1(QUrl::toPercentEncoding(name + QLatin1Char('@') + server));
}

AccountSettings AccountSettings::load(const QSettings &settings) {
    AccountSettings account;
    account.serverUrl = settings.value(kServerUrl).toString();
    account.name = settings.value(kName).toString();
    account.remembered = settings.contains(kName);
    account.autoSignIn = settings.value(kAutoSignIn, true).toBool();
    account.loadOwnValues(settings);
    return account;
}

void AccountSettings::switchTo(const QSettings &settings, const QString &serverUrl_, const QString &name_) {
    if (serverUrl_ == serverUrl && name_ == name) {
        return;
    }
    serverUrl = serverUrl_;
    name = name_;
    loadOwnValues(settings);
}

void AccountSettings::loadOwnValues(const QSettings &settings) {
    const QString me = id();
    // The account that was signed in before per-account values existed keeps its old ones.
    const bool legacy = settings.value(kServerUrl).toString() == serverUrl &&
                        settings.value(kName).toString() == name &&
                        !settings.contains(ownKey(me, "doNotDisturb"));
    const auto value = [&](const char *key, const QString &legacyKey, const QVariant &fallback) {
        return legacy ? settings.value(legacyKey, fallback) : settings.value(ownKey(me, key), fallback);
    };
    doNotDisturb = value("doNotDisturb", kLegacyDoNotDisturb, false).toBool();
    rememberSecrets = value("rememberSecretsInKeyring", kLegacyRememberSecrets, false).toBool();
    doNotDisturbAction = value("doNotDisturbAction", kLegacyDoNotDisturbAction, QString()).toString() ==
                                 QLatin1StringView("decline")
                             ? DoNotDisturbAction::Decline
                             : DoNotDisturbAction::Silence;
}

void AccountSettings::save(QSettings &settings) const {
    settings.setValue(kServerUrl, serverUrl);
    settings.setValue(kName, name);
    settings.setValue(kAutoSignIn, autoSignIn);
    const QString me = id();
    settings.setValue(ownKey(me, "doNotDisturb"), doNotDisturb);
    settings.setValue(ownKey(me, "rememberSecretsInKeyring"), rememberSecrets);
    settings.setValue(ownKey(me, "doNotDisturbAction"), doNotDisturbAction == DoNotDisturbAction::Decline
                                                            ? QStringLiteral("decline")
                                                            : QStringLiteral("silence"));
    for (const QString &legacyKey :
         {kLegacyDoNotDisturb, kLegacyDoNotDisturbAction, kLegacyRememberSecrets}) {
        settings.remove(legacyKey);
    }
    settings.sync();
}

}  // namespace confab::ui
