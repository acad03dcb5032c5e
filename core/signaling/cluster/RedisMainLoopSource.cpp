// SPDX-License-Identifier: GPL-3.0-or-later
#include "signaling/cluster/RedisMainLoopSource.h"

#include <hiredis/async.h>

namespace confab {

namespace {

struct Source {
    GSource base;
    redisAsyncContext *context;  // null once hiredis has cleaned up (the context is being freed)
    gpointer fdTag;
    int wanted;  // GIOCondition bits hiredis asked for
};

void update(Source *source, int add, int remove) {
    source->wanted = (source->wanted | add) & ~remove;
    if (source->fdTag) {
        g_source_modify_unix_fd(&source->base, source->fdTag, GIOCondition(source->wanted));
    }
}

void addRead(void *data) {
    update(static_cast<Source *>(data), G_IO_IN, 0);
}
void delRead(void *data) {
    update(static_cast<Source *>(data), 0, G_IO_IN);
}
void addWrite(void *data) {
    update(static_cast<Source *>(data), G_IO_OUT, 0);
}
void delWrite(void *data) {
    update(static_cast<Source *>(data), 0, G_IO_OUT);
}

// Called by hiredis while it frees the context, whoever started that.
void cleanup(void *data) {
    auto *source = static_cast<Source *>(data);
    source->context = nullptr;
    source->wanted = 0;
    if (source->fdTag) {
        g_source_remove_unix_fd(&source->base, source->fdTag);
        source->fdTag = nullptr;
    }
}

gboolean dispatch(GSource *base, GSourceFunc, gpointer) {
    auto *source = reinterpret_cast<Source *>(base);
    if (!source->context || !source->fdTag) {
        return G_SOURCE_CONTINUE;
    }
    const int ready = g_source_query_unix_fd(base, source->fdTag);
    const bool broken = (ready & (G_IO_ERR | G_IO_HUP)) != 0;
    if ((ready & G_IO_OUT) || (broken && (source->wanted & G_IO_OUT))) {
        redisAsyncHandleWrite(source->context);
    }
    // The write may have found the connection gone; hiredis has then freed the context.
    if (source->context && ((ready & G_IO_IN) || broken)) {
        // An error or hang-up with nothing asked for would wake us for ever: the read sees it
        // and makes hiredis close the context.
        redisAsyncHandleRead(source->context);
    }
    return G_SOURCE_CONTINUE;
}

GSourceFuncs kFuncs = {nullptr, nullptr, dispatch, nullptr, nullptr, nullptr};

}  // namespace

GSource *RedisMainLoopSource::attach(redisAsyncContext *context, GMainContext *main) {
    GSource *base = g_source_new(&kFuncs, sizeof(Source));
    auto *source = reinterpret_cast<Source *>(base);
    source->context = context;
    source->wanted = 0;
    source->fdTag = g_source_add_unix_fd(base, context->c.fd, GIOCondition(0));
    g_source_set_name(base, "confab redis");
    context->ev.data = source;
    context->ev.addRead = addRead;
    context->ev.delRead = delRead;
    context->ev.addWrite = addWrite;
    context->ev.delWrite = delWrite;
    context->ev.cleanup = cleanup;
    g_source_attach(base, main);
    return base;
}

}  // namespace confab
