// SPDX-License-Identifier: GPL-3.0-or-later
#include "NetworkLab.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

namespace netlab {

namespace {

constexpr const char *kPrefix = "confab-lab-";
constexpr int kCommandMs = 15000;
const QString kRouter = QStringLiteral("router");
const QString kSiteA = QStringLiteral("a");
const QString kSiteB = QStringLiteral("b");
// Devices towards the sites on the router, and the delay forwarder's pair.
const QStringList kRouterDevices{QStringLiteral("to-a"), QStringLiteral("to-b"), QStringLiteral("to-b2")};
const QString kDelayToB = QStringLiteral("dly-ab");
const QString kDelayToA = QStringLiteral("dly-ba");
constexpr int kProbePort = 40999;

bool run(const QStringList &command, QString *output) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(command.first(), command.mid(1));
    const bool finished = process.waitForFinished(kCommandMs);
    if (!finished) {
        process.kill();
        process.waitForFinished(kCommandMs);
    }
    if (output) {
        *output = QString::fromUtf8(process.readAll()).trimmed();
    }
    return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

bool runOrExplain(const QStringList &command, QString *error) {
    QString output;
    if (run(command, &output)) {
        return true;
    }
    if (error) {
        *error = QStringLiteral("`%1` failed: %2").arg(command.join(QLatin1Char(' ')), output);
    }
    return false;
}

double nowMs() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// Moves the calling thread into the network namespace at `path`; false when it cannot.
bool enter(const QString &path) {
    const int ns = ::open(path.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) {
        return false;
    }
    const bool ok = ::setns(ns, CLONE_NEWNET) == 0;
    ::close(ns);
    return ok;
}

}  // namespace

NetworkLab::NetworkLab()
    : prefix_(QLatin1String(kPrefix) + QString::number(QCoreApplication::applicationPid()) +
              QLatin1Char('-')) {}

NetworkLab::~NetworkLab() {
    forwarder_.stop();
    removeAll();
}

QString NetworkLab::unavailableReason() {
    if (::geteuid() != 0) {
        return QStringLiteral("network namespaces need root");
    }
    for (const char *tool : {"ip", "tc", "nft"}) {
        if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty() &&
            !QFileInfo::exists(QStringLiteral("/usr/sbin/") + QLatin1String(tool))) {
            return QStringLiteral("%1 is not installed (iproute2, nftables)").arg(QLatin1String(tool));
        }
    }
    if (!QFileInfo::exists(QStringLiteral("/dev/net/tun"))) {
        return QStringLiteral("/dev/net/tun is missing (delay needs TUN devices)");
    }
    const QString probe = QLatin1String(kPrefix) + QString::number(QCoreApplication::applicationPid()) +
                          QStringLiteral("-probe");
    QString output;
    if (!run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("add"), probe}, &output)) {
        return QStringLiteral("network namespaces cannot be made here (`ip netns add`: %1)").arg(output);
    }
    run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("delete"), probe}, nullptr);
    return {};
}

QString NetworkLab::name(const QString &place) const {
    return prefix_ + place;
}

QStringList NetworkLab::launcher(Site site) const {
    return {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"),
            name(site == Site::A ? kSiteA : kSiteB)};
}

QStringList NetworkLab::routerLauncher() const {
    return {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), name(kRouter)};
}

QString NetworkLab::siteAddress(Site site) const {
    if (site == Site::A) {
        return QStringLiteral("192.0.2.2");
    }
    return moved_ ? QStringLiteral("198.51.100.66") : QStringLiteral("198.51.100.2");
}

bool NetworkLab::exec(Site site, const QStringList &command, QString *error) {
    return runOrExplain(launcher(site) + command, error);
}

bool NetworkLab::execOnRouter(const QStringList &command, QString *error) {
    return runOrExplain(routerLauncher() + command, error);
}

