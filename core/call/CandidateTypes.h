// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>

namespace confab {

// The type of each ICE candidate seen ("host", "srflx", "relay", "prflx") by its address and
// port, to name the path of the selected pair: webrtcbin 1.22.0's stats misreport
// `candidate-type`, but their addresses are right.
class CandidateTypes {
public:
    // Remembers "candidate:1 1 UDP 2015363327 192.168.1.2 45123 typ host ..." (with or without
    // the "a=" prefix); anything else is ignored.
    void remember(const QString &candidate);
    // Empty when unknown.
    QString typeOf(const QString &address, int port) const;

private:
    QHash<QString, QString> types_;  // "address port" → type
};

}  // namespace confab
