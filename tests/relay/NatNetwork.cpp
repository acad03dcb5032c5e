#include "NatNetwork.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtDebug>

#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace {

constexpr const char *kNamePrefix = "confab-nat-";
constexpr int kCommandMs = 15000;

// Runs a command to completion; stdout and stderr together in *output.
bool runCommand(const QString &program, const QStringList &arguments, QString *output) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
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

}  // namespace

QString NatNetwork::unavailableReason() {
    if (geteuid() != 0) {
        return QStringLiteral("creating network namespaces needs root");
    }
    if (QStandardPaths::findExecutable(QStringLiteral("ip")).isEmpty()) {
        return QStringLiteral("the ip command (iproute2) is not installed");
    }
    QString output;
    if (!runCommand(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("list")}, &output)) {
        return QStringLiteral("`ip netns` does not work here: ") + output;
    }
    return {};
}

NatNetwork::NatNetwork()
    : prefix_(QLatin1String(kNamePrefix) + QString::number(QCoreApplication::applicationPid())) {}

NatNetwork::~NatNetwork() {
    remove();
}

QString NatNetwork::name(Place place) const {
    switch (place) {
        case Place::PeerA:
            return prefix_ + QStringLiteral("-a");
        case Place::PeerB:
            return prefix_ + QStringLiteral("-b");
        case Place::Relay:
            return prefix_ + QStringLiteral("-relay");
    }
    return {};
}

QStringList NatNetwork::launcher(Place place) const {
    return {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), name(place)};
}

bool NatNetwork::ip(const QStringList &arguments, QString *error) const {
    QString output;
    if (runCommand(QStringLiteral("ip"), arguments, &output)) {
        return true;
    }
    *error = QStringLiteral("`ip %1` failed: %2").arg(arguments.join(QLatin1Char(' ')), output);
    return false;
}

bool NatNetwork::run(Place place, const QStringList &command, QString *output) const {
    return runCommand(QStringLiteral("ip"), launcher(place).mid(1) + command, output);
}

bool NatNetwork::hasRoute(Place from, const QString &address) const {
    return run(from, {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("get"), address});
}

bool NatNetwork::create(QString *error, bool *refused) {
    *refused = false;
    removeLeftoversOfDeadTests();
    const QString a = name(Place::PeerA);
    const QString b = name(Place::PeerB);
    const QString relay = name(Place::Relay);
    if (!ip({QStringLiteral("netns"), QStringLiteral("add"), relay}, error)) {
        *refused = true;
        return false;
    }
    created_ = true;
    const QString lo = QStringLiteral("lo");
    // Not "veth…": libnice 0.1.21 gathers no candidates on interfaces named veth*, docker*,
    // virbr* or vnet* (it takes them for a host's container bridges).
    const QString veth = QStringLiteral("nat0");
    // Each veth pair is made with its ends already in their namespaces, so its names never meet
    // those of the host or of another test running at the same time.
    const QList<QStringList> steps{
        {QStringLiteral("netns"), QStringLiteral("add"), a},
        {QStringLiteral("netns"), QStringLiteral("add"), b},
        {QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("to-a"), QStringLiteral("netns"),
         relay, QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
         QStringLiteral("name"), veth, QStringLiteral("netns"), a},
        {QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("to-b"), QStringLiteral("netns"),
         relay, QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
         QStringLiteral("name"), veth, QStringLiteral("netns"), b},
        {QStringLiteral("-n"), relay, QStringLiteral("addr"), QStringLiteral("add"),
         QStringLiteral("192.0.2.1/24"), QStringLiteral("dev"), QStringLiteral("to-a")},
        {QStringLiteral("-n"), relay, QStringLiteral("addr"), QStringLiteral("add"),
         QStringLiteral("198.51.100.1/24"), QStringLiteral("dev"), QStringLiteral("to-b")},
        {QStringLiteral("-n"), relay, QStringLiteral("addr"), QStringLiteral("add"),
         QLatin1String(kRelayAddress) + QStringLiteral("/32"), QStringLiteral("dev"), lo},
        {QStringLiteral("-n"), a, QStringLiteral("addr"), QStringLiteral("add"),
         QLatin1String(kPeerAAddress) + QStringLiteral("/24"), QStringLiteral("dev"), veth},
        {QStringLiteral("-n"), b, QStringLiteral("addr"), QStringLiteral("add"),
         QLatin1String(kPeerBAddress) + QStringLiteral("/24"), QStringLiteral("dev"), veth},
        {QStringLiteral("-n"), relay, QStringLiteral("link"), QStringLiteral("set"), lo,
         QStringLiteral("up")},
        {QStringLiteral("-n"), relay, QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("to-a"),
         QStringLiteral("up")},
        {QStringLiteral("-n"), relay, QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("to-b"),
         QStringLiteral("up")},
        {QStringLiteral("-n"), a, QStringLiteral("link"), QStringLiteral("set"), lo, QStringLiteral("up")},
        {QStringLiteral("-n"), a, QStringLiteral("link"), QStringLiteral("set"), veth, QStringLiteral("up")},
        {QStringLiteral("-n"), b, QStringLiteral("link"), QStringLiteral("set"), lo, QStringLiteral("up")},
        {QStringLiteral("-n"), b, QStringLiteral("link"), QStringLiteral("set"), veth, QStringLiteral("up")},
        // The one way out of each peer's namespace: to the public server.
        {QStringLiteral("-n"), a, QStringLiteral("route"), QStringLiteral("add"),
         QLatin1String(kRelayAddress) + QStringLiteral("/32"), QStringLiteral("via"),
         QStringLiteral("192.0.2.1")},
        {QStringLiteral("-n"), b, QStringLiteral("route"), QStringLiteral("add"),
         QLatin1String(kRelayAddress) + QStringLiteral("/32"), QStringLiteral("via"),
         QStringLiteral("198.51.100.1")},
    };
    for (const QStringList &step : steps) {
        if (!ip(step, error)) {
            return false;
        }
    }
    return true;
}

void NatNetwork::remove() {
    if (!created_) {
        return;
    }
    created_ = false;
    // Deleting a namespace deletes the veth ends in it, and with them their peers.
    for (const Place place : {Place::PeerA, Place::PeerB, Place::Relay}) {
        QString error;
        if (!ip({QStringLiteral("netns"), QStringLiteral("delete"), name(place)}, &error) &&
            !error.contains(QStringLiteral("No such file"))) {
            qWarning("%s", qPrintable(error));
        }
    }
}

// A test killed on a CTest timeout never runs its destructors: remove the namespaces of test
// processes that no longer exist (their pid is in the name).
void NatNetwork::removeLeftoversOfDeadTests() {
    QString list;
    if (!runCommand(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("list")}, &list)) {
        return;
    }
    static const QRegularExpression leftover(QStringLiteral("^(confab-nat-(\\d+)-\\S+)"),
                                             QRegularExpression::MultilineOption);
    for (auto match = leftover.globalMatch(list); match.hasNext();) {
        const QRegularExpressionMatch m = match.next();
        const pid_t pid = pid_t(m.captured(2).toLong());
        if (kill(pid, 0) != 0 && errno == ESRCH) {
            runCommand(QStringLiteral("ip"),
                       {QStringLiteral("netns"), QStringLiteral("delete"), m.captured(1)}, nullptr);
        }
    }
}