bool NetworkLab::start(QString *error) {
    removeLeftovers();
    const auto ip = [](const QString &ns, const QString &arguments) {
        return QStringList{QStringLiteral("ip"), QStringLiteral("-n"), ns} +
               arguments.split(QLatin1Char(' '));
    };
    const auto sh = [this](const QString &place, const QString &script) {
        return QStringList{QStringLiteral("ip"),
                           QStringLiteral("netns"),
                           QStringLiteral("exec"),
                           name(place),
                           QStringLiteral("sh"),
                           QStringLiteral("-c"),
                           script};
    };
    for (const QString &place : {kRouter, kSiteA, kSiteB}) {
        if (!runOrExplain({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("add"), name(place)},
                          error)) {
            return false;
        }
        created_.append(name(place));
        // IPv4 only, so that ICE has exactly the paths made here; /proc/sys/net is per namespace.
        if (!runOrExplain(ip(name(place), QStringLiteral("link set lo up")), error) ||
            !runOrExplain(sh(place, QStringLiteral("echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && "
                                                   "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6")),
                          error)) {
            return false;
        }
    }
    const QString router = name(kRouter);
    const QString a = name(kSiteA);
    const QString b = name(kSiteB);
    const auto veth = [&](const QString &routerEnd, const QString &siteNs, const QString &siteEnd) {
        return QStringList{QStringLiteral("ip"),
                           QStringLiteral("link"),
                           QStringLiteral("add"),
                           routerEnd,
                           QStringLiteral("netns"),
                           router,
                           QStringLiteral("type"),
                           QStringLiteral("veth"),
                           QStringLiteral("peer"),
                           QStringLiteral("name"),
                           siteEnd,
                           QStringLiteral("netns"),
                           siteNs};
    };
    // rp_filter off on the router before any device exists (new devices take "default"): packets
    // coming back out of the delay devices carry the sites' addresses.
    const QList<QStringList> steps{
        sh(kRouter, QStringLiteral("echo 1 > /proc/sys/net/ipv4/ip_forward && "
                                   "echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter && "
                                   "echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter")),
        veth(QStringLiteral("to-a"), a, QStringLiteral("uplink")),
        veth(QStringLiteral("to-b"), b, QStringLiteral("uplink")),
        veth(QStringLiteral("to-b2"), b, QStringLiteral("uplink2")),
        ip(router, QStringLiteral("addr add 192.0.2.1/26 dev to-a")),
        ip(router, QStringLiteral("addr add 198.51.100.1/26 dev to-b")),
        ip(router, QStringLiteral("addr add 198.51.100.65/26 dev to-b2")),
        ip(router, QStringLiteral("addr add 192.0.2.200/32 dev lo")),
        ip(router, QStringLiteral("link set to-a up")),
        ip(router, QStringLiteral("link set to-b up")),
        ip(router, QStringLiteral("link set to-b2 up")),
        ip(a, QStringLiteral("addr add 192.0.2.2/26 dev uplink")),
        ip(a, QStringLiteral("link set uplink up")),
        ip(a, QStringLiteral("route add default via 192.0.2.1")),
        ip(b, QStringLiteral("addr add 198.51.100.2/26 dev uplink")),
        ip(b, QStringLiteral("link set uplink up")),
        ip(b, QStringLiteral("route add default via 198.51.100.1")),
    };
    for (const QStringList &step : steps) {
        if (!runOrExplain(step, error)) {
            return false;
        }
    }
    // Loss is dropped as packets arrive at a site (prerouting: dropping on output would fail the
    // sender's own sendmsg instead); the chain is there from the start, empty.
    for (const QString &place : {kSiteA, kSiteB}) {
        if (!runOrExplain(sh(place, QStringLiteral("nft add table inet confab_lab && "
                                                   "nft add chain inet confab_lab pre '{ type filter hook "
                                                   "prerouting priority -300; policy accept; }'")),
                          error)) {
            return false;
        }
    }
    return true;
}

bool NetworkLab::setRateOn(const QString &device, int rateKbps, int queueMs, QString *error) {
    const QString router = name(kRouter);
    if (rateKbps <= 0) {
        run({QStringLiteral("tc"), QStringLiteral("-n"), router, QStringLiteral("qdisc"),
             QStringLiteral("del"), QStringLiteral("dev"), device, QStringLiteral("root")},
            nullptr);  // none there is fine
        return true;
    }
    // The bucket holds at least 6 kB (a few full packets) or 20 ms at the rate; the queue holds
    // `queueMs` at the rate before tbf drops.
    const int burstBytes = std::max(6000, rateKbps * 1000 / 8 / 50);
    return runOrExplain(
        {QStringLiteral("tc"), QStringLiteral("-n"), router, QStringLiteral("qdisc"),
         QStringLiteral("replace"), QStringLiteral("dev"), device, QStringLiteral("root"),
         QStringLiteral("tbf"), QStringLiteral("rate"), QStringLiteral("%1kbit").arg(rateKbps),
         QStringLiteral("burst"), QString::number(burstBytes), QStringLiteral("latency"),
         QStringLiteral("%1ms").arg(std::max(1, queueMs))},
        error);
}

