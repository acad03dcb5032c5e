// SPDX-License-Identifier: GPL-3.0-or-later
// ContextShardSet and ContextShard: a source in a shard runs from the thread's own main loop as it
// would in the main context (on input, on time, when added during a run or from another thread),
// and a descriptor number that a new socket reuses is watched again (core/util/ContextShardSet.h).
#include "util/ContextShardSet.h"
#include "util/GLibWakeup.h"
#include "util/ScopedThreadDefault.h"

#include <glib-unix.h>

#include <QElapsedTimer>
#include <QSet>
#include <QTest>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using confab::ContextShardSet;
using confab::GLibWakeup;
using confab::ScopedThreadDefault;

namespace {

struct SocketPair {
    int a = -1;  // watched
    int b = -1;  // written to
    SocketPair() {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0) {
            a = fds[0];
            b = fds[1];
        }
    }
    ~SocketPair() {
        closeWatched();
        if (b >= 0) {
            close(b);
        }
    }
    void closeWatched() {
        if (a >= 0) {
            close(a);
            a = -1;
        }
    }
    bool poke() const { return write(b, "x", 1) == 1; }
};

// Counts the times its descriptor was found readable (and drains it each time).
struct ReadWatch {
    int hits = 0;
    GMainContext *ranIn = nullptr;
    GSource *source;

    ReadWatch(int fd, GMainContext *context) : source(g_unix_fd_source_new(fd, G_IO_IN)) {
        g_source_set_callback(source, G_SOURCE_FUNC(&ReadWatch::onReadable), this, nullptr);
        g_source_attach(source, context);
    }
    ~ReadWatch() {
        g_source_destroy(source);
        g_source_unref(source);
    }
    ReadWatch(const ReadWatch &) = delete;
    ReadWatch &operator=(const ReadWatch &) = delete;

    static gboolean onReadable(gint fd, GIOCondition, gpointer self) {
        char buffer[64];
        while (read(fd, buffer, sizeof buffer) > 0) {
        }
        auto *watch = static_cast<ReadWatch *>(self);
        ++watch->hits;
        watch->ranIn = g_main_context_get_thread_default();
        return G_SOURCE_CONTINUE;
    }
};

// Attaches a one-shot source to `context` that records that it ran, on which thread and with which
// thread-default context.
struct OneShot {
    bool ran = false;
    GThread *thread = nullptr;
    GMainContext *ranIn = nullptr;

    GSource *make(GSource *source) {
        g_source_set_callback(
            source,
            [](gpointer self) -> gboolean {
                auto *shot = static_cast<OneShot *>(self);
                shot->ran = true;
                shot->thread = g_thread_self();
                shot->ranIn = g_main_context_get_thread_default();
                return G_SOURCE_REMOVE;
            },
            this, nullptr);
        return source;
    }
    void attach(GSource *source, GMainContext *context) {
        g_source_attach(make(source), context);
        g_source_unref(source);
    }
};

}  // namespace

