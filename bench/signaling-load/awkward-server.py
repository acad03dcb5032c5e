#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A deliberately awkward signaling server, for checking signaling-load's own WebSocket client
(RawWebSocket) by hand after changing it. Not a test: nothing runs it automatically.

It speaks just enough of the protocol for the bench (login, users, candidate relay) and sends what
confab-server never does: the 101 answer in pieces with a reason-less mix of header cases, every
login reply split into three frames with a ping between them and written 7 bytes at a time, a
users list of ~70 KB (64-bit length), a ping to every client every --ping-every seconds; with
--close-after it closes every connection itself (1001), with --stall-at/--stall it stops reading
for a while (the bench's writes then back up: partial writes, EAGAIN, EPOLLOUT). It checks that
every client frame is masked, every pong carries its ping's payload, and closes are answered.

    bench/signaling-load/awkward-server.py --ping-every 0.5 > /tmp/awkward.out &
    build/bench/signaling-load --url $(grep -o 'ws://[^ ]*' /tmp/awkward.out) --client raw \\
        --clients 20 --pairs 5 --rate 200 --seconds 3
    kill %1        # prints its counts as JSON on stderr; exit status 1 if a check failed
"""
import argparse
import asyncio
import base64
import hashlib
import json
import signal
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
counts = dict(connections=0, upgrades=0, logins=0, relayed=0, pings=0, pongsMatching=0,
              unmaskedFrames=0, pongsNotMatching=0, unexpectedFrames=0, closesFromClient=0,
              closeAnswers=0, stalls=0, connectionsLost=0)
FAILURES = ("unmaskedFrames", "pongsNotMatching", "unexpectedFrames")
clients = {}  # name -> writer


def frame(opcode, payload, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


async def dribble(writer, data, piece):
    """Writes `data` `piece` bytes at a time, so that the client reads partial frames."""
    for i in range(0, len(data), piece):
        writer.write(data[i:i + piece])
        await writer.drain()


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", await reader.readexactly(8))[0]
    mask = b"\0\0\0\0"
    if b1 & 0x80:
        mask = await reader.readexactly(4)
    else:
        counts["unmaskedFrames"] += 1
    data = await reader.readexactly(n)
    key = (mask * (n // 4 + 1))[:n]
    data = (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big") if n else b""
    return b0 & 0x0F, data


async def serve(reader, writer, args):
    counts["connections"] += 1
    name = None
    pings = set()
    closing = False
    tasks = []
    try:
        request = await reader.readuntil(b"\r\n\r\n")
        key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                   if line.lower().startswith(b"sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        await dribble(writer, b"HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
                      b"Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n", 40)
        counts["upgrades"] += 1

        async def ping_every():
            n = 0
            while True:
                await asyncio.sleep(args.ping_every)
                n += 1
                pings.add(b"p%d" % n)
                counts["pings"] += 1
                writer.write(frame(0x9, b"p%d" % n))

        async def close_after():
            nonlocal closing
            await asyncio.sleep(args.close_after)
            closing = True
            writer.write(frame(0x8, struct.pack(">H", 1001) + b"going away"))

        tasks.append(asyncio.ensure_future(ping_every()))
        if args.close_after:
            tasks.append(asyncio.ensure_future(close_after()))
        started = asyncio.get_running_loop().time()
        stalled = False
        while True:
            if args.stall and not stalled and asyncio.get_running_loop().time() - started > args.stall_at:
                stalled = True
                counts["stalls"] += 1
                await asyncio.sleep(args.stall)
            opcode, data = await read_frame(reader)
            if opcode == 0x1:
                message = json.loads(data)
                if message["type"] == "login":
                    name = message["name"]
                    clients[name] = writer
                    counts["logins"] += 1
                    reply = json.dumps({"type": "login", "success": True, "padding": "x" * 300}).encode()
                    pings.add(b"mid")
                    counts["pings"] += 1
                    await dribble(writer, frame(0x1, reply[:100], fin=False) + frame(0x9, b"mid") +
                                  frame(0x0, reply[100:150], fin=False) + frame(0x0, reply[150:]), 7)
                    users = {"type": "users", "users": list(clients), "padding": "u" * 70000}
                    await dribble(writer, frame(0x1, json.dumps(users).encode()), 30000)
                elif message["type"] == "candidate":
                    target = clients.get(message["name"])
                    message["name"] = name
                    if target:
                        counts["relayed"] += 1
                        target.write(frame(0x1, json.dumps(message, separators=(",", ":")).encode()))
            elif opcode == 0xA:
                if data in pings:
                    pings.discard(data)
                    counts["pongsMatching"] += 1
                else:
                    counts["pongsNotMatching"] += 1
            elif opcode == 0x8:
                if closing:
                    counts["closeAnswers"] += 1
                else:
                    counts["closesFromClient"] += 1
                    writer.write(frame(0x8, data[:2]))
                    await writer.drain()
                break
            else:
                counts["unexpectedFrames"] += 1
    except (asyncio.IncompleteReadError, ConnectionError):
        counts["connectionsLost"] += 1
    finally:
        for task in tasks:
            task.cancel()
        if name and clients.get(name) is writer:
            del clients[name]
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ping-every", type=float, default=1.0, metavar="S")
    parser.add_argument("--close-after", type=float, default=0, metavar="S", help="close every connection (1001)")
    parser.add_argument("--stall-at", type=float, default=0, metavar="S", help="stop reading S s after the upgrade")
    parser.add_argument("--stall", type=float, default=0, metavar="S", help="... for S s")
    args = parser.parse_args()
    server = await asyncio.start_server(lambda r, w: serve(r, w, args), "127.0.0.1", args.port, limit=1 << 20)
    print(f"listening on ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    print(json.dumps(counts), file=sys.stderr, flush=True)
    return 1 if any(counts[key] for key in FAILURES) else 0


sys.exit(asyncio.run(main()))
