// SPDX-License-Identifier: GPL-3.0-or-later
#include "SignInPage.h"

#include "AppIcon.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace confab::ui {

SignInPage::SignInPage(QWidget *parent)
    : QWidget(parent),
      server_(new QLineEdit(this)),
      name_(new QLineEdit(this)),
      password_(new QLineEdit(this)),
      token_(new QLineEdit(this)),
      remember_(new QCheckBox(tr("&Remember password and token in the keyring"), this)),
      autoSignIn_(new QCheckBox(tr("Sign in &automatically next time"), this)),
      signIn_(new QPushButton(tr("&Sign in"), this)),
      status_(new QLabel(this)),
      error_(new QLabel(this)) {
    auto *logo = new QLabel(this);
    logo->setPixmap(AppIcon::pixmap(96));
    logo->setAlignment(Qt::AlignCenter);
    logo->setMinimumHeight(104);  // never squeezed: a clipped logo looks broken
    auto *title = new QLabel(tr("Sign in to Confab"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignCenter);

    server_->setPlaceholderText(tr("Empty: a server on this computer"));
    server_->setToolTip(tr("Like example.org:8443 (wss:// is added) or ws://example.org:8080/."));
    server_->setAccessibleName(tr("Server address"));
    server_->setAccessibleDescription(
        tr("A server's address, like example.org:8443; leave empty to use a server on this computer."));
    server_->setClearButtonEnabled(true);
    name_->setPlaceholderText(tr("How others see you"));
    name_->setAccessibleName(tr("Your name"));
    name_->setAccessibleDescription(tr("The name others see and call you by on this server."));
    name_->setMaxLength(64);
    password_->setEchoMode(QLineEdit::Password);
    password_->setPlaceholderText(tr("Only if the server asks for one"));
    password_->setAccessibleName(tr("Password"));
    password_->setAccessibleDescription(tr("Only for a server that asks for one."));
    token_->setEchoMode(QLineEdit::Password);
    token_->setPlaceholderText(tr("Only if the server's operator gave you one"));
    token_->setAccessibleName(tr("Server token"));
    token_->setAccessibleDescription(tr("The token this server's operator gave you."));
    remember_->setAccessibleName(tr("Remember password and token in the keyring"));
    remember_->setToolTip(
        tr("Kept in your desktop's keyring (GNOME Keyring, KWallet), never in Confab's settings file."));
    autoSignIn_->setAccessibleName(tr("Sign in automatically next time"));
    autoSignIn_->setToolTip(tr("Confab signs in by itself when it starts, until you sign out."));
    autoSignIn_->setObjectName(QStringLiteral("autoSignIn"));
    remember_->setObjectName(QStringLiteral("remember"));
    signIn_->setAccessibleName(tr("Sign in"));
    signIn_->setAccessibleDescription(tr("Signs in, or while signing in, stops trying."));
    signIn_->setDefault(true);
    // Sentences may quote names and addresses typed by people: plain text only.
    status_->setTextFormat(Qt::PlainText);
    status_->setWordWrap(true);
    status_->setAlignment(Qt::AlignCenter);
    status_->setAccessibleName(tr("Sign-in status"));
    error_->setTextFormat(Qt::PlainText);
    error_->setWordWrap(true);
    error_->setAlignment(Qt::AlignCenter);
    error_->setAccessibleName(tr("Sign-in error"));
    QPalette errorPalette = error_->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    error_->setPalette(errorPalette);
    error_->hide();

    auto *form = new QFormLayout;
    form_ = form;
    form->addRow(tr("Se&rver:"), server_);
    form->addRow(tr("&Name:"), name_);
    form->addRow(tr("&Password:"), password_);
    form->addRow(tr("Server &token:"), token_);
    form->addRow(QString(), remember_);
    form->addRow(QString(), autoSignIn_);
    form->setRowVisible(token_, false);

    auto *column = new QWidget(this);
    column->setFixedWidth(440);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->addWidget(logo);
    columnLayout->addWidget(title);
    columnLayout->addSpacing(12);
    columnLayout->addLayout(form);
    columnLayout->addWidget(signIn_);
    columnLayout->addWidget(status_);
    columnLayout->addWidget(error_);

    auto *layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addWidget(column, 0, Qt::AlignHCenter);
    layout->addStretch(2);

    setTabOrder(server_, name_);
    setTabOrder(name_, password_);
    setTabOrder(password_, token_);
    setTabOrder(token_, remember_);
    setTabOrder(remember_, autoSignIn_);
    setTabOrder(autoSignIn_, signIn_);
    connect(signIn_, &QPushButton::clicked, this, &SignInPage::submit);
    connect(name_, &QLineEdit::returnPressed, this, &SignInPage::submit);
    connect(server_, &QLineEdit::returnPressed, this, &SignInPage::submit);
    connect(password_, &QLineEdit::returnPressed, this, &SignInPage::submit);
    connect(token_, &QLineEdit::returnPressed, this, &SignInPage::submit);
}

void SignInPage::setValues(const QString &serverUrl, const QString &name, bool autoSignIn) {
    server_->setText(serverUrl);
    name_->setText(name);
    autoSignIn_->setChecked(autoSignIn);
}

QString SignInPage::serverUrl() const {
    return withScheme(server_->text().trimmed());
}

// "example.org:8443" means wss://example.org:8443; a server on this computer is most likely
// plain ws:// (the embedded one, a test server).
QString SignInPage::withScheme(const QString &address) {
    if (address.isEmpty() || address.contains(QLatin1StringView("://"))) {
        return address;
    }
    const QString host = QUrl(QStringLiteral("ws://") + address).host();
    const bool local = host == QLatin1StringView("localhost") || host == QLatin1StringView("127.0.0.1") ||
                       host == QLatin1StringView("::1");
    return (local ? QStringLiteral("ws://") : QStringLiteral("wss://")) + address;
}

void SignInPage::showSecretFields(bool show) {
    form_->setRowVisible(token_, show || !token_->text().isEmpty());
}

QString SignInPage::name() const {
    return name_->text().trimmed();
}

QString SignInPage::password() const {
    return password_->text();
}

QString SignInPage::token() const {
    return token_->text().trimmed();  // pasted tokens often bring a newline or space along
}

void SignInPage::setSecrets(const QString &password, const QString &token) {
    password_->setText(password);
    token_->setText(token);
    if (!token.isEmpty()) {
        showSecretFields(true);
    }
}

bool SignInPage::remember() const {
    return remember_->isChecked();
}

void SignInPage::setRemember(bool remember) {
    remember_->setChecked(remember);
}

bool SignInPage::autoSignIn() const {
    return autoSignIn_->isChecked();
}

void SignInPage::setBusy(bool busy, const QString &status) {
    busy_ = busy;
    signIn_->setText(busy ? tr("&Cancel") : tr("&Sign in"));
    signIn_->setAccessibleName(busy ? tr("Cancel signing in") : tr("Sign in"));
    server_->setEnabled(!busy);
    name_->setEnabled(!busy);
    password_->setEnabled(!busy);
    token_->setEnabled(!busy);
    remember_->setEnabled(!busy);
    status_->setText(status);
}

void SignInPage::showError(const QString &sentence) {
    error_->setText(sentence);
    error_->setVisible(!sentence.isEmpty());
}

QString SignInPage::errorText() const {
    return error_->text();
}

void SignInPage::submit() {
    if (busy_) {
        Q_EMIT cancelRequested();
        return;
    }
    if (name().isEmpty()) {
        showError(tr("Type the name you want others to see."));
        name_->setFocus();
        return;
    }
    const QString address = serverUrl();
    if (!address.isEmpty()) {
        const QUrl url(address);
        if (!url.isValid() || url.host().isEmpty() ||
            (url.scheme() != QLatin1StringView("ws") && url.scheme() != QLatin1StringView("wss"))) {
            showError(tr("“%1” is not a server address. Write it like example.org:8443 or "
                         "wss://example.org:8443/.")
                          .arg(server_->text().trimmed()));
            server_->setFocus();
            return;
        }
        server_->setText(address);  // shows the scheme that was added
    }
    showError({});
    Q_EMIT signInRequested();
}

}  // namespace confab::ui
