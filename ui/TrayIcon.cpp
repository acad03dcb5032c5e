// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrayIcon.h"

#include "AppIcon.h"

#include <QMenu>
#include <QSystemTrayIcon>

namespace confab::ui {

bool TrayIcon::isAvailable() {
    return QSystemTrayIcon::isSystemTrayAvailable();
}

TrayIcon::TrayIcon(QAction *doNotDisturb, QObject *parent)
    : QObject(parent), tray_(new QSystemTrayIcon(AppIcon::icon(), this)) {
    // The menu has no parent widget to die with: the tray deletes it.
    auto *menu = new QMenu;
    connect(this, &QObject::destroyed, menu, &QObject::deleteLater);
    menu->addAction(tr("&Show Confab"), this, &TrayIcon::showRequested);
    menu->addAction(doNotDisturb);
    menu->addSeparator();
    menu->addAction(tr("&Quit"), this, &TrayIcon::quitRequested);
    tray_->setContextMenu(menu);
    connect(tray_, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            Q_EMIT showRequested();
        }
    });
    update();
    tray_->show();
}

void TrayIcon::setMissedCalls(int count) {
    missed_ = count;
    update();
}

void TrayIcon::setCaller(const QString &peer) {
    caller_ = peer;
    update();
}

void TrayIcon::sayStillRunning() {
    if (saidStillRunning_) {
        return;
    }
    saidStillRunning_ = true;
    tray_->showMessage(tr("Confab is still running"),
                       tr("Calls still reach you. Quit from this icon's menu to go offline."),
                       QSystemTrayIcon::Information, 5000);
}

QIcon TrayIcon::icon() const {
    return tray_->icon();
}

QString TrayIcon::toolTip() const {
    return tray_->toolTip();
}

void TrayIcon::update() {
    tray_->setIcon(missed_ > 0 ? AppIcon::iconWithBadge() : AppIcon::icon());
    if (!caller_.isEmpty()) {
        tray_->setToolTip(tr("%1 is calling you").arg(caller_));
    } else if (missed_ > 0) {
        tray_->setToolTip(tr("Confab: %n missed call(s)", nullptr, missed_));
    } else {
        tray_->setToolTip(tr("Confab"));
    }
}

}  // namespace confab::ui
