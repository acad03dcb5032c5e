// SPDX-License-Identifier: GPL-3.0-or-later
#include "HiddenTextDelegate.h"

#include <QLineEdit>

namespace confab::ui {

QString HiddenTextDelegate::displayText(const QVariant &value, const QLocale &) const {
    // As many dots as a password field would show: the length is no secret worth a second widget.
    return QString(value.toString().size(), QChar(0x25CF));
}

QWidget *HiddenTextDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                          const QModelIndex &index) const {
    QWidget *editor = QStyledItemDelegate::createEditor(parent, option, index);
    if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        line->setEchoMode(QLineEdit::Password);
    }
    return editor;
}

}  // namespace confab::ui
