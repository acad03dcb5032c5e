// SPDX-License-Identifier: GPL-3.0-or-later
#include "BenchSupport.h"

#include "ProcessPeers.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace benchsupport {

void usePrograms(const QString &serverBin, const QString &callBin, const QString &chromiumBin) {
    const QString app = QCoreApplication::applicationDirPath() + QStringLiteral("/../app/");
    qputenv("CONFAB_SERVER_BIN",
            (serverBin.isEmpty() ? app + QStringLiteral("confab-server") : serverBin).toLocal8Bit());
    qputenv("CONFAB_CALL_BIN",
            (callBin.isEmpty() ? app + QStringLiteral("confab-call") : callBin).toLocal8Bit());
    if (!chromiumBin.isEmpty()) {
        qputenv("CONFAB_CHROMIUM_BIN", chromiumBin.toLocal8Bit());
    }
}

double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) {
        return std::nan("");
    }
    std::sort(samples.begin(), samples.end());
    const double rank = p / 100.0 * double(samples.size() - 1);
    const auto below = std::size_t(std::floor(rank));
    const std::size_t above = std::min(below + 1, samples.size() - 1);
    return samples[below] + (samples[above] - samples[below]) * (rank - double(below));
}

double rounded(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

QJsonObject summary(const std::vector<double> &samples) {
    if (samples.empty()) {
        return {{QStringLiteral("n"), 0}};
    }
    double sum = 0;
    for (const double s : samples) {
        sum += s;
    }
    return {
        {QStringLiteral("n"), qint64(samples.size())},
        {QStringLiteral("min"), rounded(*std::min_element(samples.begin(), samples.end()))},
        {QStringLiteral("median"), rounded(percentile(samples, 50))},
        {QStringLiteral("p90"), rounded(percentile(samples, 90))},
        {QStringLiteral("p95"), rounded(percentile(samples, 95))},
        {QStringLiteral("max"), rounded(*std::max_element(samples.begin(), samples.end()))},
        {QStringLiteral("mean"), rounded(sum / double(samples.size()))},
    };
}

QJsonObject machine() {
    QJsonArray load;
    QFile file(QStringLiteral("/proc/loadavg"));
    if (file.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = file.readAll().split(' ');
        for (int i = 0; i < 3 && i < fields.size(); ++i) {
            load.append(fields[i].toDouble());
        }
    }
    return {{QStringLiteral("loadAverage"), load},
            {QStringLiteral("cores"), QThread::idealThreadCount()},
            {QStringLiteral("date"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
}

double wallMs() {
    return double(QDateTime::currentMSecsSinceEpoch());
}

void print(const QJsonObject &report) {
    std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

void progress(const QString &line) {
    std::fprintf(stderr, "%s\n", qPrintable(line));
}

QJsonObject receivedVideo(const CallProcess &peer) {
    std::vector<double> fps;
    std::vector<double> kbps;
    QString size;
    for (const QJsonObject &s : peer.events(QStringLiteral("stats"))) {
        if (s.value(QStringLiteral("fps")).toDouble() > 0) {
            fps.push_back(s.value(QStringLiteral("fps")).toDouble());
            kbps.push_back(s.value(QStringLiteral("receiveKbps")).toDouble());
            size = QStringLiteral("%1x%2")
                       .arg(s.value(QStringLiteral("width")).toInt())
                       .arg(s.value(QStringLiteral("height")).toInt());
        }
    }
    return {{QStringLiteral("size"), size},
            {QStringLiteral("fpsMedian"), rounded(percentile(fps, 50))},
            {QStringLiteral("kbpsMedian"), rounded(percentile(kbps, 50), 0)}};
}

}  // namespace benchsupport
