// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;

namespace confab::ui {

// The other person, large, in the middle of the call stage while there is no picture of them:
// their avatar, their name and what the call is doing ("Ringing…", "Connecting…",
// "Reconnecting…", "Their camera is off"). Owned by the call window.
class PeerCard : public QWidget {
    Q_OBJECT
public:
    explicit PeerCard(QWidget *parent = nullptr);

    void setPeer(const QString &name);
    void setState(const QString &state);
    QString state() const;

private:
    QLabel *avatar_;
    QLabel *name_;
    QLabel *state_;
    QString peer_;
};

}  // namespace confab::ui
