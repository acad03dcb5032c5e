// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace confab {

// Who is signed in on the other nodes of the cluster, as this node has heard it: each node's
// users (from its snapshots and presence changes) and when it was last heard from. A node not
// heard from for longer than the presence TTL is dead; its users are forgotten with it.
// Pure bookkeeping, no I/O: ClusterNode feeds it what arrives and the time.
class RemotePresence {
public:
    // What a step changed in the cluster-wide view: names that came online somewhere, and names
    // that are no longer online on any other node.
    struct Change {
        QStringList online;
        QStringList offline;
        bool isEmpty() const { return online.isEmpty() && offline.isEmpty(); }
    };

    // `node`'s whole list, replacing what was known of it.
    Change replace(const QString &node, const QSet<QString> &users, qint64 nowMs);
    Change apply(const QString &node, const QStringList &online, const QStringList &offline, qint64 nowMs);
    // A heartbeat: true when `count` matches what is known of the node (false: ask for a snapshot).
    bool heard(const QString &node, qint64 count, qint64 nowMs);
    // The node said goodbye, or has been silent too long.
    Change forget(const QString &node);
    // Nodes silent for more than `deadlineMs`.
    QStringList silentSince(qint64 nowMs, qint64 deadlineMs) const;
    // After this node's own connection to Redis was down, every node gets a fresh deadline: we
    // could not hear them, which says nothing about whether they are alive.
    void restartClocks(qint64 nowMs);

    // The node `name` is signed in on, or empty.
    QString nodeOf(const QString &name) const { return where_.value(name); }
    QStringList names() const { return where_.keys(); }
    QStringList nodes() const { return nodes_.keys(); }
    int userCount() const { return int(where_.size()); }
    QSet<QString> usersOf(const QString &node) const { return nodes_.value(node).users; }

private:
    struct Node {
        QSet<QString> users;
        qint64 lastHeardMs = 0;
    };
    void add(const QString &node, Node &entry, const QString &name, Change *change);
    void remove(const QString &node, Node &entry, const QString &name, Change *change);

    QHash<QString, Node> nodes_;
    QHash<QString, QString> where_;  // user → node (the latest to claim them, while a user moves)
};

}  // namespace confab
