// SPDX-License-Identifier: GPL-3.0-or-later
// NetworkLab, the impaired network of bench/network and of call tests: the delay schedule keeps
// within its bounds and never reorders, and a lab's round trip, loss and rate cap are what was asked
// for, measured with UDP probes across it. The lab needs root, iproute2, nftables and /dev/net/tun:
// skipped without root, failed as root when it cannot be made.
#include "CannotRun.h"
#include "DelaySchedule.h"
#include "NetworkLab.h"

#include <QTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <thread>

using netlab::DelaySchedule;
using netlab::LinkConditions;
using netlab::NetworkLab;

namespace {

constexpr uint16_t kTcpPort = 5599;

// Runs `work` on a thread of its own that has joined `site`'s network namespace (setns changes only
// the calling thread's), so sockets it makes are in that site.
template <typename Work>
std::thread inSite(const NetworkLab &lab, NetworkLab::Site site, Work work) {
    const QString path = QStringLiteral("/run/netns/") + lab.launcher(site).constLast();
    return std::thread([path, work] {
        const int ns = ::open(path.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
        const bool joined = ns >= 0 && ::setns(ns, CLONE_NEWNET) == 0;
        if (ns >= 0) {
            ::close(ns);
        }
        work(joined);
    });
}

sockaddr_in siteB(const NetworkLab &lab) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(kTcpPort);
    inet_pton(AF_INET, lab.siteAddress(NetworkLab::Site::B).toLatin1().constData(), &address.sin_addr);
    return address;
}

// From site a, `count` TCP connections to a listener in site b, each given `waitMs` (less than
// the kernel's first SYN retransmission, 1 s): how many were made, or -1 if the sites could not be
// entered.
int tcpConnections(const NetworkLab &lab, int count, int waitMs) {
    std::atomic<bool> listening{false};
    std::atomic<bool> stop{false};
    std::thread listener = inSite(lab, NetworkLab::Site::B, [&](bool joined) {
        const int server = joined ? ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
        const int on = 1;
        const sockaddr_in address = siteB(lab);
        if (server < 0 || ::setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
            ::bind(server, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0 ||
            ::listen(server, 64) != 0) {
            stop = true;
        } else {
            listening = true;
        }
        while (!stop) {
            pollfd ready{server, POLLIN, 0};
            if (::poll(&ready, 1, 20) > 0) {
                const int client = ::accept(server, nullptr, nullptr);
                if (client >= 0) {
                    ::close(client);
                }
            }
        }
        if (server >= 0) {
            ::close(server);
        }
    });
    while (!listening && !stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    int made = listening ? 0 : -1;
    std::thread dialer = inSite(lab, NetworkLab::Site::A, [&](bool joined) {
        if (!joined || made < 0) {
            made = -1;
            return;
        }
        const sockaddr_in address = siteB(lab);
        for (int i = 0; i < count; ++i) {
            const int socket = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            ::connect(socket, reinterpret_cast<const sockaddr *>(&address), sizeof address);
            pollfd ready{socket, POLLOUT, 0};
            int error = 1;
            socklen_t length = sizeof error;
            if (::poll(&ready, 1, waitMs) > 0) {
                ::getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length);
            }
            made += error == 0 ? 1 : 0;
            ::close(socket);
        }
    });
    dialer.join();
    stop = true;
    listener.join();
    return made;
}

}  // namespace

class TestNetworkLab : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void delayStaysWithinItsJitterAndNeverReorders() {
        DelaySchedule schedule(50, 10, 250, 7);
        double lowest = 1e9;
        double highest = 0;
        double previousDeparture = 0;
        double sum = 0;
        int count = 0;
        for (double now = 0; now < 60000; now += 0.7) {  // a packet every 0.7 ms for a minute
            const double delay = schedule.delayMs(now);
            lowest = std::min(lowest, delay);
            highest = std::max(highest, delay);
            QVERIFY(now + delay >= previousDeparture);  // leaves after the packet before it
            previousDeparture = now + delay;
            sum += delay;
            ++count;
        }
        QVERIFY2(lowest >= 40 && highest <= 60,
                 qPrintable(QStringLiteral("%1..%2").arg(lowest).arg(highest)));
        QVERIFY2(highest - lowest > 15, "the delay hardly varies");
        QVERIFY2(std::abs(sum / count - 50) < 2, qPrintable(QString::number(sum / count)));
    }