bool NetworkLab::setRate(int rateKbps, QString *error) {
    for (const QString &device : kRouterDevices) {
        if (!setRateOn(device, rateKbps, conditions_.queueMs, error)) {
            return false;
        }
    }
    conditions_.rateKbps = rateKbps;
    return true;
}

bool NetworkLab::apply(const LinkConditions &conditions, QString *error) {
    conditions_ = conditions;
    if (!setRate(conditions.rateKbps, error)) {
        return false;
    }
    const int perMille = int(std::lround(conditions.lossPercent * 10));
    for (const Site site : {Site::A, Site::B}) {
        if (!exec(site, {QStringLiteral("nft"), QStringLiteral("flush chain inet confab_lab pre")}, error)) {
            return false;
        }
        // TCP too: libnice also offers ICE-TCP candidates, and a call whose pair came out TCP
        // would otherwise cross a lossless path. The signaling server's traffic is spared.
        if (perMille > 0 && !exec(site,
                                  {QStringLiteral("nft"),
                                   QStringLiteral("add rule inet confab_lab pre ip saddr != %2 meta l4proto "
                                                  "{ udp, tcp } numgen random mod 1000 < %1 drop")
                                       .arg(perMille)
                                       .arg(serviceAddress())},
                                  error)) {
            return false;
        }
    }
    if (conditions.delayMs <= 0 && conditions.jitterMs <= 0) {
        if (forwarding_) {
            forwarder_.setDelay(0, 0);  // still through the forwarder, without delay
        }
        return true;
    }
    if (forwarding_) {
        forwarder_.setDelay(conditions.delayMs, conditions.jitterMs);
        return true;
    }
    if (!forwarder_.start(QStringLiteral("/run/netns/") + name(kRouter), kDelayToB, kDelayToA,
                          conditions.delayMs, conditions.jitterMs, error)) {
        return false;
    }
    // Traffic arriving from a site for the other site goes into the forwarder; what it writes back
    // arrives on the other device and takes the main table on. Local traffic (the service
    // address) matches the local table first and is never delayed.
    const QString router = name(kRouter);
    const QStringList steps{
        QStringLiteral("link set %1 up").arg(kDelayToB),
        QStringLiteral("link set %1 up").arg(kDelayToA),
        QStringLiteral("route add default dev %1 table 100").arg(kDelayToB),
        QStringLiteral("route add default dev %1 table 101").arg(kDelayToA),
        QStringLiteral("rule add iif to-a lookup 100 pref 100"),
        QStringLiteral("rule add iif to-b lookup 101 pref 101"),
        QStringLiteral("rule add iif to-b2 lookup 101 pref 102"),
    };
    for (const QString &step : steps) {
        if (!runOrExplain(QStringList{QStringLiteral("ip"), QStringLiteral("-n"), router} +
                              step.split(QLatin1Char(' ')),
                          error)) {
            return false;
        }
    }
    forwarding_ = true;
    return true;
}

bool NetworkLab::moveSiteB(QString *error) {
    const QString b = name(kSiteB);
    const auto ip = [&](const QString &arguments) {
        return QStringList{QStringLiteral("ip"), QStringLiteral("-n"), b} + arguments.split(QLatin1Char(' '));
    };
    for (const QString &step :
         {QStringLiteral("addr flush dev uplink"), QStringLiteral("link set uplink2 up"),
          QStringLiteral("addr add 198.51.100.66/26 dev uplink2"),
          QStringLiteral("route replace default via 198.51.100.65")}) {
        if (!runOrExplain(ip(step), error)) {
            return false;
        }
    }
    moved_ = true;
    return true;
}

bool NetworkLab::cutSiteB(bool cut, QString *error) {
    if (!cut) {
        return execOnRouter({QStringLiteral("nft"), QStringLiteral("delete table inet confab_cut")}, error);
    }
    const QString script = QStringLiteral(
        "nft add table inet confab_cut && "
        "nft add chain inet confab_cut cut_forward '{ type filter hook forward priority -10; policy accept; "
        "}' && "
        "nft add chain inet confab_cut cut_input '{ type filter hook input priority -10; policy accept; }' "
        "&& "
        "nft add chain inet confab_cut cut_output '{ type filter hook output priority -10; policy accept; }' "
        "&& "
        "nft add rule inet confab_cut cut_forward iifname '{ \"to-b\", \"to-b2\" }' drop && "
        "nft add rule inet confab_cut cut_forward oifname '{ \"to-b\", \"to-b2\" }' drop && "
        "nft add rule inet confab_cut cut_input iifname '{ \"to-b\", \"to-b2\" }' drop && "
        "nft add rule inet confab_cut cut_output oifname '{ \"to-b\", \"to-b2\" }' drop");
    return execOnRouter({QStringLiteral("sh"), QStringLiteral("-c"), script}, error);
}

