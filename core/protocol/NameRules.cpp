// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/NameRules.h"

#include <QCoreApplication>

namespace confab::protocol {

std::optional<ProtocolError> checkName(const QString &name) {
    auto refuse = [](const char *sentence) {
        return ProtocolError{ErrorCode::NameInvalid, QCoreApplication::translate("confab", sentence)};
    };
    if (name.trimmed().isEmpty()) {
        return refuse("The name is empty.");
    }
    const QList<uint> codePoints = name.toUcs4();
    if (codePoints.size() > kMaxNameLength) {
        return ProtocolError{ErrorCode::NameInvalid,
                             QCoreApplication::translate("confab", "The name is longer than %1 characters.")
                                 .arg(kMaxNameLength)};
    }
    for (const uint c : codePoints) {
        const QChar::Category category = QChar::category(char32_t(c));
        if (category == QChar::Other_Control || category == QChar::Other_Format ||
            category == QChar::Separator_Line || category == QChar::Separator_Paragraph) {
            return refuse("The name contains control characters.");
        }
    }
    if (name.trimmed() != name) {
        return refuse("The name starts or ends with spaces.");
    }
    return std::nullopt;
}

}  // namespace confab::protocol
