// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/CandidateTypes.h"

#include <QStringList>

namespace confab {

void CandidateTypes::remember(const QString &candidate) {
    const QStringList fields = candidate.split(QLatin1Char(' '));
    if (fields.size() >= 8 && fields[6] == QLatin1StringView("typ")) {
        types_.insert(fields[4] + QLatin1Char(' ') + fields[5], fields[7]);
    }
}

QString CandidateTypes::typeOf(const QString &address, int port) const {
    return types_.value(address + QLatin1Char(' ') + QString::number(port));
}

}  // namespace confab
