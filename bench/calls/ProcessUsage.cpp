// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProcessUsage.h"

#include <QDir>
#include <QFile>

#include <unistd.h>

#include <algorithm>

namespace {

QByteArray readFile(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The value in kB of `key:` in a /proc status-like file, in MB.
double fieldMB(const QByteArray &text, const QByteArray &key) {
    const qsizetype at = text.indexOf('\n' + key);
    const qsizetype start = at < 0 ? (text.startsWith(key) ? 0 : -1) : at + 1;
    if (start < 0) {
        return 0;
    }
    const qsizetype end = text.indexOf('\n', start);
    const QByteArray line = text.mid(start + key.size(), end < 0 ? -1 : end - start - key.size());
    return line.simplified().split(' ').value(0).toDouble() / 1024.0;
}

struct Stat {
    bool ok = false;
    long pgrp = 0;
    double cpuSeconds = 0;
};

Stat readStat(pid_t pid) {
    const QByteArray text = readFile(QStringLiteral("/proc/%1/stat").arg(pid));
    // "pid (comm) state ppid pgrp ...": comm may hold spaces, so count fields after its ')'.
    const qsizetype close = text.lastIndexOf(')');
    if (close < 0) {
        return {};
    }
    const QList<QByteArray> fields = text.mid(close + 2).split(' ');
    // fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
    if (fields.size() < 13) {
        return {};
    }
    static const double ticks = double(sysconf(_SC_CLK_TCK));
    return {true, fields[2].toLong(), (fields[11].toDouble() + fields[12].toDouble()) / ticks};
}

}  // namespace

ProcessUsage::ProcessUsage(pid_t pid, bool group, int intervalMs) : pid_(pid), group_(group) {
    timer_.setInterval(intervalMs);
    connect(&timer_, &QTimer::timeout, this, &ProcessUsage::sample);
}

ProcessUsage::Sample ProcessUsage::read(pid_t pid, bool group, bool withPss) {
    QList<pid_t> pids;
    if (group) {
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            bool numeric = false;
            const pid_t candidate = entry.toInt(&numeric);
            if (numeric && readStat(candidate).pgrp == pid) {
                pids.append(candidate);
            }
        }
    } else {
        pids.append(pid);
    }
    Sample sample;
    for (const pid_t p : pids) {
        const Stat stat = readStat(p);
        if (!stat.ok) {
            continue;  // gone meanwhile
        }
        const QByteArray status = readFile(QStringLiteral("/proc/%1/status").arg(p));
        sample.cpuSeconds += stat.cpuSeconds;
        sample.rssMB += fieldMB(status, "VmRSS:");
        sample.hwmMB += fieldMB(status, "VmHWM:");
        if (withPss) {
            sample.pssMB += fieldMB(readFile(QStringLiteral("/proc/%1/smaps_rollup").arg(p)), "Pss:");
        }
        ++sample.processes;
    }
    return sample;
}

void ProcessUsage::start() {
    sample();
    timer_.start();
}

void ProcessUsage::stop() {
    timer_.stop();
    sample();
}

void ProcessUsage::sample() {
    // smaps_rollup walks every mapping: once a second is enough for the proportional figure.
    const bool withPss = (ticks_++ % 5) == 0;
    const Sample now = read(pid_, group_, withPss);
    if (now.processes == 0) {
        return;  // exited: keep the last sample
    }
    if (!withPss) {
        last_ = Sample{now.cpuSeconds, now.rssMB, now.hwmMB, last_.pssMB, now.processes};
    } else {
        last_ = now;
    }
    peakRss_ = std::max(peakRss_, now.rssMB);
    peakHwm_ = std::max(peakHwm_, now.hwmMB);
    peakPss_ = std::max(peakPss_, last_.pssMB);
    maxProcesses_ = std::max(maxProcesses_, now.processes);
}
