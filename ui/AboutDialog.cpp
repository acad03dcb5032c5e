// SPDX-License-Identifier: GPL-3.0-or-later
#include "AboutDialog.h"

#include "AppIcon.h"
#include "confab/Version.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace confab::ui {

namespace {
// Debian's copy of the GPL version 3 (base-files), which every Debian system has.
constexpr char kSystemLicence[] = "/usr/share/common-licenses/GPL-3";
constexpr char kWebLicence[] = "https://www.gnu.org/licenses/gpl-3.0.html";
}  // namespace

QUrl AboutDialog::licenceUrl() {
    const QString system = QString::fromLatin1(kSystemLicence);
    return QFileInfo::exists(system) ? QUrl::fromLocalFile(system) : QUrl(QString::fromLatin1(kWebLicence));
}

AboutDialog::AboutDialog(QWidget *parent) : QDialog(parent) {
    setWindowTitle(tr("About Confab"));
    setObjectName(QStringLiteral("aboutDialog"));

    auto *logo = new QLabel(this);
    logo->setPixmap(AppIcon::pixmap(96));
    logo->setAlignment(Qt::AlignCenter);
    logo->setAccessibleName(tr("Confab's icon"));

    auto *name = new QLabel(tr("Confab %1").arg(QString::fromLatin1(kVersion)), this);
    name->setObjectName(QStringLiteral("version"));
    QFont nameFont = name->font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.5);
    nameFont.setBold(true);
    name->setFont(nameFont);
    name->setAlignment(Qt::AlignCenter);

    auto *what = new QLabel(tr("Audio and video calls with people you name."), this);
    what->setAlignment(Qt::AlignCenter);
    what->setWordWrap(true);

    auto *licence = new QLabel(this);
    licence->setObjectName(QStringLiteral("licence"));
    licence->setTextFormat(Qt::RichText);
    licence->setWordWrap(true);
    licence->setAlignment(Qt::AlignCenter);
    licence->setOpenExternalLinks(true);
    licence->setTextInteractionFlags(Qt::TextBrowserInteraction);
    licence->setText(
        tr("Confab is free software: you can redistribute it and change it under the terms of the GNU "
           "General Public License, version 3 or (at your option) any later version (%1). It comes with "
           "NO WARRANTY, to the extent permitted by law.")
            .arg(QString::fromLatin1(kLicense).toHtmlEscaped()) +
        QStringLiteral("<br><br><a href=\"%1\">%2</a>")
            .arg(licenceUrl().toString(QUrl::FullyEncoded).toHtmlEscaped(), tr("Read the licence")));
    licence->setAccessibleName(tr("Licence"));
    licence->setAccessibleDescription(tr("Tab reaches the link to the licence's text; Enter opens it."));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(28, 24, 28, 16);
    layout->addWidget(logo);
    layout->addWidget(name);
    layout->addWidget(what);
    layout->addSpacing(8);
    layout->addWidget(licence);
    layout->addWidget(buttons);
    setMinimumWidth(420);
    buttons->button(QDialogButtonBox::Close)->setAccessibleDescription(tr("Closes this window."));
    buttons->button(QDialogButtonBox::Close)->setFocus();
}

}  // namespace confab::ui
