// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/NetworkInterfaceWatch.h"

#include "util/Logging.h"

#include <QSocketNotifier>

#include <glib.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <memory>

namespace confab {

namespace {

int openNetlink() {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) {
        return -1;
    }
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    address.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

NetworkInterfaceWatch::NetworkInterfaceWatch(QObject *parent) : QObject(parent) {
    // Subscribed before the first read, so no change falls between the two.
    socket_ = openNetlink();
    if (socket_ >= 0) {
        notifier_ = std::make_unique<QSocketNotifier>(socket_, QSocketNotifier::Read);
        connect(notifier_.get(), &QSocketNotifier::activated, this, &NetworkInterfaceWatch::readNetlink);
    } else {
        qCWarning(lcCall) << "no netlink socket for network changes; checking the interfaces every second";
        pollTimer_.setInterval(1000);
        connect(&pollTimer_, &QTimer::timeout, this, &NetworkInterfaceWatch::refresh);
        pollTimer_.start();
    }
    addresses_ = iceHostAddresses();
}

NetworkInterfaceWatch::~NetworkInterfaceWatch() {
    notifier_.reset();
    if (socket_ >= 0) {
        ::close(socket_);
    }
}

void NetworkInterfaceWatch::readNetlink() {
    // What changed does not matter, only that something did: drain and read the whole list again.
    char buffer[8192];
    while (::recv(socket_, buffer, sizeof buffer, 0) > 0) {
    }
    refresh();
}

void NetworkInterfaceWatch::refresh() {
    QStringList now = iceHostAddresses();
    if (now != addresses_) {
        qCInfo(lcCall).noquote() << "network addresses:" << (now.isEmpty() ? QStringLiteral("none") : now.join(u", "));
        addresses_ = std::move(now);
        Q_EMIT addressesChanged(addresses_);
    }
}

QStringList NetworkInterfaceWatch::iceHostAddresses() {
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) {
        return {};  // libnice reads the same list and would find nothing either
    }
    const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, &freeifaddrs);
    static constexpr const char *kIgnoredPrefixes[] = {"docker", "veth", "virbr", "vnet"};
    QStringList found;
    for (const ifaddrs *entry = list; entry; entry = entry->ifa_next) {
        const unsigned flags = entry->ifa_flags;
        if (!(flags & IFF_UP) || !(flags & IFF_RUNNING) || (flags & IFF_LOOPBACK) || !entry->ifa_addr) {
            continue;
        }
        const int family = entry->ifa_addr->sa_family;
        const char *name = entry->ifa_name;
        if ((family != AF_INET && family != AF_INET6) ||
            std::any_of(std::begin(kIgnoredPrefixes), std::end(kIgnoredPrefixes),
                        [name](const char *prefix) { return g_str_has_prefix(name, prefix); })) {
            continue;
        }
        char host[NI_MAXHOST];
        const socklen_t size = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
        if (getnameinfo(entry->ifa_addr, size, host, sizeof host, nullptr, 0, NI_NUMERICHOST) == 0) {
            // A link-local IPv6 address comes with its "%interface" scope; the name follows anyway.
            const QString address = QString::fromLatin1(host).section(QLatin1Char('%'), 0, 0);
            found << QStringLiteral("%1 (%2)").arg(address, QString::fromLocal8Bit(name));
        }
    }
    found.sort();
    return found;
}

}  // namespace confab
