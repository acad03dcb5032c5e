// SPDX-License-Identifier: GPL-3.0-or-later
// Which large heap blocks a process holds, and who allocated them: an LD_PRELOAD library that keeps,
// for every block of at least LIVE_BLOCKS_MIN_KIB (256) KiB still allocated through malloc, calloc,
// realloc or an aligned allocation, its size, the allocating thread's name and call stack. On
// SIGUSR2 it writes them to LIVE_BLOCKS_DIR (/tmp)/live-blocks.PID.N. For where a call's memory
// goes (docs/performance.md, "Memory of a peer sending the clip"); heaptrack does more, where it is
// installed.
//   gcc -O2 -shared -fPIC -o live-blocks.so bench/memory/live-blocks.c -ldl -lpthread
//   LD_PRELOAD=$PWD/live-blocks.so build/app/confab-call ... &  kill -USR2 $!
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

enum { kSlots = 8192, kDepth = 14 };

struct Block {
    void *pointer;  // null: a free slot
    size_t size;
    int depth;
    void *stack[kDepth];
    char thread[16];
};

static struct Block blocks[kSlots];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t minimum = 256 * 1024;
static __thread int inside;  // this thread is in our own code: record nothing

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

// dlsym itself allocates (calloc) before the real functions are known: from here.
static char bootstrap[16384];
static size_t bootstrapUsed;

static void *fromBootstrap(size_t size) {
    void *p = bootstrap + bootstrapUsed;
    bootstrapUsed += (size + 15) & ~(size_t)15;
    return bootstrapUsed <= sizeof bootstrap ? p : NULL;
}

static int isBootstrap(void *p) {
    return (char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap;
}

static void resolve(void) {
    static int resolving;
    if (real_malloc || resolving) {
        return;
    }
    resolving = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    resolving = 0;
}

static size_t slotOf(void *p) {
    return ((size_t)p >> 4) * 2654435761u % kSlots;
}

static void remember(void *p, size_t size) {
    if (!p || size < minimum || inside) {
        return;
    }
    inside = 1;
    struct Block b = {p, size, 0, {0}, {0}};
    b.depth = backtrace(b.stack, kDepth);
    prctl(PR_GET_NAME, b.thread);
    pthread_mutex_lock(&lock);
    for (size_t i = 0, s = slotOf(p); i < kSlots; ++i, s = (s + 1) % kSlots) {
        if (!blocks[s].pointer) {
            blocks[s] = b;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    inside = 0;
}

static void forget(void *p) {
    if (!p || malloc_usable_size(p) < minimum) {
        return;  // never remembered: no search for the many small blocks
    }
    pthread_mutex_lock(&lock);
    for (size_t i = 0, s = slotOf(p); i < kSlots; ++i, s = (s + 1) % kSlots) {
        if (blocks[s].pointer == p) {
            blocks[s].pointer = NULL;
            // Re-seat the run after it, so that every block stays reachable from its own slot.
            for (size_t t = (s + 1) % kSlots; blocks[t].pointer; t = (t + 1) % kSlots) {
                struct Block moved = blocks[t];
                blocks[t].pointer = NULL;
                for (size_t u = slotOf(moved.pointer);; u = (u + 1) % kSlots) {
                    if (!blocks[u].pointer) {
                        blocks[u] = moved;
                        break;
                    }
                }
            }
            break;
        }
        if (!blocks[s].pointer) {
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

void *malloc(size_t size) {
    resolve();
    if (!real_malloc) {
        return fromBootstrap(size);
    }
    void *p = real_malloc(size);
    remember(p, size);
    return p;
}

void *calloc(size_t count, size_t size) {
    resolve();
    if (!real_calloc) {
        return fromBootstrap(count * size);  // static memory is zeroed
    }
    void *p = real_calloc(count, size);
    remember(p, count * size);
    return p;
}

void *realloc(void *old, size_t size) {
    resolve();
    forget(old);
    void *p = real_realloc(old, size);
    remember(p, size);
    return p;
}

void free(void *p) {
    if (isBootstrap(p)) {
        return;
    }
    resolve();
    forget(p);
    real_free(p);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    resolve();
    const int error = real_posix_memalign(out, alignment, size);
    if (!error) {
        remember(*out, size);
    }
    return error;
}

void *memalign(size_t alignment, size_t size) {
    resolve();
    void *p = real_memalign(alignment, size);
    remember(p, size);
    return p;
}

void *aligned_alloc(size_t alignment, size_t size) {
    resolve();
    void *p = real_aligned_alloc(alignment, size);
    remember(p, size);
    return p;
}

static void dump(int number) {
    char path[512];
    const char *dir = getenv("LIVE_BLOCKS_DIR");
    snprintf(path, sizeof path, "%s/live-blocks.%d.%d", dir ? dir : "/tmp", (int)getpid(), number);
    FILE *out = fopen(path, "w");
    if (!out) {
        return;
    }
    pthread_mutex_lock(&lock);
    size_t total = 0;
    for (size_t s = 0; s < kSlots; ++s) {
        const struct Block *b = &blocks[s];
        if (!b->pointer) {
            continue;
        }
        total += b->size;
        fprintf(out, "block %zu %s\n", b->size, b->thread);
        char **names = backtrace_symbols(b->stack, b->depth);
        for (int i = 1; names && i < b->depth; ++i) {  // frame 0 is remember()'s caller here
            fprintf(out, "  %s\n", names[i]);
        }
        free(names);
    }
    pthread_mutex_unlock(&lock);
    fprintf(out, "total %zu\n", total);
    fclose(out);
}

// SIGUSR2 is blocked in every thread (they inherit the mask from the main thread, set here before
// main() runs) and taken by this one, which can lock and allocate as any thread can.
static void *dumper(void *unused) {
    (void)unused;
    inside = 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    for (int number = 0;; ++number) {
        int signal = 0;
        if (sigwait(&set, &signal) == 0) {
            dump(number);
        }
    }
    return NULL;
}

__attribute__((constructor)) static void start(void) {
    resolve();
    const char *kib = getenv("LIVE_BLOCKS_MIN_KIB");
    if (kib) {
        minimum = (size_t)strtoul(kib, NULL, 10) * 1024;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, dumper, NULL) == 0) {
        pthread_detach(thread);
    }
}
