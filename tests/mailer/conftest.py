"""A real aiosmtpd server on 127.0.0.1 in a thread of its own, told per mail how to answer.

`smtp_server.plan` decides each DATA reply: "250", "451 ...", "550 ...", "drop" (close
after DATA without a reply), "hang" (never reply) or "gate NAME <reply>" (held until the
test sets `handler.gates[NAME]`); `delay_mail` slows MAIL FROM so a
per-operation time-out alone would not catch a slow server. Everything that came in is
kept: `accepted` (mails answered 250), `attempts` (every DATA), `mail_from_count`,
`envelopes` (what MAIL FROM / RCPT TO carried, per DATA), `logins` (each AUTH), and the
server's `replies` (every line it answered, in order).
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from models.context import Ctx
from models.settings import Settings
from models.timeutil import FixedClock

Plan = Callable[[Message, int], str]
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


def always(reply: str) -> Plan:
    return lambda _msg, _n: reply


def parse(data: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(msg, EmailMessage)
    return msg


@dataclass(frozen=True)
class Seen:
    """One transaction's envelope, as the server received it."""

    mail_from: str
    mail_options: list[str]
    rcpt_tos: list[str]
    rcpt_options: list[str]
    smtp_utf8: bool
    encrypted: bool
    authenticated: bool


def is_encrypted(server: SMTP, session: Session) -> bool:
    return session.ssl is not None or bool(
        server.transport and server.transport.get_extra_info("ssl_object"))


@dataclass
class Handler:
    """Keeps raw bytes and parses only when a test looks, so load tests stay cheap."""

    plan: Plan = field(default_factory=lambda: always("250"))
    delay_mail: float = 0.0
    delay_data: float = 0.0
    raw: list[bytes] = field(default_factory=list)          # accepted mails
    raw_attempts: list[bytes] = field(default_factory=list)  # every DATA
    mail_from_count: int = 0
    login_tries: int = 0
    tls_sessions: list[bool] = field(default_factory=list)  # per DATA: was it encrypted?
    # Per DATA: the envelope as the server saw it, and whether the session was encrypted
    # and authenticated at that point.
    envelopes: list[Seen] = field(default_factory=list)
    # Per AUTH: (mechanism, encrypted at the time, login name, accepted).
    logins: list[tuple[str, bool, str, bool]] = field(default_factory=list)
    # A refused login answered with the login and password it was given, as some servers'
    # "bad credentials for user/…" do.
    echo_credentials: bool = False
    # A plan answering "gate <name> <reply>" holds that DATA until the test sets gates[name].
    gates: defaultdict[str, threading.Event] = field(
        default_factory=lambda: defaultdict(threading.Event))
    lock: threading.Lock = field(default_factory=threading.Lock)
    _tries: Counter[str] = field(default_factory=Counter)
    _ids: Counter[str] = field(default_factory=Counter)

    @property
    def accepted(self) -> list[EmailMessage]:
        with self.lock:
            return [parse(d) for d in self.raw]

    @property
    def attempts(self) -> list[EmailMessage]:
        with self.lock:
            return [parse(d) for d in self.raw_attempts]

    @property
    def attempt_count(self) -> int:
        return len(self.raw_attempts)

    def ids(self) -> Counter[str]:
        """How often each Message-ID was accepted."""
        with self.lock:
            return Counter(self._ids)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
        with self.lock:
            self.mail_from_count += 1
        if self.delay_mail:
            await asyncio.sleep(self.delay_mail)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    def _accept(self, data: bytes, mid: str) -> None:
        with self.lock:
            self.raw.append(data)
            self._ids[mid] += 1

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        found = _MESSAGE_ID.search(data)
        mid = found.group(1).decode() if found else ""
        encrypted = is_encrypted(server, session)
        seen = Seen(envelope.mail_from or "", list(envelope.mail_options),
                    list(envelope.rcpt_tos), list(envelope.rcpt_options),
                    envelope.smtp_utf8, encrypted, bool(session.authenticated))
        with self.lock:
            self.tls_sessions.append(encrypted)
            self.envelopes.append(seen)
            self.raw_attempts.append(data)
            self._tries[mid] += 1
            n = self._tries[mid]
        if self.delay_data:
            await asyncio.sleep(self.delay_data)
        reply = self.plan(BytesHeaderParser().parsebytes(data), n)
        if reply.startswith("gate "):
            _, name, reply = reply.split(" ", 2)
            await asyncio.to_thread(self.gates[name].wait, 30)
        if reply == "hang":
            await asyncio.sleep(3600)
        if reply == "drop":
            self._accept(data, mid)  # it arrived; the sender just never hears so
            assert server.transport is not None
            server.transport.close()
            return "250 OK"
        if reply.startswith("250"):
            self._accept(data, mid)
            return "250 OK"
        return reply


