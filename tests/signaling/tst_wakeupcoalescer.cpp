// SPDX-License-Identifier: GPL-3.0-or-later
// WakeupCoalescer: when the server's main loop waits before blocking, and that it never loses or
// delays a ready source (core/util/WakeupCoalescer.h says why it exists).
#include "util/WakeupCoalescer.h"

#include <glib-unix.h>

#include <QTest>

#include <memory>

#include <unistd.h>

using confab::WakeupCoalescer;
using namespace std::chrono_literals;

class TestWakeupCoalescer : public QObject {
    Q_OBJECT

private:
    // Runs `iterations` main-loop iterations that each took `work` µs; returns the last delay.
    static gint64 iterate(WakeupCoalescer &coalescer, gint64 *now, gint64 work, int iterations,
                          gint timeoutMs = -1) {
        gint64 delay = 0;
        for (int i = 0; i < iterations; ++i) {
            *now += work;
            delay = coalescer.delayBeforePoll(*now, timeoutMs);
            *now += delay;
            coalescer.pollReturned(*now);
        }
        return delay;
    }

private Q_SLOTS:
    void cheapIterationsBlockAtOnce() {
        WakeupCoalescer coalescer(nullptr, 0us);  // policy only: nothing installed
        gint64 now = 1000000;
        coalescer.pollReturned(now);
        QCOMPARE(iterate(coalescer, &now, 10, 50), gint64(0));
    }

    void aZeroCapNeverWaits() {
        WakeupCoalescer coalescer(nullptr, 0us);
        gint64 now = 1000000;
        coalescer.pollReturned(now);
        QCOMPARE(iterate(coalescer, &now, 5000, 50), gint64(0));
    }

    void waitFollowsTheAverageIterationUpToTheCap() {
        WakeupCoalescer coalescer(nullptr, 1000us);
        gint64 now = 1000000;
        coalescer.pollReturned(now);
        const gint64 settled = iterate(coalescer, &now, 100, 60);
        QVERIFY2(settled >= 90 && settled <= 100, qPrintable(QString::number(settled)));
        // A few costly iterations move it up, but never past the cap.
        QCOMPARE(iterate(coalescer, &now, 50000, 60), gint64(1000));
        // Back to cheap iterations: the wait decays to nothing.
        QCOMPARE(iterate(coalescer, &now, 5, 60), gint64(0));
    }

    void aReadySourceIsNeverDelayed() {
        WakeupCoalescer coalescer(nullptr, 1000us);
        gint64 now = 1000000;
        coalescer.pollReturned(now);
        iterate(coalescer, &now, 500, 30);
        QVERIFY(iterate(coalescer, &now, 500, 1) > 0);
        QCOMPARE(iterate(coalescer, &now, 500, 1, 0), gint64(0));
    }

    void installsOnTheContextAndRestoresIt() {
        GMainContext *context = g_main_context_new();
        const GPollFunc original = g_main_context_get_poll_func(context);
        {
            WakeupCoalescer coalescer(context, 500us);
            QVERIFY(reinterpret_cast<void *>(g_main_context_get_poll_func(context)) !=
                    reinterpret_cast<void *>(original));
            // One per thread: a second one leaves the context as the first set it.
            const GPollFunc installed = g_main_context_get_poll_func(context);
            WakeupCoalescer second(context, 500us);
            QVERIFY(g_main_context_get_poll_func(context) == installed);
        }
        QVERIFY(g_main_context_get_poll_func(context) == original);
        g_main_context_unref(context);
    }

    // Through the installed poll function, a descriptor that becomes readable is dispatched, even
    // after costly iterations have made the coalescer wait before each poll.
    void descriptorsAreStillDispatched() {
        GMainContext *context = g_main_context_new();
        auto coalescer = std::make_unique<WakeupCoalescer>(context, 2000us);
        int fds[2];
        QCOMPARE(pipe(fds), 0);
        struct State {
            int reads = 0;
            int fd = -1;
        } state;
        state.fd = fds[0];
        GSource *source = g_unix_fd_source_new(fds[0], G_IO_IN);
        g_source_set_callback(source, G_SOURCE_FUNC(+[](gint fd, GIOCondition, gpointer data) -> gboolean {
                                  char byte = 0;
                                  if (read(fd, &byte, 1) == 1) {
                                      ++static_cast<State *>(data)->reads;
                                  }
                                  g_usleep(300);  // a costly iteration
                                  return G_SOURCE_CONTINUE;
                              }),
                              &state, nullptr);
        g_source_attach(source, context);
        // Bounds each blocking iteration, so that a lost event fails the test instead of hanging it.
        GSource *tick = g_timeout_source_new(100);
        g_source_set_callback(tick, G_SOURCE_FUNC(+[](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }),
                              nullptr, nullptr);
        g_source_attach(tick, context);
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(write(fds[1], "x", 1), ssize_t(1));
            // A lost event would need the 100 ms tick to end an iteration: allow two, not more.
            for (int tries = 0; tries < 3 && state.reads < i + 1; ++tries) {
                g_main_context_iteration(context, TRUE);
            }
            QCOMPARE(state.reads, i + 1);
        }
        QVERIFY(coalescer->delayBeforePoll(g_get_monotonic_time(), -1) >=
                WakeupCoalescer::kWorthWaitingMicroseconds);
        g_source_destroy(tick);
        g_source_unref(tick);
        g_source_destroy(source);
        g_source_unref(source);
        close(fds[0]);
        close(fds[1]);
        coalescer.reset();
        g_main_context_unref(context);
    }
};

QTEST_GUILESS_MAIN(TestWakeupCoalescer)
#include "tst_wakeupcoalescer.moc"
