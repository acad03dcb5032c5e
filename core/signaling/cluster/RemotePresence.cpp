// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/cluster/RemotePresence.h"

namespace confab {

void RemotePresence::add(const QString &node, Node &entry, const QString &name, Change *change) {
    entry.users.insert(name);
    const auto it = where_.find(name);
    if (it == where_.end()) {
        where_.insert(name, node);
        change->online.append(name);
    } else {
        it.value() = node;  // moved: still online, now there
    }
}

void RemotePresence::remove(const QString &node, Node &entry, const QString &name, Change *change) {
    if (!entry.users.remove(name)) {
        return;
    }
    const auto it = where_.find(name);
    if (it == where_.end() || it.value() != node) {
        return;  // it has since signed in on another node
    }
    // Still on some other node (a move we heard in the other order)?
    for (auto other = nodes_.cbegin(); other != nodes_.cend(); ++other) {
        if (other.key() != node && other.value().users.contains(name)) {
            it.value() = other.key();
            return;
        }
    }
    where_.erase(it);
    change->offline.append(name);
}

RemotePresence::Change RemotePresence::replace(const QString &node, const QSet<QString> &users,
                                               qint64 nowMs) {
    Node &entry = nodes_[node];
    entry.lastHeardMs = nowMs;
    Change change;
    const QSet<QString> before = entry.users;
    for (const QString &name : before) {
        if (!users.contains(name)) {
            remove(node, entry, name, &change);
        }
    }
    for (const QString &name : users) {
        if (!entry.users.contains(name)) {
            add(node, entry, name, &change);
        }
    }
    return change;
}

RemotePresence::Change RemotePresence::apply(const QString &node, const QStringList &online,
                                             const QStringList &offline, qint64 nowMs) {
    Node &entry = nodes_[node];
    entry.lastHeardMs = nowMs;
    Change change;
    for (const QString &name : offline) {
        remove(node, entry, name, &change);
    }
    for (const QString &name : online) {
        add(node, entry, name, &change);
    }
    return change;
}

bool RemotePresence::heard(const QString &node, qint64 count, qint64 nowMs) {
    const auto it = nodes_.find(node);
    if (it == nodes_.end()) {
        nodes_.insert(node, Node{{}, nowMs});
        return count == 0;
    }
    it.value().lastHeardMs = nowMs;
    return it.value().users.size() == count;
}

RemotePresence::Change RemotePresence::forget(const QString &node) {
    Change change;
    const auto it = nodes_.find(node);
    if (it == nodes_.end()) {
        return change;
    }
    Node entry = it.value();
    nodes_.erase(it);
    const QSet<QString> users = entry.users;  // remove() edits entry.users
    for (const QString &name : users) {
        remove(node, entry, name, &change);
    }
    return change;
}

QStringList RemotePresence::silentSince(qint64 nowMs, qint64 deadlineMs) const {
    QStringList silent;
    for (auto it = nodes_.cbegin(); it != nodes_.cend(); ++it) {
        if (nowMs - it.value().lastHeardMs > deadlineMs) {
            silent.append(it.key());
        }
    }
    return silent;
}

void RemotePresence::restartClocks(qint64 nowMs) {
    for (Node &entry : nodes_) {
        entry.lastHeardMs = nowMs;
    }
}

}  // namespace confab
