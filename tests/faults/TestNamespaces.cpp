// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestNamespaces.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <tuple>

namespace {

constexpr const char *kNamePrefix = "confab-fault-";
constexpr int kCommandMs = 15000;

// Runs a command to completion; stdout and stderr together in *output.
bool run(const QString &program, const QStringList &arguments, QString *output) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    const bool finished = process.waitForFinished(kCommandMs);
    if (!finished) {
        process.kill();
        process.waitForFinished(kCommandMs);
    }
    const QString text = QString::fromUtf8(process.readAll()).trimmed();
    if (output) {
        *output = text;
    }
    return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

bool runOrExplain(const QString &program, const QStringList &arguments, QString *error) {
    QString output;
    if (run(program, arguments, &output)) {
        return true;
    }
    *error = QStringLiteral("`%1 %2` failed: %3").arg(program, arguments.join(QLatin1Char(' ')), output);
    return false;
}

}  // namespace

TestNamespaces::TestNamespaces()
    : prefix_(QLatin1String(kNamePrefix) + QString::number(QCoreApplication::applicationPid()) +
              QLatin1Char('-')) {
    removeLeftoversOfDeadTests();
}

TestNamespaces::~TestNamespaces() {
    removeAll();
}

QString TestNamespaces::unavailableReason() {
    if (geteuid() != 0) {
        return QStringLiteral("creating network namespaces needs root");
    }
    if (QStandardPaths::findExecutable(QStringLiteral("ip")).isEmpty()) {
        return QStringLiteral("the ip command (iproute2) is not installed");
    }
    // Root is not enough in a container without CAP_SYS_ADMIN: try making one.
    const QString probe = QLatin1String(kNamePrefix) + QString::number(QCoreApplication::applicationPid()) +
                          QStringLiteral("-probe");
    QString output;
    if (!run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("add"), probe}, &output)) {
        return QStringLiteral("network namespaces cannot be made here (`ip netns add`: %1)").arg(output);
    }
    run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("delete"), probe}, nullptr);
    return {};
}

QString TestNamespaces::name(const QString &place) const {
    return prefix_ + place;
}

QStringList TestNamespaces::launcher(const QString &place) const {
    return {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), name(place)};
}

bool TestNamespaces::add(const QString &place, QString *error) {
    if (!runOrExplain(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("add"), name(place)},
                      error)) {
        return false;
    }
    names_.append(name(place));
    // /proc/sys/net belongs to the namespace of whoever opens it, hence the shell inside.
    return runOrExplain(QStringLiteral("ip"),
                        {QStringLiteral("-n"), name(place), QStringLiteral("link"), QStringLiteral("set"),
                         QStringLiteral("lo"), QStringLiteral("up")},
                        error) &&
           exec(place,
                {QStringLiteral("sh"), QStringLiteral("-c"),
                 QStringLiteral("echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && "
                                "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6")},
                error);
}

bool TestNamespaces::link(const QString &placeA, const QString &interfaceA, const QString &addressA,
                          const QString &placeB, const QString &interfaceB, const QString &addressB,
                          QString *error) {
    // Made straight inside the namespaces: the names never meet the host's own interfaces.
    if (!runOrExplain(QStringLiteral("ip"),
                      {QStringLiteral("link"), QStringLiteral("add"), interfaceA, QStringLiteral("netns"),
                       name(placeA), QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                       QStringLiteral("name"), interfaceB, QStringLiteral("netns"), name(placeB)},
                      error)) {
        return false;
    }
    for (const auto &[place, interface, address] :
         {std::tuple{placeA, interfaceA, addressA}, std::tuple{placeB, interfaceB, addressB}}) {
        if (!runOrExplain(QStringLiteral("ip"),
                          {QStringLiteral("-n"), name(place), QStringLiteral("addr"), QStringLiteral("add"),
                           address, QStringLiteral("dev"), interface},
                          error) ||
            !runOrExplain(QStringLiteral("ip"),
                          {QStringLiteral("-n"), name(place), QStringLiteral("link"), QStringLiteral("set"),
                           interface, QStringLiteral("up")},
                          error)) {
            return false;
        }
    }
    return true;
}

bool TestNamespaces::exec(const QString &place, const QStringList &command, QString *error,
                          QString *output) const {
    const QStringList prefix = launcher(place);
    QString text;
    const bool ok = run(prefix.first(), prefix.mid(1) + command, &text);
    if (output) {
        *output = text;
    }
    if (!ok && error) {
        *error = QStringLiteral("`%1` in %2 failed: %3").arg(command.join(QLatin1Char(' ')), place, text);
    }
    return ok;
}

void TestNamespaces::removeAll() {
    // Deleting a namespace deletes the veth ends in it, and with them their peers. Processes still
    // inside keep it alive until they exit; the tests stop theirs first.
    while (!names_.isEmpty()) {
        const QString name = names_.takeLast();
        QString output;
        if (!run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("delete"), name}, &output)) {
            qWarning("cannot remove network namespace %s: %s", qPrintable(name), qPrintable(output));
        }
    }
}

// A test killed on a CTest timeout never runs its destructors: remove the namespaces of fault
// tests whose process no longer exists.
void TestNamespaces::removeLeftoversOfDeadTests() {
    QString list;
    if (geteuid() != 0 ||
        !run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("list")}, &list)) {
        return;
    }
    static const QRegularExpression leftover(QStringLiteral("^(confab-fault-(\\d+)-\\S+)"),
                                             QRegularExpression::MultilineOption);
    for (auto match = leftover.globalMatch(list); match.hasNext();) {
        const QRegularExpressionMatch m = match.next();
        if (::kill(pid_t(m.captured(2).toLong()), 0) != 0 && errno == ESRCH) {
            run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("delete"), m.captured(1)},
                nullptr);
        }
    }
}
