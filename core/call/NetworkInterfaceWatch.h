// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>

class QSocketNotifier;

namespace confab {

// The local addresses ICE can gather host candidates on, and a signal when that set changes.
//
// libnice 0.1.21 gathers on interfaces that are up *and running*, not loopback, and not named with
// a prefix Debian's build ignores (nice_interfaces_get_local_ips). With none it fails outright (no
// candidate, no socket) and webrtcbin 1.22 ignores the failure and stays "gathering" for good, so
// a call must not start ICE before there is one. The kernel sets IFF_RUNNING (in its linkwatch
// work, up to a second late) after the link already carries traffic: fresh namespaces in the
// fault tests met that in about one call in six. This class is the one place that knows libnice's
// rule; it is checked against what libnice gathers in tst_networkinterfacewatch.
//
// Changes are noticed through a netlink socket (links, IPv4 and IPv6 addresses); where none can be
// opened, by polling every second. Main thread.
class NetworkInterfaceWatch : public QObject {
    Q_OBJECT
public:
    explicit NetworkInterfaceWatch(QObject *parent = nullptr);
    ~NetworkInterfaceWatch() override;

    // "192.0.2.1 (eth0)" for each address libnice would gather a host candidate on, now.
    static QStringList iceHostAddresses();

    // The set as last seen (sorted).
    QStringList addresses() const { return addresses_; }
    // True when changes are reported as they happen; false when they are polled for.
    bool isEventDriven() const { return notifier_ != nullptr; }

Q_SIGNALS:
    void addressesChanged(const QStringList &addresses);

private:
    void readNetlink();
    void refresh();

    int socket_ = -1;
    std::unique_ptr<QSocketNotifier> notifier_;
    QTimer pollTimer_;
    QStringList addresses_;
};

}  // namespace confab
