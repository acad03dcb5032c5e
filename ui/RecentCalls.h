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
        Missed,        // incoming, never answered: the caller gave up, or do-not-disturb declined it
        Declined,      // incoming, declined by the user; or outgoing, declined by the callee
        Failed,        // outgoing that never connected (offline, busy, no answer, network)
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

    // `path` is the JSON file; it is read now and rewritten after every change.
    explicit RecentCalls(QString path, QObject *parent = nullptr);

    static QString defaultPath();

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
