// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QLabel;
class QPushButton;

namespace confab::ui {

// "NAME is calling": Accept with video, Accept audio only, Decline. Escape declines. Non-modal,
// so the main window stays usable; the main window rings, notifies and acts on the choice.
class IncomingCallDialog : public QDialog {
    Q_OBJECT
public:
    explicit IncomingCallDialog(QWidget *parent = nullptr);

    void setCaller(const QString &caller);
    QString caller() const { return caller_; }
    // Do-not-disturb in "silence" mode: say why there is no ring.
    void setSilenced(bool silenced);

    QLabel *callerLabel() const { return name_; }
    QPushButton *acceptVideoButton() const { return acceptVideo_; }
    QPushButton *acceptAudioButton() const { return acceptAudio_; }
    QPushButton *declineButton() const { return decline_; }

Q_SIGNALS:
    void acceptedWithVideo();
    void acceptedAudioOnly();
    void declined();

protected:
    void reject() override;  // Escape or the close button: decline

private:
    QString caller_;
    QLabel *avatar_;
    QLabel *name_;
    QLabel *note_;
    QPushButton *acceptVideo_;
    QPushButton *acceptAudio_;
    QPushButton *decline_;
};

}  // namespace confab::ui
