// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

namespace confab::ui {

// Keeps the screensaver away while a call is on: org.freedesktop.ScreenSaver Inhibit/UnInhibit on
// the session bus. Without a bus or the service it logs and carries on. Owned by the main window.
class ScreenSaverInhibitor : public QObject {
    Q_OBJECT
public:
    explicit ScreenSaverInhibitor(QObject *parent = nullptr);
    ~ScreenSaverInhibitor() override;

    // Idempotent: inhibit(true) twice holds one inhibition.
    void inhibit(bool on, const QString &reason = {});
    bool isInhibited() const { return wanted_; }
    // The cookie the service gave; 0 while none is held (or no service).
    uint cookie() const { return cookie_; }

Q_SIGNALS:
    void cookieChanged(uint cookie);

private:
    void release();

    bool wanted_ = false;
    bool pending_ = false;
    uint cookie_ = 0;
};

}  // namespace confab::ui