class _RecordingSMTP(SMTP):
    """aiosmtpd's server, keeping every reply line it sends."""

    replies: list[str]

    async def push(self, status: Any) -> None:
        self.replies.append(status if isinstance(status, str)
                            else bytes(status).decode("utf-8", "replace"))
        await super().push(status)


class SmtpServer:
    """aiosmtpd on its own loop in a thread, on a free port of 127.0.0.1.

    The defaults keep the old test relay (AUTH offered in clear, no SMTPUTF8); a submission
    port as real relays run it is `auth_require_tls=True, auth_required=True` with `tls`.
    """

    def __init__(self, handler: Handler, password: str | None = None,
                 tls: ssl.SSLContext | None = None, implicit_tls: bool = False, *,
                 auth_require_tls: bool = False, auth_required: bool = False,
                 auth_exclude: Iterable[str] = (), smtputf8: bool = False) -> None:
        self.handler = handler
        self.password = password
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.auth_require_tls = auth_require_tls
        self.auth_required = auth_required
        self.auth_exclude = list(auth_exclude)
        self.smtputf8 = smtputf8
        self.replies: list[str] = []  # every reply line the server sent, in order
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _auth(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
              data: Any) -> AuthResult:
        self.handler.login_tries += 1
        ok = isinstance(data, LoginPassword) and data.password.decode() == self.password
        login = data.login.decode(errors="replace") if isinstance(data, LoginPassword) else ""
        with self.handler.lock:
            self.handler.logins.append((mechanism, is_encrypted(server, session), login, ok))
        if not ok and self.handler.echo_credentials and isinstance(data, LoginPassword):
            said = f"{login}/{data.password.decode(errors='replace')}"
            return AuthResult(success=False, handled=False,
                              message=f"535 5.7.8 bad credentials for {said}")
        # handled=False: let aiosmtpd send the 535 itself on failure.
        return AuthResult(success=ok, handled=False)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        def factory() -> SMTP:
            kw: dict[str, Any] = {}
            if self.password is not None:
                kw.update(authenticator=self._auth, auth_require_tls=self.auth_require_tls,
                          auth_required=self.auth_required,
                          auth_exclude_mechanism=self.auth_exclude)
            if self.tls is not None and not self.implicit_tls:
                kw.update(tls_context=self.tls, require_starttls=True)
            if self.smtputf8:
                kw.update(enable_SMTPUTF8=True)
            smtp = _RecordingSMTP(self.handler, hostname="localhost", loop=self._loop, **kw)
            smtp.replies = self.replies
            return smtp

        self._server = self._loop.run_until_complete(self._loop.create_server(
            factory, "127.0.0.1", 0, ssl=self.tls if self.implicit_tls else None))
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> SmtpServer:
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture
def smtp_handler() -> Handler:
    return Handler()


@pytest.fixture
def smtp_server(smtp_handler: Handler) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_handler).start()
    yield server
    server.stop()


def mail_settings(tmp_path: Path, port: int, **extra: Any) -> Settings:
    values: dict[str, Any] = dict(
        data_dir=tmp_path / "data", staff_email="sam@partner.example", staff_name="Sam Support",
        smtp_host="127.0.0.1", smtp_port=port, smtp_timeout=timedelta(seconds=2),
        signup_url="https://signup.partner.example/invite/",
    )
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def mctx(tmp_path: Path, smtp_server: SmtpServer, clock: FixedClock) -> Iterator[Ctx]:
    """A context whose SMTP settings point at `smtp_server`."""
    c = Ctx.open(mail_settings(tmp_path, smtp_server.port), clock=clock)
    yield c
    c.db.dispose()


def worker_env(tmp_path: Path, port: int | None, **extra: str) -> dict[str, str]:
    """Environment for a `licensedesk worker` subprocess sharing this test's data."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LICENSEDESK_")}
    env.update({
        "LICENSEDESK_CONFIG": str(tmp_path / "config.toml"),
        "LICENSEDESK_DATA_DIR": str(tmp_path / "data"),
        "LICENSEDESK_STAFF_EMAIL": "sam@partner.example",
        "LICENSEDESK_SIGNUP_URL": "https://signup.partner.example/invite/",
        "LICENSEDESK_SMTP_TIMEOUT": "5s",
    })
    if port is not None:
        env.update({"LICENSEDESK_SMTP_HOST": "127.0.0.1", "LICENSEDESK_SMTP_PORT": str(port)})
    env.update(extra)
    return env


def dump(value: Any) -> str:
    return json.dumps(value, default=str)
