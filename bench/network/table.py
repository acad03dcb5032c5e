#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns bench/network's JSON (stdin, or a file) into the Markdown tables of docs/performance.md.

Each row is one kind of pair under one condition, both directions together: freezes and freeze
time summed over the two receivers, the other figures the mean of the two ("-" where a figure is
null: not reported by that side).
"""
import json
import sys


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def total(values):
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def fmt(value, digits=0, suffix=''):
    if value is None:
        return '-'
    return f'{value:,.{digits}f}{suffix}'


def sides(run):
    return [run.get('receivedByCaller', {}), run.get('receivedByCallee', {})]


def row(kind, condition, run):
    if not run:
        return None
    if 'error' in run:
        return f"| {condition['condition']} | {kind} | failed: {run['error'][:80]} | | | | | | |"
    s = sides(run)
    confab = kind == 'Confab'
    if run.get('noPictureWithin30s') or run.get('noPictureWithin45s'):
        kind += ' (no picture at first: measured from connecting)'
    if any(x.get('transport') == 'tcp' for x in s):
        kind += ' (over ICE-TCP)'
    freezes = total([x.get('freezeCount') for x in s])
    freeze_ms = total([x.get('totalFreezeMs') for x in s])
    fps = mean([x.get('meanFps') for x in s])
    width = mean([x.get('meanWidth') for x in s])
    height = mean([x.get('meanHeight') for x in s])
    kbps = mean([x.get('receiveKbps') for x in s])
    cap = condition.get('rateKbps')
    used = fmt(kbps) + (f' of {cap:,}' if cap else '')
    if confab:
        latency = 'g2g p95 ' + fmt(mean([x.get('glassToGlassP95Ms') for x in s]), 0, ' ms')
        unreadable = total([x.get('stampedFramesUnreadable') for x in s])
        if unreadable:
            latency += f' ({unreadable} unreadable)'
        concealed = fmt(mean([x.get('audioConcealedPercentCumulative') for x in s]), 2, ' %')
    else:
        latency = 'jitter buffer ' + fmt(mean([x.get('jitterBufferMsPerFrame') for x in s]), 0, ' ms')
        concealed = fmt(mean([x.get('audioConcealedPercent') for x in s]), 2, ' %')
    resolution = f'{width:.0f}x{height:.0f}' if width is not None and height is not None else '-'
    return (f"| {condition['condition']} | {kind} | {fmt(freezes)} | {fmt(freeze_ms / 1000 if freeze_ms is not None else None, 1, ' s')} "
            f"| {fmt(fps, 1)} | {resolution} | {used} | {latency} | {concealed} |")


def main():
    data = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
    print('| condition | pair | freezes | freeze time | mean fps | mean resolution | receive kb/s (of cap) '
          '| latency | audio concealed |')
    print('|---|---|---|---|---|---|---|---|---|')
    for condition in data.get('conditions', []):
        for kind, key in (('Confab', 'confab'), ('Chromium', 'chromium')):
            line = row(kind, condition, condition.get(key))
            if line:
                print(line)
    handover = data.get('handover') or {}
    if handover:
        print()
        print('| hand-over | pair | back on both sides | median | worst | calls ended |')
        print('|---|---|---|---|---|---|')
        for name, label in (('addressChange', 'address change'), ('drop5s', '5 s outage')):
            for kind, key in (('Confab', 'confab'), ('Chromium', 'chromium')):
                h = handover.get(name, {}).get(key)
                if not h:
                    continue
                print(f"| {label} | {kind} | {h['recovered']} of {h['repetitions'] - h['errors']} "
                      f"| {fmt(h.get('bothBackMedianMs'), 0, ' ms')} | {fmt(h.get('bothBackWorstMs'), 0, ' ms')} "
                      f"| {h['callsEnded']} |")


if __name__ == '__main__':
    main()
