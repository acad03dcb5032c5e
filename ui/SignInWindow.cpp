#include "SignInWindow.h"

#include "signaling/SignalingClient.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace confab::ui {

SignInWindow::SignInWindow(QWidget *parent)
    : QWidget(parent),
      client_(new SignalingClient(this)),
      server_(new QLineEdit(this)),
      name_(new QLineEdit(this)),
      signIn_(new QPushButton(tr("&Sign in"), this)),
      status_(new QLabel(this)),
      users_(new QListWidget(this)) {
    setWindowTitle(tr("Confab"));
    server_->setPlaceholderText(QStringLiteral("ws://127.0.0.1:8443/"));
    server_->setAccessibleName(tr("Server address"));
    name_->setAccessibleName(tr("Your name"));
    users_->setAccessibleName(tr("People online"));
    // Names come from the network: shown as plain text, never as rich text.
    status_->setTextFormat(Qt::PlainText);

    auto *form = new QFormLayout;
    form->addRow(tr("Se&rver:"), server_);
    form->addRow(tr("&Name:"), name_);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(signIn_);
    layout->addWidget(status_);
    layout->addWidget(users_);

    connect(signIn_, &QPushButton::clicked, this, &SignInWindow::signIn);
    connect(name_, &QLineEdit::returnPressed, this, &SignInWindow::signIn);
    connect(client_, &SignalingClient::stateChanged, this, [this](SignalingClient::State, const QString &reason) {
        showState();
        if (!reason.isEmpty()) {
            status_->setText(reason);
        }
    });
    connect(client_, &SignalingClient::usersChanged, this, [this](const QStringList &users) {
        users_->clear();
        users_->addItems(users);
    });
    showState();
}

void SignInWindow::setServer(const QUrl &url, const QString &name) {
    if (!url.isEmpty()) {
        server_->setText(url.toString());
    }
    name_->setText(name);
    if (!url.isEmpty() && !name.isEmpty()) {
        signIn();
    }
}

void SignInWindow::signIn() {
    const QString address = server_->text().trimmed().isEmpty() ? server_->placeholderText() : server_->text().trimmed();
    client_->connectToServer(QUrl(address), name_->text().trimmed());
}

void SignInWindow::showState() {
    status_->setText(SignalingClient::describe(client_->state()));
}

}  // namespace confab::ui
