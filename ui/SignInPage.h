// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QCheckBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace confab::ui {

// The sign-in page of the main window: server address (empty: a server on this computer), name,
// password and server token (for servers that ask), "remember them" (in the keyring), "sign in
// automatically", and what went wrong in a sentence. It only collects and shows; the main
// window signs in. Owned by the main window's page stack.
class SignInPage : public QWidget {
    Q_OBJECT
public:
    explicit SignInPage(QWidget *parent = nullptr);

    void setValues(const QString &serverUrl, const QString &name, bool autoSignIn);
    // The address as typed, with wss:// added when it has no scheme (ws:// for this computer).
    QString serverUrl() const;
    static QString withScheme(const QString &address);
    QString name() const;
    // Only for servers that ask for them; stored only in the keyring, and only when remember()
    // (QSettings is a plain text file).
    QString password() const;
    QString token() const;
    void setSecrets(const QString &password, const QString &token);
    // The server token's field shows only once a server asks for one (or one is already filled in).
    void showSecretFields(bool show);
    bool remember() const;
    void setRemember(bool remember);
    bool autoSignIn() const;

    // While signing in the button cancels instead; `status` says what is going on.
    void setBusy(bool busy, const QString &status = {});
    void showError(const QString &sentence);
    QString errorText() const;

    QLineEdit *serverField() const { return server_; }
    QLineEdit *nameField() const { return name_; }
    QLineEdit *passwordField() const { return password_; }
    QLineEdit *tokenField() const { return token_; }
    QCheckBox *rememberBox() const { return remember_; }
    QPushButton *signInButton() const { return signIn_; }

Q_SIGNALS:
    void signInRequested();
    void cancelRequested();

private:
    void submit();

    QLineEdit *server_;
    QLineEdit *name_;
    QLineEdit *password_;
    QLineEdit *token_;
    QCheckBox *remember_;
    QCheckBox *autoSignIn_;
    QPushButton *signIn_;
    QLabel *status_;
    QLabel *error_;
    QFormLayout *form_ = nullptr;
    bool busy_ = false;
};

}  // namespace confab::ui
