// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QSettings;

namespace confab::ui {

// The keys the shell owns in the app's QSettings: which server, which name, whether to sign in
// at start, and do-not-disturb. (Media and ICE keys belong to the settings dialog.)
struct AccountSettings {
    // What do-not-disturb does to an incoming call.
    enum class DoNotDisturbAction { Silence = 1, Decline };

    QString serverUrl;  // empty: the embedded server on this computer
    QString name;
    bool autoSignIn = true;  // a first start signs in on the embedded server at once
    bool doNotDisturb = false;
    DoNotDisturbAction doNotDisturbAction = DoNotDisturbAction::Silence;
    bool remembered = false;  // load() found a saved account (false on a first start)
    // The password and token are kept in the keyring (CredentialStore), never here: this only says
    // whether to look there.
    bool rememberSecrets = false;

    static AccountSettings load(const QSettings &settings);
    void save(QSettings &settings) const;
};

}  // namespace confab::ui