std::optional<NetworkLab::Probe> NetworkLab::probe(int count, int intervalMs, QString *error) {
    const QString siteA = QStringLiteral("/run/netns/") + name(kSiteA);
    const QString siteB = QStringLiteral("/run/netns/") + name(kSiteB);
    std::atomic<bool> echoReady{false};
    std::atomic<bool> stop{false};
    std::atomic<bool> echoFailed{false};
    std::thread echo([&] {
        const int fd = enter(siteB) ? ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(kProbePort);
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            echoFailed = true;
            echoReady = true;
            if (fd >= 0) {
                ::close(fd);
            }
            return;
        }
        echoReady = true;
        char buffer[64];
        while (!stop) {
            pollfd polled{fd, POLLIN, 0};
            if (::poll(&polled, 1, 50) <= 0) {
                continue;
            }
            sockaddr_in from{};
            socklen_t length = sizeof from;
            const ssize_t size =
                ::recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr *>(&from), &length);
            if (size > 0) {
                ::sendto(fd, buffer, size_t(size), 0, reinterpret_cast<sockaddr *>(&from), length);
            }
        }
        ::close(fd);
    });
    while (!echoReady) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    Probe result;
    std::vector<double> trips;
    bool sent = false;
    const QByteArray target = siteAddress(Site::B).toLatin1();
    std::thread prober([&] {
        const int fd = enter(siteA) ? ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
        if (fd < 0 || echoFailed) {
            if (fd >= 0) {
                ::close(fd);
            }
            return;
        }
        sent = true;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(kProbePort);
        ::inet_pton(AF_INET, target.constData(), &address.sin_addr);
        std::vector<double> sentAt(size_t(count), 0);
        double next = nowMs();
        const double end = next + double(count) * intervalMs + 400;  // 400 ms for stragglers
        int index = 0;
        while (nowMs() < end) {
            if (index < count && nowMs() >= next) {
                sentAt[size_t(index)] = nowMs();
                const int payload = index++;
                ::sendto(fd, &payload, sizeof payload, 0, reinterpret_cast<sockaddr *>(&address),
                         sizeof address);
                ++result.sent;
                next += intervalMs;
            }
            pollfd polled{fd, POLLIN, 0};
            if (::poll(&polled, 1, 1) > 0) {
                int payload = -1;
                if (::recv(fd, &payload, sizeof payload, 0) == sizeof payload && payload >= 0 &&
                    payload < count) {
                    trips.push_back(nowMs() - sentAt[size_t(payload)]);
                }
            }
        }
        ::close(fd);
    });
    prober.join();
    stop = true;
    echo.join();
    if (echoFailed || !sent) {
        *error = QStringLiteral("cannot run the UDP probe between the sites");
        return std::nullopt;
    }
    result.received = int(trips.size());
    if (!trips.empty()) {
        std::sort(trips.begin(), trips.end());
        result.minMs = trips.front();
        result.maxMs = trips.back();
        result.medianMs = trips[trips.size() / 2];
    }
    return result;
}

void NetworkLab::removeAll() {
    while (!created_.isEmpty()) {
        const QString ns = created_.takeLast();
        QString output;
        if (!run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("delete"), ns}, &output)) {
            qWarning("cannot remove network namespace %s: %s", qPrintable(ns), qPrintable(output));
        }
    }
}

// A process killed before its destructor ran (a timeout, a crash) leaves its namespaces behind:
// remove those whose process is gone.
void NetworkLab::removeLeftovers() {
    QString list;
    if (!run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("list")}, &list)) {
        return;
    }
    static const QRegularExpression leftover(QStringLiteral("^(confab-lab-(\\d+)-\\S+)"),
                                             QRegularExpression::MultilineOption);
    for (auto match = leftover.globalMatch(list); match.hasNext();) {
        const QRegularExpressionMatch m = match.next();
        if (::kill(pid_t(m.captured(2).toLong()), 0) != 0 && errno == ESRCH) {
            run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("delete"), m.captured(1)},
                nullptr);
        }
    }
}

}  // namespace netlab
