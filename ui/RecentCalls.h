// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

namespace confab::ui {

// One line of the call history.
struct RecentCall {
    enum class Direction { Outgoing = 1, Incoming };
    // What became of the call, as the user would put it.
    enum class Outcome {
        Answered = 1,  // connected (either direction)
        Missed,        // incoming, never answered: the caller gave up, it rang out, do-not-disturb
                       // declined it, or it came during another call
        Declined,      // incoming, declined by the user; or outgoing, declined by the callee
        Failed,        // never connected (offline, network, an error)
        NoAnswer,      // outgoing: rang until the no-answer timeout
        Busy,          // outgoing: they were in another call
        Cancelled,     // outgoing: hung up before anyone answered
    };

    QString peer;
    QDateTime startedAt;
    Direction direction = Direction::Outgoing;
    Outcome outcome = Outcome::Failed;
    int durationSeconds = 0;  // connected time
};

// The call history shown on the contacts page, newest first, kept in a small JSON file (usually in
// QStandardPaths::AppDataLocation) so it survives restarts. Knows nothing of calls or the network:
// the main window records what happened. Owned by the main window.
class RecentCalls : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxEntries = 100;

    // `path` is the JSON file; it is read now and rewritten after every change. One per account
    // (MainWindow::historyPath()).
    explicit RecentCalls(QString path, QObject *parent = nullptr);

    QString path() const { return path_; }

    const QList<RecentCall> &entries() const { return entries_; }
    void add(const RecentCall &call);
    void clear();
    // Incoming calls missed since markAllSeen().
    int unseenMissedCount() const { return unseenMissed_; }
    void markAllSeen();

Q_SIGNALS:
    void changed();

private:
    void load();
    void save();

    QString path_;
    QList<RecentCall> entries_;
    int unseenMissed_ = 0;
};

}  // namespace confab::ui