class TestContextShards : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Fails the day a GLib update changes what the shards rely on; the server then runs without
    // shards (and says why), but the suite must say it first.
    void glibStillWakesContextsAsTheShardsAssume() {
        const QString problem = GLibWakeup::check();
        QVERIFY2(problem.isEmpty(),
                 qPrintable(
                     QStringLiteral("GLib %1.%2.%3 no longer behaves as core/util/GLibWakeup.h describes: %4")
                         .arg(glib_major_version)
                         .arg(glib_minor_version)
                         .arg(glib_micro_version)
                         .arg(problem)));
        ContextShardSet shards(16);
        QVERIFY(shards.isSharding());
        QVERIFY(shards.place().context != nullptr);
    }

    void belowZeroPerShardRunsUnsharded() {
        ContextShardSet shards(-1);
        QVERIFY(!shards.isSharding());
        const ContextShardSet::Placement placement = shards.place();
        QCOMPARE(placement.context, nullptr);  // the main context
        QCOMPARE(shards.shardCount(), 0);
    }

    void noShardIsMadeWithoutAFreeDescriptor() {
#if defined(__SANITIZE_ADDRESS__)
        // The sanitizers' runtime needs descriptors of its own (UBSan's vptr check of the warning
        // logged here opens a pipe): with none free it reports an invalid vptr that is not there.
        QSKIP("with no descriptor free, the sanitizer runtime cannot check the warning's QDebug call");
#endif
        // g_main_context_new() aborts the process when it gets no descriptor for its wake-up; with
        // none free a new connection goes to a shard that exists.
        ContextShardSet shards(1);
        QVERIFY(shards.place().context != nullptr);
        QCOMPARE(shards.shardCount(), 1);
        rlimit saved{};
        QVERIFY(getrlimit(RLIMIT_NOFILE, &saved) == 0);
        const int lowestFree = dup(0);
        QVERIFY(lowestFree >= 0);
        close(lowestFree);
        rlimit none = saved;
        none.rlim_cur = rlim_t(lowestFree);  // every number from the lowest free one up is refused
        QVERIFY(setrlimit(RLIMIT_NOFILE, &none) == 0);
        GMainContext *context = GLibWakeup::newContext();
        const ContextShardSet::Placement placement = shards.place();
        setrlimit(RLIMIT_NOFILE, &saved);
        QCOMPARE(context, nullptr);
        QVERIFY(placement.context != nullptr);  // the shard there is
        QCOMPARE(shards.shardCount(), 1);
        QVERIFY(shards.place().context != nullptr);
        QCOMPARE(shards.shardCount(), 2);  // descriptors free again: a new one
    }

    void shardsOpenAsConnectionsGrowUpToTheLimit() {
        ContextShardSet shards(2, {}, 3);
        const ContextShardSet::Placement first = shards.place();
        QVERIFY(first.context);
        QVERIFY(first.context != g_main_context_default());
        QCOMPARE(shards.shardCount(), 1);
        QCOMPARE(shards.place().context, first.context);  // two fit in one shard
        const ContextShardSet::Placement third = shards.place();
        QCOMPARE(shards.shardCount(), 2);
        QVERIFY(third.context != first.context);
        QSet<GMainContext *> seen{first.context, third.context};
        for (int open = 4; open <= 100; ++open) {
            seen.insert(shards.place().context);
        }
        QCOMPARE(shards.shardCount(), 3);
        QCOMPARE(seen.size(), 3);
    }

    void connectionsGoToTheShardHoldingFewest() {
        ContextShardSet shards(4);
        std::vector<ContextShardSet::Placement> placed;
        for (int i = 0; i < 40; ++i) {
            placed.push_back(shards.place());
        }
        QCOMPARE(shards.shardCount(), 10);
        for (int shard = 0; shard < 10; ++shard) {
            QCOMPARE(shards.load()->connections[std::size_t(shard)].load(), 4);  // as even as it gets
        }
        // Three leave shard 6: the next three go there.
        int left = 0;
        for (const ContextShardSet::Placement &placement : placed) {
            if (placement.shard == 6 && left < 3) {
                shards.load()->leave(placement.shard);
                ++left;
            }
        }
        QCOMPARE(left, 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(shards.place().shard, 6);
        }
        QCOMPARE(shards.shardCount(), 10);
    }

    void zeroPerShardPutsEveryoneInOneShard() {
        ContextShardSet shards(0);
        const ContextShardSet::Placement only = shards.place();
        QVERIFY(only.context);
        for (int i = 0; i < 500; ++i) {
            QCOMPARE(shards.place().context, only.context);
        }
        QCOMPARE(shards.shardCount(), 1);
    }

    void aSourceInAShardRunsEachTimeItsDescriptorIsReady() {
        ContextShardSet shards(1);
        GMainContext *shard = shards.place().context;
        SocketPair pair;
        QVERIFY(pair.a >= 0);
        ReadWatch watch(pair.a, shard);
        QVERIFY(pair.poke());
        QTRY_COMPARE(watch.hits, 1);
        QCOMPARE(watch.ranIn, shard);  // the shard is the thread-default context while it runs
        QTest::qWait(50);
        QCOMPARE(watch.hits, 1);  // nothing more to read: not run again
        QVERIFY(pair.poke());
        QTRY_COMPARE(watch.hits, 2);
    }

    void afterInputHearsOfEachReadableDescriptorOnceItsReaderRan() {
        std::vector<std::pair<int, int>> heard;  // descriptor, reads done by then
        ReadWatch *watch = nullptr;
        ContextShardSet shards(1, [&](int fd) { heard.emplace_back(fd, watch ? watch->hits : -1); });
        GMainContext *shard = shards.place().context;
        SocketPair pair;
        ReadWatch reader(pair.a, shard);
        watch = &reader;
        QVERIFY(pair.poke());
        QTRY_COMPARE(reader.hits, 1);
        const auto forReader = [&] {
            QList<int> reads;
            for (const auto &[fd, hits] : heard) {
                if (fd == pair.a) {
                    reads.append(hits);
                }
            }
            return reads;
        };
        QCOMPARE(forReader(), QList<int>{1});  // after the read, not before it
        QVERIFY(pair.poke());
        QTRY_COMPARE(reader.hits, 2);
        QCOMPARE(forReader(), (QList<int>{1, 2}));
    }

    void aTimerInAShardFiresAndNotBeforeItsTime() {
        ContextShardSet shards(1);
        GMainContext *shard = shards.place().context;
        OneShot shot;
        QElapsedTimer clock;
        clock.start();
        shot.attach(g_timeout_source_new(60), shard);
        QTRY_VERIFY(shot.ran);
        QVERIFY2(clock.elapsed() >= 60, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(shot.ranIn, shard);
    }

    void inputIsServedBetweenTurnsOfABurstOfTimers() {
        // Forty shards with a timer each, all due at the same moment (as libsoup's keep-alive
        // pings are), each taking 2 ms; the first also makes another shard's socket readable.
        ContextShardSet shards(1);
        SocketPair pair;
        struct Burst {
            int timersRun = 0;
            int timersBeforeRead = -1;
            const SocketPair *pair = nullptr;
        } burst;
        burst.pair = &pair;
        GSource *reader = g_unix_fd_source_new(pair.a, G_IO_IN);
        g_source_set_callback(reader, G_SOURCE_FUNC(+[](gint fd, GIOCondition, gpointer data) -> gboolean {
                                  char buffer[16];
                                  while (read(fd, buffer, sizeof buffer) > 0) {
                                  }
                                  auto *seen = static_cast<Burst *>(data);
                                  seen->timersBeforeRead = seen->timersRun;
                                  return G_SOURCE_REMOVE;
                              }),
                              &burst, nullptr);
        g_source_attach(reader, shards.place().context);
        g_source_unref(reader);
        std::vector<GSource *> timers;
        for (int i = 0; i < 40; ++i) {
            GSource *timer = g_timeout_source_new(50);
            g_source_set_callback(
                timer,
                [](gpointer data) -> gboolean {
                    auto *seen = static_cast<Burst *>(data);
                    if (seen->timersRun++ == 0) {
                        seen->pair->poke();
                    }
                    const gint64 until = g_get_monotonic_time() + 2000;
                    while (g_get_monotonic_time() < until) {
                    }
                    return G_SOURCE_REMOVE;
                },
                &burst, nullptr);
            g_source_attach(timer, shards.place().context);
            timers.push_back(timer);
        }
        QTRY_COMPARE(burst.timersRun, 40);
        QTRY_VERIFY(burst.timersBeforeRead >= 0);
        // Served after a turn or two of timers, not after all forty (80 ms later).
        QVERIFY2(burst.timersBeforeRead >= 1 && burst.timersBeforeRead <= 30,
                 qPrintable(QString::number(burst.timersBeforeRead)));
        for (GSource *timer : timers) {
            g_source_unref(timer);
        }
    }

    void aSourceAddedWhileAShardRunsStaysInItAndRuns() {
        ContextShardSet shards(1);
        GMainContext *shard = shards.place().context;
        SocketPair pair;
        OneShot later;
        OneShot timer;
        struct Context {
            OneShot *later;
            OneShot *timer;
        } context{&later, &timer};
        // As libsoup does on every read: a new source on the thread-default context.
        GSource *source = g_unix_fd_source_new(pair.a, G_IO_IN);
        g_source_set_callback(
            source, G_SOURCE_FUNC(+[](gint, GIOCondition, gpointer data) -> gboolean {
                auto *added = static_cast<Context *>(data);
                added->later->attach(g_idle_source_new(), g_main_context_get_thread_default());
                added->timer->attach(g_timeout_source_new(30), g_main_context_get_thread_default());
                return G_SOURCE_REMOVE;
            }),
            &context, nullptr);
        g_source_attach(source, shard);
        g_source_unref(source);
        QVERIFY(pair.poke());
        QTRY_VERIFY(later.ran);
        QCOMPARE(later.ranIn, shard);
        QTRY_VERIFY(timer.ran);
        QCOMPARE(timer.ranIn, shard);
    }

    void aSourceAttachedFromAnotherThreadWakesItsShard() {
        ContextShardSet shards(1);
        GMainContext *shard = shards.place().context;
        QTest::qWait(20);  // the shard at rest: nothing due, nothing ready
        OneShot shot;
        std::thread([&] { shot.attach(g_idle_source_new(), shard); }).join();
        QTRY_VERIFY(shot.ran);
        QCOMPARE(shot.thread, g_thread_self());  // run by the thread that owns the shards
        QCOMPARE(shot.ranIn, shard);
    }

    void aDescriptorNumberReusedByANewSocketIsWatchedAgain() {
        ContextShardSet shards(1);
        GMainContext *shard = shards.place().context;
        SocketPair old;
        auto first = std::make_unique<ReadWatch>(old.a, shard);
        QVERIFY(old.poke());
        QTRY_COMPARE(first->hits, 1);  // the shard's epoll set holds old.a now
        const int number = old.a;

        // Closed and reused before the shard runs again: the number and the events it is watched
        // for look the same as before, but the kernel dropped the closed socket from the set.
        first.reset();
        old.closeWatched();
        SocketPair fresh;  // the lowest free number is the one just closed, but make sure
        if (fresh.a != number) {
            QVERIFY(dup2(fresh.a, number) == number);
            close(fresh.a);
            fresh.a = number;
        }
        shards.forget(number);  // as ServerAcceptor does for every accepted socket
        ReadWatch second(number, shard);
        QVERIFY(fresh.poke());
        QTRY_COMPARE(second.hits, 1);
    }

    void manySocketsOverManyShardsAllDeliver() {
        ContextShardSet shards(8);
        std::vector<std::unique_ptr<SocketPair>> pairs;
        std::vector<std::unique_ptr<ReadWatch>> watches;
        QSet<GMainContext *> used;
        for (int i = 0; i < 200; ++i) {
            pairs.push_back(std::make_unique<SocketPair>());
            QVERIFY(pairs.back()->a >= 0);
            GMainContext *shard = shards.place().context;
            used.insert(shard);
            watches.push_back(std::make_unique<ReadWatch>(pairs.back()->a, shard));
        }
        QCOMPARE(shards.shardCount(), 25);
        QCOMPARE(used.size(), 25);
        for (int round = 1; round <= 3; ++round) {
            for (const auto &pair : pairs) {
                QVERIFY(pair->poke());
            }
            const auto allRead = [&] {
                for (const auto &watch : watches) {
                    if (watch->hits != round) {
                        return false;
                    }
                }
                return true;
            };
            QTRY_VERIFY(allRead());
        }
    }
};

QTEST_GUILESS_MAIN(TestContextShards)
#include "tst_contextshards.moc"
