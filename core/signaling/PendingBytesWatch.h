#pragma once

#include "util/GLibPtr.h"

#include <glib.h>

#include <QHash>

#include <functional>

namespace confab {

// Tells the server when bytes arrive on any client's TCP socket, through one epoll set and one
// main-loop source for all connections.
//
// The fragment-flood check (ServerConnection::checkPending) must run whenever a client sends
// bytes. A GSocket source per connection did that, but GLib's main loop walks every source and
// polls every descriptor on each wake-up: with one more source per client the server's cost per
// relayed message grew with the number of clients connected. Here the main loop sees one
// descriptor; epoll (edge-triggered: once per arrival of new bytes) names the sockets that had news.
class PendingBytesWatch {
public:
    using Callback = std::function<void(void *owner)>;

    // `onBytes` is called on the main thread with the owner given to watch() for each socket that
    // received bytes since the last call.
    explicit PendingBytesWatch(Callback onBytes);
    ~PendingBytesWatch();
    PendingBytesWatch(const PendingBytesWatch &) = delete;
    PendingBytesWatch &operator=(const PendingBytesWatch &) = delete;

    // False when the kernel refused (then the socket is simply not watched).
    bool watch(int fd, void *owner);
    // Must be called before the owner is destroyed. Only `owner`'s own entry goes: when libsoup
    // closed the socket first, the kernel dropped it from the set and the number may already
    // belong to a newer connection.
    void unwatch(int fd, void *owner);

private:
    static gboolean onReady(gint fd, GIOCondition, gpointer self);

    Callback onBytes_;
    int epoll_ = -1;
    GSourcePtr source_;
    // fd → owner. Looked up for each event, so a socket unwatched while its event was already
    // queued in the kernel's ready list reaches nobody.
    QHash<int, void *> owners_;
};

}  // namespace confab
