"""A real aiosmtpd server on 127.0.0.1, in its own thread and loop, that keeps every mail."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, Envelope, Session

# aiosmtpd logs DATA lines at debug level, and they carry the invitation links.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Inbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content or b"")
        assert isinstance(msg, EmailMessage)
        with self._arrived:
            self.mails.append(msg)
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 10.0) -> EmailMessage:
        """The first mail to `to`; blocks the calling thread (run it off the event loop)."""
        def found() -> EmailMessage | None:
            return next((m for m in self.mails if to in str(m["To"])), None)

        with self._arrived:
            if not self._arrived.wait_for(lambda: found() is not None, timeout):
                raise TimeoutError(f"no mail to {to} within {timeout}s "
                                   f"({len(self.mails)} other mails)")
            mail = found()
            assert mail is not None
            return mail


def link_in(mail: EmailMessage, prefix: str) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None, "the mail has no text part"
    found = re.search(re.escape(prefix) + r"[A-Za-z0-9_-]+", str(body.get_content()))
    assert found, "the mail holds no signup link"
    return found.group(0)


class SmtpCatcher:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-smtp",
                                        daemon=True)

    def start(self) -> SmtpCatcher:
        self._thread.start()

        async def open_server() -> asyncio.Server:
            # An explicit hostname: aiosmtpd would otherwise ask DNS for our FQDN.
            return await self._loop.create_server(
                lambda: SMTP(self.inbox, hostname="localhost", loop=self._loop),
                host="127.0.0.1", port=0)

        self._server = asyncio.run_coroutine_threadsafe(open_server(), self._loop).result(10)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
                # A client that keeps its connection open must not hold the test up.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._server.wait_closed(), 2)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
