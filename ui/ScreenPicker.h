// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/ScreenSource.h"

#include <QDialog>

#include <optional>

class QListWidget;
class QPushButton;

namespace confab::ui {

// The X11 screen-share picker: the display's screens and its top-level windows by title, with a
// thumbnail where the platform can grab one cheaply (xcb). On Wayland the desktop's own dialog
// (ScreenCastPortal) is used instead. Owned by its parent; read chosen() once accepted.
class ScreenPicker : public QDialog {
    Q_OBJECT
public:
    explicit ScreenPicker(QWidget *parent = nullptr, const QString &displayName = {});

    // What the user picked; empty before accept.
    std::optional<ScreenSource> chosen() const;
    QListWidget *list() const { return list_; }
    QPushButton *shareButton() const { return shareButton_; }

private:
    void fill();

    QString displayName_;
    QListWidget *list_ = nullptr;
    QPushButton *shareButton_ = nullptr;
};

}  // namespace confab::ui
