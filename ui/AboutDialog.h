// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QUrl>

namespace confab::ui {

// Help ▸ About Confab: the version, what Confab is, its licence (GPL-3.0-or-later) and a link to
// the licence's text: the copy the system keeps where there is one, else the GNU project's page.
class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // Where "Read the licence" leads.
    static QUrl licenceUrl();
};

}  // namespace confab::ui
