// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RecentCalls.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace confab::ui {

// The main window's home page: who is online (filtered as you type), a Call button, the typed
// name as a call target, and recent calls with missed ones marked. Turns a double-click, Enter or
// the button into callRequested(); the main window places the call. Owned by the page stack.
class ContactsPage : public QWidget {
    Q_OBJECT
public:
    explicit ContactsPage(QWidget *parent = nullptr);

    // `self` is left out of the list.
    void setUsers(const QStringList &users, const QString &self);
    // Newest first; the first `unseenMissed` missed calls are new (bold, counted in the heading).
    void setRecentCalls(const QList<RecentCall> &calls, int unseenMissed);
    void setSignedInAs(const QString &name, const QString &server);
    void setOnline(bool online);
    // A line under the list (e.g. "call echo to try your camera"); empty hides it.
    void setHint(const QString &hint);

    // Who Call would call now: the selected visible person, else the one match, else the typed name.
    QString callTarget() const;
    // Names shown (not filtered out), in order.
    QStringList visibleUsers() const;

    QLineEdit *filterField() const { return filter_; }
    QListWidget *userList() const { return users_; }
    QListWidget *recentList() const { return recent_; }
    QPushButton *callButton() const { return call_; }

    static QString durationText(int seconds);
Q_SIGNALS:
    void callRequested(const QString &peer);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFilter();
    void updateCallButton();
    void requestCall();

    QLabel *who_;
    QLabel *peopleLabel_ = nullptr;
    QLabel *hint_ = nullptr;
    QLineEdit *filter_;
    QListWidget *users_;
    QLabel *emptyUsers_;
    QPushButton *call_;
    QListWidget *recent_;
    QLabel *recentHeading_;
    bool online_ = false;
};

}  // namespace confab::ui
