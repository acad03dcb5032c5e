// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/IceTcpHold.h"

#include "util/Logging.h"

namespace confab {

IceTcpHold::IceTcpHold(QObject *parent) : QObject(parent) {
    timer_.setSingleShot(true);
    timer_.setInterval(kHeadStartMs);
    connect(&timer_, &QTimer::timeout, this, &IceTcpHold::headStartOver);
}

bool IceTcpHold::isTcp(const QString &candidate) {
    // "candidate:<foundation> <component> <transport> <priority> <address> <port> typ ..." (RFC 8839).
    QStringView line(candidate);
    if (line.startsWith(u"a=")) {
        line = line.mid(2);
    }
    const auto fields = line.split(u' ', Qt::SkipEmptyParts);
    return fields.size() > 2 && fields[0].startsWith(u"candidate:") &&
           fields[2].compare(u"tcp", Qt::CaseInsensitive) == 0;
}

bool IceTcpHold::hold(const protocol::IceCandidate &candidate) {
    if (!isTcp(candidate.candidate) || headStartOver_) {
        return false;
    }
    if (connected_) {
        return true;  // connected already: a TCP pair would not be chosen now, nor needed
    }
    held_.push_back(candidate);
    if (held_.size() == 1) {
        timer_.start();
    }
    return true;
}

void IceTcpHold::connected() {
    connected_ = true;
    timer_.stop();
    held_.clear();
}

void IceTcpHold::headStartOver() {  // only while not connected: connected() stops the timer
    qCInfo(lcCall) << "not connected over UDP after" << kHeadStartMs << "ms: trying the peer's"
                   << held_.size() << "TCP candidate(s) as well";
    std::vector<protocol::IceCandidate> released;
    released.swap(held_);
    headStartOver_ = true;  // later TCP candidates go straight through
    for (const protocol::IceCandidate &candidate : released) {
        Q_EMIT release(candidate);
    }
}

}  // namespace confab