    void delayIsTheSameForTheSameSeed() {
        DelaySchedule first(100, 20, 250, 3);
        DelaySchedule second(100, 20, 250, 3);
        for (double now = 0; now < 5000; now += 13) {
            QCOMPARE(first.delayMs(now), second.delayMs(now));
        }
    }

    void labConditionsAreWhatWasAskedFor() {
        if (const QString reason = NetworkLab::unavailableReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);  // as root (CI) a lab that cannot be made is a failure
        }
        NetworkLab lab;
        QString error;
        QVERIFY2(lab.start(&error), qPrintable(error));

        auto probe = lab.probe(20, 10, &error);
        QVERIFY2(probe, qPrintable(error));
        QCOMPARE(probe->received, 20);
        QVERIFY2(probe->medianMs < 5, qPrintable(QString::number(probe->medianMs)));

        // 50 ms each way, ±10: a round trip of 80-120 ms. Never less than the delay; the maximum
        // is not checked (a loaded machine wakes the forwarder late: 134 ms seen at a load of 20),
        // the median is.
        QVERIFY2(lab.apply({.delayMs = 50, .jitterMs = 10}, &error), qPrintable(error));
        probe = lab.probe(40, 25, &error);
        QVERIFY2(probe, qPrintable(error));
        qInfo("delay 50±10 ms each way: %d of %d back, round trip %.1f / %.1f / %.1f ms", probe->received,
              probe->sent, probe->minMs, probe->medianMs, probe->maxMs);
        QCOMPARE(probe->received, 40);
        QVERIFY2(probe->minMs >= 79 && probe->medianMs >= 85 && probe->medianMs <= 118,
                 qPrintable(QStringLiteral("%1 / %2").arg(probe->minMs).arg(probe->medianMs)));

        // 20 % loss at each site: a probe comes back with probability 0.64.
        QVERIFY2(lab.apply({.lossPercent = 20}, &error), qPrintable(error));
        probe = lab.probe(200, 2, &error);
        QVERIFY2(probe, qPrintable(error));
        qInfo("20 %% loss each way: %d of %d back", probe->received, probe->sent);
        QVERIFY2(probe->received > 90 && probe->received < 165, qPrintable(QString::number(probe->received)));
    }

    // The loss applies to TCP as well (libnice's ICE-TCP candidates would otherwise give a call a
    // lossless path): with 20 % at each site a connection is made within 400 ms, before the first
    // SYN is sent again, when neither its SYN nor the SYN-ACK is dropped, with probability 0.64.
    void lossAppliesToTcpToo() {
        if (const QString reason = NetworkLab::unavailableReason(); !reason.isEmpty()) {
            CONFAB_CANNOT_RUN(reason);
        }
        NetworkLab lab;
        QString error;
        QVERIFY2(lab.start(&error), qPrintable(error));
        const int clean = tcpConnections(lab, 20, 400);
        QCOMPARE(clean, 20);
        QVERIFY2(lab.apply({.lossPercent = 20}, &error), qPrintable(error));
        const int lossy = tcpConnections(lab, 100, 400);
        qInfo("20 %% loss each way: %d of 100 TCP connections made at once", lossy);
        QVERIFY2(lossy > 40 && lossy < 88, qPrintable(QString::number(lossy)));
    }
};

QTEST_GUILESS_MAIN(TestNetworkLab)
#include "tst_networklab.moc"
