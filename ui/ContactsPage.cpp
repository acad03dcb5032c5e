// SPDX-License-Identifier: GPL-3.0-or-later
#include "ContactsPage.h"

#include "AppIcon.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace confab::ui {

namespace {

constexpr int kPeerRole = Qt::UserRole + 1;

QLabel *heading(const QString &text, QWidget *parent) {
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QString whenText(const QDateTime &when) {
    const QDate today = QDate::currentDate();
    const QLocale locale;
    // Minutes are enough for a call log (the C locale's short format has seconds).
    QString timeFormat = locale.timeFormat(QLocale::ShortFormat);
    timeFormat.remove(QStringLiteral(":ss"));
    const QString time = locale.toString(when.time(), timeFormat);
    if (when.date() == today) {
        return time;
    }
    if (when.date() == today.addDays(-1)) {
        return ContactsPage::tr("yesterday %1").arg(time);
    }
    return ContactsPage::tr("%1 %2").arg(locale.toString(when.date(), QLocale::ShortFormat), time);
}

QString durationText(int seconds) {
    return seconds >= 3600
               ? QStringLiteral("%1:%2:%3")
                     .arg(seconds / 3600)
                     .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
                     .arg(seconds % 60, 2, 10, QLatin1Char('0'))
               : QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

ContactsPage::ContactsPage(QWidget *parent)
    : QWidget(parent),
      who_(new QLabel(this)),
      filter_(new QLineEdit(this)),
      users_(new QListWidget(this)),
      emptyUsers_(new QLabel(this)),
      call_(new QPushButton(tr("&Call"), this)),
      recent_(new QListWidget(this)),
      recentHeading_(heading(tr("Recent calls"), this)) {
    // Every name on this page comes from the network: plain text, never rich text.
    who_->setTextFormat(Qt::PlainText);
    who_->setAccessibleName(tr("Signed in as"));
    filter_->setPlaceholderText(tr("Search, or type a name to call"));
    filter_->setAccessibleName(tr("Search people or type a name to call"));
    filter_->setClearButtonEnabled(true);
    filter_->installEventFilter(this);
    users_->setAccessibleName(tr("People online"));
    users_->setIconSize(QSize(28, 28));
    users_->setUniformItemSizes(true);
    users_->setSpacing(2);
    emptyUsers_->setTextFormat(Qt::PlainText);
    emptyUsers_->setWordWrap(true);
    emptyUsers_->setAlignment(Qt::AlignCenter);
    emptyUsers_->setEnabled(false);
    call_->setAccessibleName(tr("Call"));
    call_->setIcon(AppIcon::icon());
    call_->setMinimumHeight(34);
    recent_->setAccessibleName(tr("Recent calls"));
    recent_->setIconSize(QSize(22, 22));

    peopleLabel_ = heading(tr("&Online"), this);
    peopleLabel_->setBuddy(users_);
    hint_ = new QLabel(this);
    hint_->setTextFormat(Qt::PlainText);
    hint_->setWordWrap(true);
    hint_->setAccessibleName(tr("Hint"));
    QPalette hintPalette = hint_->palette();
    hintPalette.setColor(QPalette::WindowText, hintPalette.color(QPalette::PlaceholderText));
    hint_->setPalette(hintPalette);
    hint_->hide();
    recentHeading_->setBuddy(recent_);
    recentHeading_->setText(tr("&Recent calls"));

    auto *left = new QVBoxLayout;
    left->addWidget(peopleLabel_);
    left->addWidget(filter_);
    left->addWidget(users_, 1);
    left->addWidget(emptyUsers_);
    left->addWidget(hint_);
    left->addWidget(call_);

    auto *right = new QVBoxLayout;
    right->addWidget(recentHeading_);
    right->addWidget(recent_, 1);

    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 3);
    columns->addSpacing(12);
    columns->addLayout(right, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(who_);
    layout->addLayout(columns, 1);

    setTabOrder(filter_, users_);
    setTabOrder(users_, call_);
    setTabOrder(call_, recent_);

    connect(filter_, &QLineEdit::textChanged, this, &ContactsPage::applyFilter);
    connect(filter_, &QLineEdit::returnPressed, this, &ContactsPage::requestCall);
    connect(call_, &QPushButton::clicked, this, &ContactsPage::requestCall);
    connect(users_, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (online_) {
            Q_EMIT callRequested(item->data(kPeerRole).toString());
        }
    });
    connect(users_, &QListWidget::currentItemChanged, this, &ContactsPage::updateCallButton);
    connect(recent_, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (online_) {
            Q_EMIT callRequested(item->data(kPeerRole).toString());
        }
    });
    applyFilter();
}

void ContactsPage::setUsers(const QStringList &users, const QString &self) {
    const QString current =
        users_->currentItem() ? users_->currentItem()->data(kPeerRole).toString() : QString();
    users_->clear();
    QStringList sorted = users;
    sorted.removeAll(self);
    std::sort(sorted.begin(), sorted.end(), [](const QString &a, const QString &b) {
        // As people read a list: case does not split "carol" from "Caroline".
        const int folded = QString::localeAwareCompare(a.toCaseFolded(), b.toCaseFolded());
        return folded != 0 ? folded < 0 : a < b;
    });
    for (const QString &name : sorted) {
        // QListWidgetItem text is never interpreted as markup.
        auto *item = new QListWidgetItem(QIcon(AppIcon::avatar(name, 28)), name, users_);
        item->setData(kPeerRole, name);
        item->setToolTip(tr("Double-click or press Enter to call %1").arg(name));
        if (name == current) {
            users_->setCurrentItem(item);
        }
    }
    peopleLabel_->setText(sorted.isEmpty() ? tr("&Online") : tr("&Online (%1)").arg(sorted.size()));
    applyFilter();
}

void ContactsPage::setHint(const QString &hint) {
    hint_->setText(hint);
    hint_->setVisible(!hint.isEmpty());
}

void ContactsPage::setRecentCalls(const QList<RecentCall> &calls) {
    recent_->clear();
    int missed = 0;
    for (const RecentCall &call : calls) {
        const bool incoming = call.direction == RecentCall::Direction::Incoming;
        QString what;
        switch (call.outcome) {
            case RecentCall::Outcome::Answered:
                what = durationText(call.durationSeconds);
                break;
            case RecentCall::Outcome::Missed:
                what = tr("Missed");
                ++missed;
                break;
            case RecentCall::Outcome::Declined:
                what = tr("Declined");
                break;
            case RecentCall::Outcome::Failed:
                what = tr("Not connected");
                break;
        }
        const QString arrow = incoming ? QStringLiteral("↙") : QStringLiteral("↗");
        auto *item = new QListWidgetItem(
            QIcon(AppIcon::avatar(call.peer, 22)),
            QStringLiteral("%1  %2 · %3 · %4").arg(arrow, call.peer, what, whenText(call.startedAt)),
            recent_);
        item->setData(kPeerRole, call.peer);
        item->setToolTip(incoming ? tr("Call from %1 — press Enter to call back").arg(call.peer)
                                  : tr("Call to %1 — press Enter to call again").arg(call.peer));
        if (call.outcome == RecentCall::Outcome::Missed) {
            item->setForeground(QColor(0xc0, 0x1c, 0x28));
            QFont font = item->font();
            font.setBold(true);
            item->setFont(font);
        }
    }
    if (calls.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No calls yet"), recent_);
        item->setFlags(Qt::NoItemFlags);
    }
    recentHeading_->setText(missed > 0 ? tr("&Recent calls (%n missed)", nullptr, missed)
                                       : tr("&Recent calls"));
}

void ContactsPage::setSignedInAs(const QString &name, const QString &server) {
    who_->setText(tr("Signed in as %1 on %2").arg(name, server));
}

void ContactsPage::setOnline(bool online) {
    online_ = online;
    users_->setEnabled(online);
    updateCallButton();
}

QString ContactsPage::callTarget() const {
    QListWidgetItem *current = users_->currentItem();
    if (current && !current->isHidden() && current->isSelected()) {
        return current->data(kPeerRole).toString();
    }
    const QStringList visible = visibleUsers();
    const QString typed = filter_->text().trimmed();
    if (visible.size() == 1 && !typed.isEmpty()) {
        return visible.first();
    }
    for (const QString &name : visible) {
        if (name.compare(typed, Qt::CaseInsensitive) == 0) {
            return name;
        }
    }
    return typed;
}

QStringList ContactsPage::visibleUsers() const {
    QStringList names;
    for (int i = 0; i < users_->count(); ++i) {
        if (!users_->item(i)->isHidden()) {
            names.append(users_->item(i)->data(kPeerRole).toString());
        }
    }
    return names;
}

bool ContactsPage::eventFilter(QObject *watched, QEvent *event) {
    // Down from the search field goes into the list, as in a launcher.
    if (watched == filter_ && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent *>(event)->key() == Qt::Key_Down) {
        for (int i = 0; i < users_->count(); ++i) {
            if (!users_->item(i)->isHidden()) {
                users_->setCurrentRow(i);
                users_->setFocus();
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ContactsPage::applyFilter() {
    const QString typed = filter_->text().trimmed();
    int shown = 0;
    for (int i = 0; i < users_->count(); ++i) {
        QListWidgetItem *item = users_->item(i);
        const bool match =
            typed.isEmpty() || item->data(kPeerRole).toString().contains(typed, Qt::CaseInsensitive);
        item->setHidden(!match);
        if (!match && item->isSelected()) {
            item->setSelected(false);
        }
        shown += match ? 1 : 0;
    }
    if (users_->count() == 0) {
        emptyUsers_->setText(tr("Nobody else is online yet."));
    } else if (shown == 0) {
        emptyUsers_->setText(
            tr("Nobody online matches \"%1\"; press Enter to call that name anyway.").arg(typed));
    }
    emptyUsers_->setVisible(shown == 0);
    updateCallButton();
}

void ContactsPage::updateCallButton() {
    const QString target = callTarget();
    call_->setEnabled(online_ && !target.isEmpty());
    // A button's text has mnemonics: an "&" in a name must stay an "&".
    QString shown = target;
    shown.replace(QLatin1Char('&'), QStringLiteral("&&"));
    call_->setText(target.isEmpty() ? tr("&Call") : tr("&Call %1").arg(shown));
    call_->setAccessibleName(target.isEmpty() ? tr("Call") : tr("Call %1").arg(target));
}

void ContactsPage::requestCall() {
    const QString target = callTarget();
    if (online_ && !target.isEmpty()) {
        Q_EMIT callRequested(target);
    }
}

}  // namespace confab::ui
