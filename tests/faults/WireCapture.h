// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "MediaWireCheck.h"

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

// A tshark capture of UDP on one interface, run under a launcher (ip netns exec NAME) so it sees
// only the test's own namespace, and read back datagram by datagram once stopped.
class WireCapture {
public:
    WireCapture();
    ~WireCapture();

    // Empty when tshark is there; otherwise why not, for QSKIP.
    static QString unavailableReason();

    // Starts capturing and returns once tshark says it is capturing.
    bool start(const QStringList &launcher, const QString &interface, QString *error);
    bool stop(QString *error);
    // Every UDP datagram captured, with tshark's DTLS handshake dissection.
    QList<UdpDatagram> datagrams(QString *error) const;

private:
    QTemporaryDir directory_;
    QProcess tshark_;
    QString stderr_;
};
