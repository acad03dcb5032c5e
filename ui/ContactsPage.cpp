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

// When a call was: "at 09:20", "yesterday at 06:40", "12/03/2025 at 06:40". "at" keeps a time of day
// apart from a call's length in the same line.
QString whenText(const QDateTime &when) {
    const QDate today = QDate::currentDate();
    const QLocale locale;
    // Minutes are enough for a call log (the C locale's short format has seconds).
    QString timeFormat = locale.timeFormat(QLocale::ShortFormat);
    timeFormat.remove(QStringLiteral(":ss"));
    const QString time = locale.toString(when.time(), timeFormat);
    if (when.date() == today) {
        return ContactsPage::tr("at %1").arg(time);
    }
    if (when.date() == today.addDays(-1)) {
        return ContactsPage::tr("yesterday at %1").arg(time);
    }
    return ContactsPage::tr("%1 at %2").arg(locale.toString(when.date(), QLocale::ShortFormat), time);
}

// Red that reads on the list's own background, light or dark.
QColor missedColour(const QPalette &palette) {
    return palette.color(QPalette::Base).lightness() < 128 ? QColor(0xff, 0x7b, 0x72)
                                                           : QColor(0xc0, 0x1c, 0x28);
}

}  // namespace

// How long a call lasted, in words that cannot be read as a time of day: "48 s", "12 min 34 s",
// "1 h 02 min".
QString ContactsPage::durationText(int seconds) {
    if (seconds < 60) {
        return tr("%1 s").arg(seconds);
    }
    if (seconds < 3600) {
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    }
    return tr("%1 h %2 min").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'));
}

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
    filter_->setAccessibleDescription(
        tr("Filters the people online as you type; Enter calls the one shown or the name typed, Down goes to "
           "the list."));
    filter_->setClearButtonEnabled(true);
    filter_->installEventFilter(this);
    users_->setAccessibleName(tr("People online"));
    users_->setAccessibleDescription(tr("Enter or a double click calls the person chosen."));
    users_->setIconSize(QSize(28, 28));
    users_->setUniformItemSizes(true);
    users_->setSpacing(2);
    emptyUsers_->setTextFormat(Qt::PlainText);
    emptyUsers_->setWordWrap(true);
    emptyUsers_->setAlignment(Qt::AlignCenter);
    emptyUsers_->setEnabled(false);
    call_->setAccessibleName(tr("Call"));
    call_->setAccessibleDescription(tr("Calls the person chosen in the list, or the name typed."));
    call_->setIcon(AppIcon::icon());
    call_->setMinimumHeight(34);
    recent_->setAccessibleName(tr("Recent calls"));
    recent_->setAccessibleDescription(tr("Newest first; Enter calls that person again."));
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

    // Object names let tests and screenshots find the parts.
    who_->setObjectName(QStringLiteral("signedInAs"));
    filter_->setObjectName(QStringLiteral("filter"));
    users_->setObjectName(QStringLiteral("people"));
    call_->setObjectName(QStringLiteral("callButton"));
    recent_->setObjectName(QStringLiteral("recentCalls"));
    recentHeading_->setObjectName(QStringLiteral("recentHeading"));
    hint_->setObjectName(QStringLiteral("hint"));

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
    // A click makes the item current before it selects it: follow the selection, not only the
    // current item, or a single click leaves Call without a target.
    connect(users_, &QListWidget::currentItemChanged, this, &ContactsPage::updateCallButton);
    connect(users_, &QListWidget::itemSelectionChanged, this, &ContactsPage::updateCallButton);
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

void ContactsPage::setRecentCalls(const QList<RecentCall> &calls, int unseenMissed) {
    recent_->clear();
    int missedSoFar = 0;
    for (const RecentCall &call : calls) {
        const bool incoming = call.direction == RecentCall::Direction::Incoming;
        QString what;
        switch (call.outcome) {
            case RecentCall::Outcome::Answered:
                what = durationText(call.durationSeconds);
                break;
            case RecentCall::Outcome::Missed:
                what = tr("Missed");
                ++missedSoFar;
                break;
            case RecentCall::Outcome::Declined:
                what = tr("Declined");
                break;
            case RecentCall::Outcome::Failed:
                what = tr("Not connected");
                break;
            case RecentCall::Outcome::NoAnswer:
                what = tr("No answer");
                break;
            case RecentCall::Outcome::Busy:
                what = tr("Busy");
                break;
            case RecentCall::Outcome::Cancelled:
                what = tr("Cancelled");
                break;
        }
        const QString arrow = incoming ? QStringLiteral("↙") : QStringLiteral("↗");
        auto *item = new QListWidgetItem(
            QIcon(AppIcon::avatar(call.peer, 22)),
            tr("%1  %2 · %3 · %4").arg(arrow, call.peer, what, whenText(call.startedAt)), recent_);
        item->setData(kPeerRole, call.peer);
        item->setToolTip(incoming ? tr("Call from %1 — press Enter to call back").arg(call.peer)
                                  : tr("Call to %1 — press Enter to call again").arg(call.peer));
        if (call.outcome == RecentCall::Outcome::Missed) {
            item->setForeground(missedColour(recent_->palette()));
            // The newest missed calls, not seen yet, stand out (the same count as the title's).
            if (missedSoFar <= unseenMissed) {
                QFont font = item->font();
                font.setBold(true);
                item->setFont(font);
            }
        }
    }
    if (calls.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No calls yet"), recent_);
        item->setFlags(Qt::NoItemFlags);
    }
    recentHeading_->setText(unseenMissed > 0 ? tr("&Recent calls (%n missed)", nullptr, unseenMissed)
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
