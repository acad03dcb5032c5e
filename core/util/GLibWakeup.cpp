// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/GLibWakeup.h"

#include "util/GLibPtr.h"

#include <QByteArray>

#include <mutex>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace confab {

namespace {

bool readable(int fd) {
    pollfd entry{fd, POLLIN, 0};
    return poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN);
}

// What the kernel says `fd` is: "anon_inode:[eventfd]", "pipe:[1234]"...
QString kindOf(int fd) {
    char target[256] = {};
    const QByteArray link = QByteArrayLiteral("/proc/self/fd/") + QByteArray::number(fd);
    const ssize_t length = readlink(link.constData(), target, sizeof target - 1);
    return length > 0 ? QString::fromLatin1(target, length) : QString();
}

QString runCheck() {
    GMainContext *context = GLibWakeup::newContext();
    if (!context) {
        return QStringLiteral("no descriptor is free for a main-loop context");
    }
    struct Release {
        GMainContext *context;
        ~Release() {
            g_main_context_release(context);
            g_main_context_unref(context);
        }
    };
    g_main_context_acquire(context);
    const Release release{context};
    const int fd = GLibWakeup::descriptorOf(context);
    if (fd < 0) {
        return QStringLiteral("a GMainContext without sources does not poll exactly one descriptor");
    }
    if (!(fcntl(fd, F_GETFL) & O_NONBLOCK)) {
        return QStringLiteral("a GMainContext's wake-up descriptor blocks");
    }
    const QString kind = kindOf(fd);
    if (kind != QStringLiteral("anon_inode:[eventfd]") && !kind.startsWith(QStringLiteral("pipe:"))) {
        return QStringLiteral("the descriptor a GMainContext polls is not an eventfd or a pipe (%1)")
            .arg(kind);
    }
    GLibWakeup::acknowledge(fd);
    if (readable(fd)) {
        return QStringLiteral("reading a GMainContext's wake-up descriptor does not empty it");
    }
    g_main_context_wakeup(context);
    if (!readable(fd)) {
        return QStringLiteral("g_main_context_wakeup() does not signal the descriptor found");
    }
    GLibWakeup::acknowledge(fd);
    // What ownerless polling must signal: a source attached from outside a dispatch...
    GSourcePtr timer(g_timeout_source_new(60000));
    g_source_set_callback(
        timer.get(), [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr, nullptr);
    g_source_attach(timer.get(), context);
    if (!readable(fd)) {
        return QStringLiteral("attaching a source does not wake an ownerless-polling GMainContext");
    }
    GLibWakeup::acknowledge(fd);
    // ...its ready time changed...
    g_source_set_ready_time(timer.get(), g_get_monotonic_time() + 30000000);
    if (!readable(fd)) {
        return QStringLiteral(
            "changing a source's ready time does not wake an ownerless-polling GMainContext");
    }
    GLibWakeup::acknowledge(fd);
    // ...and a descriptor added to a source.
    int pipeFds[2];
    if (pipe(pipeFds) != 0) {
        return QStringLiteral("no descriptor is free for the check");
    }
    const gpointer tag = g_source_add_unix_fd(timer.get(), pipeFds[0], G_IO_IN);
    const bool wokeOnAdd = readable(fd);
    GLibWakeup::acknowledge(fd);
    g_source_remove_unix_fd(timer.get(), tag);
    close(pipeFds[0]);
    close(pipeFds[1]);
    if (!wokeOnAdd) {
        return QStringLiteral(
            "adding a descriptor to a source does not wake an ownerless-polling GMainContext");
    }
    return {};
}

}  // namespace

QString GLibWakeup::check() {
    static std::once_flag once;
    static QString result;
    std::call_once(once, [] { result = runCheck(); });
    return result;
}

int GLibWakeup::descriptorOf(GMainContext *context) {
    gint priority = 0;
    g_main_context_prepare(context, &priority);
    GPollFD fds[2] = {};
    gint timeoutMs = -1;
    const int count = g_main_context_query(context, priority, &timeoutMs, fds, 2);
    if (count != 1 || fds[0].events != G_IO_IN) {
        return -1;
    }
    return fds[0].fd;
}

void GLibWakeup::acknowledge(int fd) {
    // An eventfd gives its 8-byte count in one read; a pipe as much as was written.
    char buffer[16];
    while (read(fd, buffer, sizeof buffer) == sizeof buffer) {
    }
}

GMainContext *GLibWakeup::newContext() {
    // GLib takes an eventfd (or a pipe) for the context's wake-up and aborts when it gets neither.
    // The probe leaves that number free for it; another thread could take it meanwhile, but none
    // of the server's threads opens descriptors.
    const int probe = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (probe < 0) {
        return nullptr;
    }
    close(probe);
    return g_main_context_new_with_flags(G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
}

}  // namespace confab
