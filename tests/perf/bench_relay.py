"""Relay throughput against a bare aiosmtplib loop, side by side, N = 1 and N = 4 connections.

A local aiosmtpd sink (its own process) only counts. The bare loop sends the very messages
the relay composes (EmailMessage objects, flattened by aiosmtplib's send_message with the
standard library's generator), over N reused connections; the relay claims, composes,
sends and records each mail in SQLite.

Each round measures both back to back, in alternating order, so both see the same load on
the machine; the figure is the median of the rounds' ratios. Prints
`name value unit target ok|short` lines.

    .venv/bin/python tests/perf/bench_relay.py [--mails 1500] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET = 0.90  # issue 14: relay / bare, at N = 1 and N = 4

SINK = r"""
import asyncio, sys
from aiosmtpd.smtp import SMTP

class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Count(), hostname="localhost", loop=loop),
                                      "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes stdin
    print(Count.n, flush=True)

asyncio.run(main())
"""


def seed(ctx: object, n: int) -> None:
    from models.outbox import enqueue
    from models.tokens import new_token

    now = ctx.now()  # type: ignore[attr-defined]
    payload = {
        "invitee_email": "", "role": "Agent", "role_meaning": "chats with customers",
        "organization": "Bench Ltd", "product": "HelpDesk", "license_id": 1,
        "inviter_name": "Sam Support", "inviter_email": "sam@partner.example",
        "expires_at": (now + timedelta(days=7)).isoformat(),
    }
    with ctx.db.write() as s:  # type: ignore[attr-defined]
        for i in range(n):
            addr = f"user{i}@bench.example"
            enqueue(s, ctx, kind="invitation", to_addr=addr,  # type: ignore[arg-type]
                    subject=f"Sam Support invites you to Bench Ltd on HelpDesk ({i})",
                    payload={**payload, "invitee_email": addr}, now=now,
                    reply_to="sam@partner.example", token=new_token()[0])


async def bare(port: int, messages: list[object], n: int) -> float:
    import aiosmtplib

    queue: asyncio.Queue[object] = asyncio.Queue()
    for m in messages:
        queue.put_nowait(m)

    async def lane() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False,
                               local_hostname="localhost")
        await smtp.connect()
        while not queue.empty():
            await smtp.send_message(queue.get_nowait())  # type: ignore[arg-type]
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(n)))
    return len(messages) / (time.perf_counter() - started)


async def relay_rate(ctx: object, n: int, count: int) -> float:
    from mailer.relay import Relay
    from mailer.smtp import SmtpConfig

    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings), connections=n)  # type: ignore[arg-type,attr-defined]
    started = time.perf_counter()
    await relay.drain()
    took = time.perf_counter() - started
    for c in relay.clients:
        await c.quit()
    assert relay.counts["sent"] == count, relay.counts
    return count / took


def one_round(port: int, workdir: Path, n: int, count: int,
              relay_first: bool) -> tuple[float, float]:
    from mailer.compose import compose
    from models.context import Ctx
    from models.outbox import claim, release
    from models.settings import Settings

    settings = Settings(data_dir=workdir, staff_email="sam@partner.example",
                        smtp_host="127.0.0.1", smtp_port=port, smtp_connections=n)
    ctx = Ctx.open(settings)
    seed(ctx, count)
    # The bare loop's messages: exactly what the relay composes for these rows.
    claimed = claim(ctx, "bench", count)
    messages: list[object] = [compose(m, settings, ctx.now()) for m in claimed]
    for m in claimed:
        release(ctx, m.id, "bench")
    if relay_first:
        relay = asyncio.run(relay_rate(ctx, n, count))
        bare_rate = asyncio.run(bare(port, messages, n))
    else:
        bare_rate = asyncio.run(bare(port, messages, n))
        relay = asyncio.run(relay_rate(ctx, n, count))
    ctx.db.dispose()
    return bare_rate, relay


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mails", type=int, default=1500)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    sink = subprocess.Popen([sys.executable, "-c", SINK], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert sink.stdout is not None and sink.stdin is not None
    port = int(sink.stdout.readline())
    shortfall = False
    expected = 0
    load_before = os.getloadavg()[0]
    try:
        for n in (1, 4):
            bares, relays, ratios = [], [], []
            for r in range(args.rounds):
                with tempfile.TemporaryDirectory() as tmp:
                    b, rl = one_round(port, Path(tmp) / f"n{n}r{r}", n, args.mails,
                                      relay_first=r % 2 == 1)
                expected += 2 * args.mails
                bares.append(b)
                relays.append(rl)
                ratios.append(rl / b)
            ratio = statistics.median(ratios)
            ok = ratio >= TARGET
            shortfall |= not ok
            print(f"bare_aiosmtplib_n{n} {statistics.median(bares):.0f} mails/s - ok")
            print(f"relay_n{n} {statistics.median(relays):.0f} mails/s - ok")
            print(f"# n={n} round ratios: {' '.join(f'{x:.2f}' for x in ratios)}")
            print(f"relay_vs_bare_n{n} {ratio:.2f} ratio >={TARGET:.2f} "
                  f"{'ok' if ok else 'short'}", flush=True)
    finally:
        sink.stdin.close()
        counted = int(sink.stdout.readline() or 0)
        sink.wait(10)
    print(f"# load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, "
          f"on {os.cpu_count()} cores")
    print(f"sink_received {counted} mails ={expected} {'ok' if counted == expected else 'short'}")
    return 1 if shortfall or counted != expected else 0


if __name__ == "__main__":
    sys.exit(main())
