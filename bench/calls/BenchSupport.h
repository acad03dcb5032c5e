// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

class CallProcess;

// What the call benchmarks share: where the programs are, summaries of samples, the machine's load
// and the one JSON line each benchmark prints.
namespace benchsupport {

// Points the test helpers (ProcessPeers, BrowserPeer) at the programs to run: `--server-bin`,
// `--call-bin` and `--chromium-bin` if given, else confab-server and confab-call next to the
// benchmark (../app/), and Debian's Chromium.
void usePrograms(const QString &serverBin, const QString &callBin, const QString &chromiumBin);

// Percentile p (0..100) of the samples, linearly interpolated between the two nearest ranks; NaN
// for none.
double percentile(std::vector<double> samples, double p);
// {n, min, median, p90, p95, max, mean}, in the samples' unit, rounded to 0.1; nulls for none.
QJsonObject summary(const std::vector<double> &samples);
double rounded(double value, int decimals = 1);

// {loadAverage: [1m, 5m, 15m], cores, date (UTC)}: how busy the machine was.
QJsonObject machine();

// Wall clock in ms, the clock confab-call's "t" and the page's timeOrigin + now() are on.
double wallMs();

// What a confab-call peer received, from its `stats` events with frames in them: the last video
// size, and the median frame rate and receive bitrate.
QJsonObject receivedVideo(const CallProcess &peer);
void print(const QJsonObject &report);
void progress(const QString &line);

}  // namespace benchsupport
