"""The embedded default: an aiosmtpd server on loopback filing every mail into a Maildir.

Several consoles on one machine each run their own on a free port; Maildir delivery
(write to tmp/, rename into new/) keeps them from stepping on each other.
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

# aiosmtpd logs every DATA line at debug level: that would put invitation links in logs.
logging.getLogger("mail.log").setLevel(logging.WARNING)

HOST = "127.0.0.1"


class MaildirHandler:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._box: mailbox.Maildir | None = None

    def deliver(self, content: bytes) -> None:
        if self._box is None:
            # Another console may be creating the same Maildir right now: no exclusive mkdir.
            for sub in ("tmp", "new", "cur"):
                (self.path / sub).mkdir(parents=True, exist_ok=True)
            self._box = mailbox.Maildir(self.path, factory=None, create=False)
        self._box.add(content)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        try:
            await asyncio.to_thread(self.deliver, content)
        except OSError as err:
            # Our own disk trouble is no reason to fail the invitation: ask for a retry.
            return f"451 could not file the mail locally: {err.strerror}"
        return "250 OK filed in the local mailbox"


class Catcher:
    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir
        self.port: int | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        loop = asyncio.get_running_loop()
        handler = MaildirHandler(self.maildir)

        def factory() -> Any:
            # An explicit hostname: aiosmtpd would otherwise ask DNS for our FQDN.
            return SMTP(handler, hostname="localhost", ident="licensedesk catcher",
                        enable_SMTPUTF8=True, loop=loop)

        self._server = await loop.create_server(factory, host=HOST, port=0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
