// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/PeerMediaWatch.h"

namespace confab {

namespace {
// How often the count is looked at: silence is noticed at most this late.
constexpr int kCheckEveryMs = 250;
}  // namespace

PeerMediaWatch::PeerMediaWatch(int silentAfterMs, QObject *parent) : QObject(parent), silentAfterMs_(silentAfterMs) {
    timer_.setInterval(kCheckEveryMs);
    connect(&timer_, &QTimer::timeout, this, &PeerMediaWatch::check);
}

void PeerMediaWatch::watch(GstPad *pad) {
    gst_pad_add_probe(
        pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        [](GstPad *, GstPadProbeInfo *, gpointer self) {
            static_cast<PeerMediaWatch *>(self)->count();
            return GST_PAD_PROBE_OK;
        },
        this, nullptr);
}

qint64 PeerMediaWatch::silentForMs() const {
    return seen_ > 0 && sinceLast_.isValid() ? sinceLast_.elapsed() : -1;
}

void PeerMediaWatch::check() {
    const quint64 arrived = arrived_.load(std::memory_order_relaxed);
    if (arrived != seen_) {
        seen_ = arrived;
        sinceLast_.start();
        if (reportedSilent_) {
            reportedSilent_ = false;
            Q_EMIT resumed();
        }
        return;
    }
    if (arrived > 0 && !reportedSilent_ && sinceLast_.elapsed() >= silentAfterMs_) {
        reportedSilent_ = true;
        Q_EMIT silent(sinceLast_.elapsed());
    }
}

}  // namespace confab
