// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QIcon>
#include <QObject>

class QAction;
class QSystemTrayIcon;

namespace confab::ui {

// The app's icon in the desktop's tray, where there is one: it keeps the app reachable while its
// window is closed, marks missed calls with a red dot, says in its tooltip who is calling, and
// offers Show, Do not disturb and Quit. Made only where a tray exists (isAvailable()). Owned by
// the main window.
class TrayIcon : public QObject {
    Q_OBJECT
public:
    static bool isAvailable();

    // `doNotDisturb` is the window's checkable action, shown in the tray's menu too.
    TrayIcon(QAction *doNotDisturb, QObject *parent = nullptr);

    // Missed calls not yet seen: the icon is marked while there are any.
    void setMissedCalls(int count);
    // Who is calling now; empty: nobody.
    void setCaller(const QString &peer);
    // Once per run: the window was closed and the app keeps running here.
    void sayStillRunning();

    // What the tray shows now: the icon (with its red dot while calls were missed) and tooltip.
    QIcon icon() const;
    QString toolTip() const;

Q_SIGNALS:
    void showRequested();
    void quitRequested();

private:
    void update();

    QSystemTrayIcon *tray_;
    int missed_ = 0;
    QString caller_;
    bool saidStillRunning_ = false;
};

}  // namespace confab::ui
