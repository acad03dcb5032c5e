// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QSettings;

namespace confab::ui {

// The keys the shell owns in the app's QSettings: the account signed in last (server and name)
// and whether to sign in at start; and, per account, do-not-disturb and whether its password is in
// the keyring. (Media and ICE keys belong to the settings dialog.) An account is a server and a
// name: two people sharing a computer account keep their own choices and history.
struct AccountSettings {
    // What do-not-disturb does to an incoming call.
    enum class DoNotDisturbAction { Silence = 1, Decline };

    QString serverUrl;  // empty: the embedded server on this computer
    QString name;
    bool autoSignIn = true;  // a first start signs in on the embedded server at once
    bool remembered = false;  // load() found a saved account (false on a first start)
    // Per account:
    bool doNotDisturb = false;
    DoNotDisturbAction doNotDisturbAction = DoNotDisturbAction::Silence;
    // The password and token are kept in the keyring (CredentialStore), never here: this only says
    // whether to look there.
    bool rememberSecrets = false;

    // The account signed in last, with its own values.
    static AccountSettings load(const QSettings &settings);
    // Switches to the account `serverUrl`/`name` and reads its own values (defaults when new).
    void switchTo(const QSettings &settings, const QString &serverUrl, const QString &name);
    void save(QSettings &settings) const;

    // A name for the account that is safe as a file name and a settings group.
    static QString id(const QString &serverUrl, const QString &name);
    QString id() const { return id(serverUrl, name); }

private:
    void loadOwnValues(const QSettings &settings);
};

}  // namespace confab::ui
