#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace confab {
class SignalingClient;
}

namespace confab::ui {

// The first window: a server address and a name, then who is online. Owns its SignalingClient.
class SignInWindow : public QWidget {
    Q_OBJECT
public:
    explicit SignInWindow(QWidget *parent = nullptr);

    void setServer(const QUrl &url, const QString &name);

private:
    void signIn();
    void showState();

    SignalingClient *client_;
    QLineEdit *server_;
    QLineEdit *name_;
    QPushButton *signIn_;
    QLabel *status_;
    QListWidget *users_;
};

}  // namespace confab::ui
