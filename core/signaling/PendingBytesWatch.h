// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>

#include <functional>

namespace confab {

// Knows which connection owns which client TCP socket, so that the server can check a connection
// for a fragment flood (ServerConnection::checkPending) each time its socket was read.
//
// The check compares what the kernel received with what came out as whole messages, so it must
// run after libsoup read the bytes, not when they arrive: the server's main-loop shards
// (ContextShardSet) call bytesRead() for each descriptor that had input, once its sources ran. An
// edge-triggered epoll set of all client sockets did this before, and it missed every arrival that
// libsoup drained before the set was read (the kernel drops an edge whose bytes are gone).
class PendingBytesWatch {
public:
    using Callback = std::function<void(void *owner)>;

    // `onBytes` is called with the owner given to watch().
    explicit PendingBytesWatch(Callback onBytes) : onBytes_(std::move(onBytes)) {}

    void watch(int fd, void *owner) { owners_.insert(fd, owner); }
    // Must be called before the owner is destroyed. Only `owner`'s own entry goes: when libsoup
    // closed the socket first, the number may already belong to a newer connection.
    void unwatch(int fd, void *owner);
    // Descriptor `fd` had input and its reader ran.
    void bytesRead(int fd) const;
    // Checks every watched connection: for connections outside the shards, which never report
    // their reads (ContextShardSet::isSharding()), on a timer.
    void checkAll() const;

private:
    Callback onBytes_;
    QHash<int, void *> owners_;
};

}  // namespace confab
