// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecentCalls.h"

#include "UiLogging.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace confab::ui {

namespace {

QString outcomeWord(RecentCall::Outcome outcome) {
    switch (outcome) {
        case RecentCall::Outcome::Answered:
            return QStringLiteral("answered");
        case RecentCall::Outcome::Missed:
            return QStringLiteral("missed");
        case RecentCall::Outcome::Declined:
            return QStringLiteral("declined");
        case RecentCall::Outcome::Failed:
            return QStringLiteral("failed");
        case RecentCall::Outcome::NoAnswer:
            return QStringLiteral("no-answer");
        case RecentCall::Outcome::Busy:
            return QStringLiteral("busy");
        case RecentCall::Outcome::Cancelled:
            return QStringLiteral("cancelled");
    }
    return {};
}

RecentCall::Outcome outcomeFromWord(const QString &word) {
    if (word == QLatin1StringView("answered")) {
        return RecentCall::Outcome::Answered;
    }
    if (word == QLatin1StringView("missed")) {
        return RecentCall::Outcome::Missed;
    }
    if (word == QLatin1StringView("declined")) {
        return RecentCall::Outcome::Declined;
    }
    if (word == QLatin1StringView("no-answer")) {
        return RecentCall::Outcome::NoAnswer;
    }
    if (word == QLatin1StringView("busy")) {
        return RecentCall::Outcome::Busy;
    }
    if (word == QLatin1StringView("cancelled")) {
        return RecentCall::Outcome::Cancelled;
    }
    return RecentCall::Outcome::Failed;
}

}  // namespace

RecentCalls::RecentCalls(QString path, QObject *parent) : QObject(parent), path_(std::move(path)) {
    load();
}

void RecentCalls::add(const RecentCall &call) {
    entries_.prepend(call);
    while (entries_.size() > kMaxEntries) {
        entries_.removeLast();
    }
    if (call.outcome == RecentCall::Outcome::Missed) {
        ++unseenMissed_;
    }
    save();
    Q_EMIT changed();
}

void RecentCalls::clear() {
    entries_.clear();
    unseenMissed_ = 0;
    save();
    Q_EMIT changed();
}

void RecentCalls::markAllSeen() {
    if (unseenMissed_ == 0) {
        return;
    }
    unseenMissed_ = 0;
    save();
    Q_EMIT changed();
}

void RecentCalls::load() {
    QFile file(path_);
    if (!file.exists()) {
        return;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(lcUi).noquote() << "cannot read the call history" << path_ << ":" << file.errorString();
        return;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (!document.isObject()) {
        // A damaged history is not worth refusing to start over: start a new one, say so in the log.
        qCWarning(lcUi).noquote() << "ignoring a damaged call history" << path_ << ":" << error.errorString();
        return;
    }
    const QJsonObject root = document.object();
    unseenMissed_ = root.value(QStringLiteral("unseenMissed")).toInt();
    for (const QJsonValue &value : root.value(QStringLiteral("calls")).toArray()) {
        const QJsonObject o = value.toObject();
        RecentCall call;
        call.peer = o.value(QStringLiteral("peer")).toString();
        if (call.peer.isEmpty()) {
            continue;
        }
        call.startedAt = QDateTime::fromString(o.value(QStringLiteral("startedAt")).toString(), Qt::ISODate);
        call.direction = o.value(QStringLiteral("direction")).toString() == QLatin1StringView("incoming")
                             ? RecentCall::Direction::Incoming
                             : RecentCall::Direction::Outgoing;
        call.outcome = outcomeFromWord(o.value(QStringLiteral("outcome")).toString());
        call.durationSeconds = o.value(QStringLiteral("durationSeconds")).toInt();
        entries_.append(call);
        if (entries_.size() == kMaxEntries) {
            break;
        }
    }
}

void RecentCalls::save() {
    QJsonArray calls;
    for (const RecentCall &call : entries_) {
        calls.append(QJsonObject{
            {QStringLiteral("peer"), call.peer},
            {QStringLiteral("startedAt"), call.startedAt.toString(Qt::ISODateWithMs)},
            {QStringLiteral("direction"), call.direction == RecentCall::Direction::Incoming
                                              ? QStringLiteral("incoming")
                                              : QStringLiteral("outgoing")},
            {QStringLiteral("outcome"), outcomeWord(call.outcome)},
            {QStringLiteral("durationSeconds"), call.durationSeconds},
        });
    }
    const QJsonObject root{{QStringLiteral("calls"), calls}, {QStringLiteral("unseenMissed"), unseenMissed_}};
    QDir().mkpath(QFileInfo(path_).absolutePath());
    // QSaveFile: a crash while writing leaves the previous history, never half a file.
    QSaveFile file(path_);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(root).toJson(QJsonDocument::Compact)) < 0 || !file.commit()) {
        qCWarning(lcUi).noquote() << "cannot save the call history" << path_ << ":" << file.errorString();
    }
}

}  // namespace confab::ui
