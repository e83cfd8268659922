"""TLS to a relay that is not on this machine (by name; the bytes stay on 127.0.0.1)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.tables import OutboxMail
from models.timeutil import FixedClock
from tests.mailer.conftest import Handler, SmtpServer, mail_settings
from tests.mailer.data import license_with_invites
from tests.support.certs import self_signed

NAME = "smtp.partner.example"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for NAME, standing in for the partner's private CA."""
    return self_signed(tmp_path_factory.mktemp("tls"), NAME)


def server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    return context


@pytest.fixture(params=["starttls", "tls"])
def tls_server(request: pytest.FixtureRequest, cert: tuple[Path, Path],
               smtp_handler: Handler) -> Iterator[tuple[str, SmtpServer]]:
    server = SmtpServer(smtp_handler, tls=server_context(cert),
                        implicit_tls=request.param == "tls").start()
    yield request.param, server
    server.stop()


def connector_to(port: int) -> object:
    async def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        sock.setblocking(False)
        return sock
    return connect


def rows(ctx: Ctx) -> list[tuple[str, int]]:
    with ctx.db.read() as s:
        return [(r.status, r.attempts) for r in s.execute(select(OutboxMail)).scalars()]


async def test_mail_to_a_remote_relay_goes_encrypted(
        tmp_path: Path, tls_server: tuple[str, SmtpServer], smtp_handler: Handler,
        cert: tuple[Path, Path], clock: FixedClock) -> None:
    security, server = tls_server
    ctx = Ctx.open(mail_settings(tmp_path, server.port, smtp_host=NAME, smtp_security=security,
                                 smtp_ca_file=cert[0]), clock=clock)
    license_with_invites(ctx, ["bob@acme.example", "eve@acme.example"])
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings),
                  connector=connector_to(server.port))  # type: ignore[arg-type]
    await relay.drain()
    assert relay.alert is None
    assert rows(ctx) == [("sent", 1), ("sent", 1)]
    assert smtp_handler.tls_sessions == [True, True]
    assert len(smtp_handler.accepted) == 2
    ctx.db.dispose()


async def test_an_untrusted_certificate_pauses_sending_and_says_why(
        tmp_path: Path, tls_server: tuple[str, SmtpServer], smtp_handler: Handler,
        clock: FixedClock) -> None:
    security, server = tls_server
    ctx = Ctx.open(mail_settings(tmp_path, server.port, smtp_host=NAME, smtp_security=security),
                   clock=clock)
    license_with_invites(ctx, ["bob@acme.example"])
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings),
                  connector=connector_to(server.port))  # type: ignore[arg-type]
    await relay.drain()
    assert relay.alert and "certificate" in relay.alert
    assert rows(ctx) == [("queued", 0)]
    assert smtp_handler.raw_attempts == []
    ctx.db.dispose()
