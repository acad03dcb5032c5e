// SPDX-License-Identifier: GPL-3.0-or-later
#include "WireCapture.h"
#include "TestTime.h"

#include <QStandardPaths>
#include <QTest>

#include <sys/prctl.h>

#include <csignal>

namespace {

}  // namespace

WireCapture::WireCapture() {
    QObject::connect(&tshark_, &QProcess::readyReadStandardError,
                     [this] { stderr_ += QString::fromUtf8(tshark_.readAllStandardError()); });
}

WireCapture::~WireCapture() {
    if (tshark_.state() != QProcess::NotRunning) {
        tshark_.kill();
        tshark_.waitForFinished(5000);
    }
}

QString WireCapture::unavailableReason() {
    if (QStandardPaths::findExecutable(QStringLiteral("tshark")).isEmpty()) {
        return QStringLiteral("tshark is not installed (apt install tshark)");
    }
    return {};
}

bool WireCapture::start(const QStringList &launcher, const QString &interface, QString *error) {
    const QString file = directory_.filePath(QStringLiteral("capture.pcapng"));
    // tshark would otherwise outlive a test killed on a timeout, and keep its namespace alive.
    tshark_.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
    tshark_.start(launcher.first(),
                  launcher.mid(1) + QStringList{QStringLiteral("tshark"), QStringLiteral("-i"), interface,
                                                QStringLiteral("-f"), QStringLiteral("udp"),
                                                QStringLiteral("-w"), file});
    // dumpcap prints this once the interface is open and packets are being written.
    const bool capturing =
        QTest::qWaitFor([&] { return stderr_.contains(QStringLiteral("Capturing on")); }, scaled(20000));
    if (!capturing) {
        *error = QStringLiteral("tshark did not start capturing: ") + stderr_;
    }
    return capturing;
}

bool WireCapture::stop(QString *error) {
    tshark_.terminate();  // SIGTERM: tshark writes out what it has and exits
    if (!tshark_.waitForFinished(scaled(15000))) {
        *error = QStringLiteral("tshark did not stop: ") + stderr_;
        return false;
    }
    return true;
}

QList<UdpDatagram> WireCapture::datagrams(QString *error) const {
    QProcess reader;
    reader.start(QStringLiteral("tshark"),
                 {QStringLiteral("-r"), directory_.filePath(QStringLiteral("capture.pcapng")),
                  QStringLiteral("-Y"), QStringLiteral("udp"), QStringLiteral("-T"), QStringLiteral("fields"),
                  QStringLiteral("-e"), QStringLiteral("udp.srcport"), QStringLiteral("-e"),
                  QStringLiteral("udp.dstport"), QStringLiteral("-e"), QStringLiteral("dtls.handshake.type"),
                  QStringLiteral("-e"), QStringLiteral("udp.payload")});
    if (!reader.waitForFinished(scaled(60000)) || reader.exitCode() != 0) {
        *error = QStringLiteral("tshark could not read the capture: ") +
                 QString::fromUtf8(reader.readAllStandardError());
        return {};
    }
    QList<UdpDatagram> result;
    for (const QByteArray &line : reader.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> fields = line.split('\t');
        if (fields.size() < 4) {
            continue;
        }
        UdpDatagram datagram;
        datagram.sourcePort = quint16(fields[0].toUInt());
        datagram.destinationPort = quint16(fields[1].toUInt());
        for (const QByteArray &type : fields[2].split(',')) {
            if (!type.isEmpty()) {
                datagram.dtlsHandshakeTypes.append(type.toInt());
            }
        }
        datagram.payload = QByteArray::fromHex(fields[3]);
        result.append(datagram);
    }
    return result;
}
