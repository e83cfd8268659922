"""Replies no well-behaved server sends, from a raw SMTP server on 127.0.0.1: bytes that are
not UTF-8, escape sequences, multi-line refusals, an authentication code about one
recipient. Each fails its own mail (its reason stored as one printable line) and the
rest of the queue goes; nothing pauses, nothing raw reaches the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.tables import OutboxMail
from models.timeutil import FixedClock
from tests.mailer.conftest import mail_settings
from tests.mailer.data import license_with_invites

ODD = {
    "latin@b.example": b"550 5.1.1 <j\xf6rg@b.example> unknown user\r\n",
    "needauth@b.example": b"530 5.7.0 recipient needs auth\r\n",
    "escape@b.example": b"550 evil \x1b]0;title\x07\x1b[2J line\r\n",
    "multi@b.example": b"550-first line\r\n550-second \x1b[31mRED\x1b[0m\r\n550 last line\r\n",
}


class RawServer:
    """Just enough SMTP, answering RCPT for the addresses in ODD with their raw bytes."""

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        rcpt = ""
        writer.write(b"220 odd.example ESMTP\r\n")
        try:
            while line := await asyncio.wait_for(reader.readline(), 10):
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    writer.write(b"250-odd.example\r\n250 8BITMIME\r\n")
                elif verb == b"MAIL":
                    writer.write(b"250 ok\r\n")
                elif verb == b"RCPT":
                    rcpt = line.decode().split("<", 1)[1].split(">", 1)[0]
                    writer.write(ODD.get(rcpt, b"250 ok\r\n"))
                elif verb == b"DATA":
                    writer.write(b"354 go\r\n")
                    await writer.drain()
                    while (await reader.readline()) != b".\r\n":
                        pass
                    self.delivered.append(rcpt)
                    writer.write(b"250 queued\r\n")
                elif verb == b"RSET":
                    writer.write(b"250 ok\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    break
                else:
                    writer.write(b"502 what\r\n")
                await writer.drain()
        finally:
            writer.close()

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    server = await RawServer().start()
    yield server
    await server.stop()


async def test_odd_replies_fail_their_own_mail_and_nothing_else(
        tmp_path: Path, raw_server: RawServer, clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    settings = mail_settings(tmp_path, raw_server.port, smtp_security="none",
                             smtp_timeout=timedelta(seconds=5))
    ctx = Ctx.open(settings, clock=clock)
    plain = [f"ok{i}@b.example" for i in range(4)]
    license_with_invites(ctx, [plain[0], *ODD, *plain[1:]])
    relay = Relay(ctx, SmtpConfig.from_settings(settings))
    with caplog.at_level(logging.INFO):
        await asyncio.wait_for(relay.drain(), 60)
    for c in relay.clients:
        await c.quit()
    try:
        assert relay.alert is None, relay.alert  # one recipient's 530 pauses nothing
        with ctx.db.read() as s:
            every = list(s.execute(select(OutboxMail)).scalars())
        rows = {r.to_addr: r for r in every if r.kind == "invitation"}
        # Each plain invitation delivered once. The failures queue notices to the inviter;
        # the relay claims again once its rows run out, so they may go in the same pass:
        # whatever went is exactly what is recorded sent, each once, and nothing else.
        assert sorted(r.to_addr for r in every if r.kind == "invitation"
                      and r.status == "sent") == sorted(plain)
        assert sorted(raw_server.delivered) == sorted(
            r.to_addr for r in every if r.status == "sent")
        assert {r.kind for r in every if r.kind != "invitation"} <= {"notify_failed"}
        assert all(r.status in ("sent", "queued") for r in every if r.kind != "invitation")
        for addr in ODD:
            row = rows[addr]
            assert row.status == "failed", (addr, row.status, row.last_error)
            reason = row.last_error or ""
            assert reason.isprintable() and "\x1b" not in reason, repr(reason)
        assert "\\xf6" in (rows["latin@b.example"].last_error or "")
        assert "last line" in (rows["multi@b.example"].last_error or "")
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "\x1b" not in logged and "\udcf6" not in logged
    finally:
        ctx.db.dispose()
