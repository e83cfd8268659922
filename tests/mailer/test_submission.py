"""Relays shaped as real ones are (issue 16), against a real aiosmtpd on 127.0.0.1.

A submission port (587) demands STARTTLS and offers AUTH only once the session is
encrypted; implicit TLS (465) offers AUTH from the start. Each shape must deliver, signed
in, encrypted, with the envelope the server expects; international addresses go with
SMTPUTF8 where offered and fail alone where not; a transaction broken half-way never
leaves the connection in a state the next mail trips over.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mailer.compose import Outgoing, sender_address
from mailer.relay import Relay
from mailer.smtp import Permanent, Secret, SmtpClient, SmtpConfig, Transient
from models.context import Ctx
from models.settings import Settings
from models.tables import OutboxMail
from models.timeutil import FixedClock
from tests.mailer.conftest import Handler, SmtpServer, is_encrypted, mail_settings
from tests.mailer.data import license_with_invites
from tests.support.certs import self_signed
from tui.cli.main import main

USER = "relay-user@partner.example"
PASSWORD = "pw-9vKx#submission-only"  # the test server's, nobody else's
INTERNATIONAL = "jörg@acme.example"
LIMIT = 30  # seconds: no test waits longer than this for the relay

# aiosmtpd's warning for implicit TLS with AUTH required: it cannot see that TLS is on.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, standing in for the partner's private CA."""
    return self_signed(tmp_path_factory.mktemp("submission-tls"), "127.0.0.1")


def server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    return context


@dataclass
class SubmissionHandler(Handler):
    """Also records each EHLO: was the session encrypted when it came?"""

    ehlos: list[bool] = field(default_factory=list)

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        with self.lock:
            self.ehlos.append(is_encrypted(server, session))
        return responses


@dataclass
class XOAuth2OnlyHandler(SubmissionHandler):
    """A relay that takes OAuth tokens only (with PLAIN and LOGIN excluded)."""

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        return AuthResult(success=False, handled=False)


@dataclass(frozen=True)
class Shape:
    security: str                  # what LICENSEDESK_SMTP_SECURITY says
    exclude: tuple[str, ...] = ()  # AUTH mechanisms the server does not offer
    smtputf8: bool = True
    mechanism: str = "PLAIN"       # the one we should pick

    @property
    def implicit(self) -> bool:
        return self.security == "tls"


SHAPES = {
    "submission-plain-and-login": Shape("starttls"),
    "submission-plain-only": Shape("starttls", exclude=("LOGIN",), smtputf8=False),
    "submission-login-only": Shape("starttls", exclude=("PLAIN",), mechanism="LOGIN"),
    "implicit-tls": Shape("tls", smtputf8=False),
    "implicit-tls-login-only": Shape("tls", exclude=("PLAIN",), mechanism="LOGIN"),
}


def start_server(handler: Handler, cert: tuple[Path, Path], shape: Shape) -> SmtpServer:
    """As real relays run: submission demands STARTTLS and offers AUTH only after it
    (aiosmtpd cannot tell implicit TLS apart, so there AUTH is simply always offered)."""
    return SmtpServer(handler, password=PASSWORD, tls=server_context(cert),
                      implicit_tls=shape.implicit, auth_require_tls=not shape.implicit,
                      auth_required=True, auth_exclude=shape.exclude,
                      smtputf8=shape.smtputf8).start()


@pytest.fixture
def handler() -> SubmissionHandler:
    return SubmissionHandler()


@pytest.fixture(params=list(SHAPES))
def shaped(request: pytest.FixtureRequest, handler: SubmissionHandler,
           cert: tuple[Path, Path]) -> Iterator[tuple[Shape, SmtpServer]]:
    shape = SHAPES[request.param]
    server = start_server(handler, cert, shape)
    yield shape, server
    server.stop()


@pytest.fixture
def submission(handler: SubmissionHandler, cert: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """Port 587 as Microsoft 365 or a company Postfix runs it, without SMTPUTF8."""
    server = start_server(handler, cert, Shape("starttls", smtputf8=False))
    yield server
    server.stop()


@pytest.fixture(params=["submission", "clear-loopback"])
def any_server(request: pytest.FixtureRequest, handler: SubmissionHandler,
               cert: tuple[Path, Path]) -> Iterator[tuple[SmtpServer, SmtpConfig]]:
    """The submission port, and a plain relay on this machine (no TLS, no login), so a
    transaction fault shows on its own, whatever the state of sign-in."""
    if request.param == "submission":
        server = start_server(handler, cert, Shape("starttls", smtputf8=False))
        config = client_config(server, cert)
    else:
        server = SmtpServer(handler).start()
        config = SmtpConfig(host="127.0.0.1", port=server.port, security="none", timeout=5)
    yield server, config
    server.stop()


def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "smtp-password"
    path.write_text(PASSWORD + "\n")
    path.chmod(0o600)
    return path


def relay_settings(tmp_path: Path, server: SmtpServer, security: str,
                   cert: tuple[Path, Path], **extra: object) -> Settings:
    values: dict[str, object] = dict(
        smtp_security=security, smtp_ca_file=cert[0], smtp_username=USER,
        smtp_password_file=password_file(tmp_path))
    values.update(extra)
    return mail_settings(tmp_path, server.port, **values)


async def drain(ctx: Ctx) -> Relay:
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings))
    try:
        await asyncio.wait_for(relay.drain(), LIMIT)
    finally:
        for c in relay.clients:
            await c.quit()
    return relay


def rows(ctx: Ctx) -> dict[str, OutboxMail]:
    with ctx.db.read() as s:
        return {r.to_addr: r for r in s.execute(select(OutboxMail)).scalars()}


def client_config(server: SmtpServer, cert: tuple[Path, Path], security: str = "starttls",
                  ) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=server.port, security=security, username=USER,
                      password=Secret(PASSWORD), timeout=5, ca_file=cert[0])


def outgoing(n: int, recipient: str = "bob@acme.example",
             sender: str = "desk@partner.example") -> Outgoing:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = f"mail {n}"
    msg["Message-ID"] = f"<m{n}@partner.example>"
    msg.set_content(f"hello number {n}")
    utf8 = not (sender.isascii() and recipient.isascii())
    data = msg.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
    return Outgoing(n, sender, recipient, data, utf8, lambda: msg)


async def send(client: SmtpClient, out: Outgoing, **kw: object) -> None:
    await asyncio.wait_for(client.send(out, **kw), LIMIT)  # type: ignore[arg-type]


def no_sequence_errors(server: SmtpServer) -> None:
    """Nothing we sent was out of order or malformed in the server's eyes."""
    bad = [r for r in server.replies if r[:3] in ("500", "501", "503", "553")]
    assert bad == []


# -- each shape delivers, encrypted and signed in ------------------------------------------


async def test_each_relay_shape_delivers_signed_in_over_tls(
        tmp_path: Path, shaped: tuple[Shape, SmtpServer], handler: SubmissionHandler,
        cert: tuple[Path, Path], clock: FixedClock) -> None:
    shape, server = shaped
    ctx = Ctx.open(relay_settings(tmp_path, server, shape.security, cert), clock=clock)
    recipients = ["bob@acme.example", "eve@acme.example"]
    license_with_invites(ctx, recipients)
    relay = await drain(ctx)

    assert relay.alert is None
    sent = rows(ctx)
    assert {a: r.status for a, r in sent.items()} == {a: "sent" for a in recipients}
    sender = sender_address(ctx.settings)
    assert len(handler.envelopes) == 2
    for seen, to in zip(handler.envelopes, recipients, strict=True):
        assert seen.mail_from == sender
        assert seen.rcpt_tos == [to]
        assert "BODY=8BITMIME" in seen.mail_options and "SMTPUTF8" not in seen.mail_options
        assert seen.encrypted and seen.authenticated
    for msg, to in zip(handler.accepted, recipients, strict=True):
        assert msg["To"].addresses[0].addr_spec == to
        assert msg["From"].addresses[0].addr_spec == sender
        assert msg["Message-ID"] == sent[to].message_id
        assert msg["Subject"]
    # One connection, one sign-in, with the mechanism we prefer, and only once encrypted.
    assert handler.logins == [(shape.mechanism, True, USER, True)]
    # RFC 3207: a second EHLO once STARTTLS is done; implicit TLS is encrypted from the first.
    assert handler.ehlos == ([True] if shape.implicit else [False, True])
    no_sequence_errors(server)
    ctx.db.dispose()


def test_worker_once_signs_in_over_starttls_as_in_the_issue(
        tmp_path: Path, submission: SmtpServer, handler: SubmissionHandler,
        cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    """`licensedesk worker --once` with SECURITY=starttls, a CA file, a username and a
    password file used to stop with '127.0.0.1 offers no login method we support'."""
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example"))
    license_with_invites(ctx, ["bob@acme.example"])
    for name, value in {
        "STAFF_EMAIL": "sam@partner.example", "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(submission.port), "SMTP_SECURITY": "starttls",
        "SMTP_CA_FILE": str(cert[0]), "SMTP_USERNAME": USER,
        "SMTP_PASSWORD_FILE": str(password_file(tmp_path)), "SMTP_TIMEOUT": "5s",
    }.items():
        monkeypatch.setenv(f"LICENSEDESK_{name}", value)

    code = main(["worker", "--once"])
    out, err = capsys.readouterr()

    assert code == 0, err
    assert {a: r.status for a, r in rows(ctx).items()} == {"bob@acme.example": "sent"}
    assert [(s.rcpt_tos, s.encrypted, s.authenticated) for s in handler.envelopes] == [
        (["bob@acme.example"], True, True)]
    assert handler.logins == [("PLAIN", True, USER, True)]
    assert PASSWORD not in out + err + caplog.text
    ctx.db.dispose()


async def test_the_client_says_ehlo_again_after_starttls_before_signing_in(
        submission: SmtpServer, handler: SubmissionHandler, cert: tuple[Path, Path]) -> None:
    client = SmtpClient(client_config(submission, cert))
    await send(client, outgoing(1))
    await send(client, outgoing(2))  # same connection: no third EHLO, no second login
    await client.quit()
    assert handler.ehlos == [False, True]
    assert handler.logins == [("PLAIN", True, USER, True)]
    assert [m["Subject"] for m in handler.accepted] == ["mail 1", "mail 2"]
    no_sequence_errors(submission)


# -- international addresses --------------------------------------------------------------


@pytest.mark.parametrize("security", ["starttls", "tls", "none"])
async def test_an_international_address_goes_with_smtputf8_when_offered(
        tmp_path: Path, security: str, handler: SubmissionHandler, cert: tuple[Path, Path],
        clock: FixedClock) -> None:
    if security == "none":  # a relay on this machine, in clear, no login (like the catcher)
        server = SmtpServer(handler, smtputf8=True).start()
        settings = mail_settings(tmp_path, server.port, smtp_security="none")
    else:
        server = start_server(handler, cert, Shape(security))
        settings = relay_settings(tmp_path, server, security, cert)
    try:
        ctx = Ctx.open(settings, clock=clock)
        license_with_invites(ctx, [INTERNATIONAL, "bob@acme.example"])
        relay = await drain(ctx)
    finally:
        server.stop()

    assert relay.alert is None
    sent = rows(ctx)
    assert sent[INTERNATIONAL].status == "sent", sent[INTERNATIONAL].last_error
    assert sent["bob@acme.example"].status == "sent"
    by_rcpt = {s.rcpt_tos[0]: s for s in handler.envelopes}
    assert by_rcpt[INTERNATIONAL].smtp_utf8
    assert "SMTPUTF8" in by_rcpt[INTERNATIONAL].mail_options
    assert by_rcpt[INTERNATIONAL].mail_from == sender_address(ctx.settings)
    assert "SMTPUTF8" not in by_rcpt["bob@acme.example"].mail_options
    # SMTPUTF8 headers are raw UTF-8 (the byte parser would leave them undecoded).
    arrived = {m["To"].addresses[0].addr_spec: m for m in (
        message_from_string(raw.decode("utf-8"), policy=policy.default) for raw in handler.raw)}
    assert set(arrived) == {INTERNATIONAL, "bob@acme.example"}
    assert arrived[INTERNATIONAL]["Message-ID"] == sent[INTERNATIONAL].message_id
    no_sequence_errors(server)
    ctx.db.dispose()


async def test_an_international_address_fails_alone_where_smtputf8_is_not_offered(
        tmp_path: Path, submission: SmtpServer, handler: SubmissionHandler,
        cert: tuple[Path, Path], clock: FixedClock) -> None:
    ctx = Ctx.open(relay_settings(tmp_path, submission, "starttls", cert), clock=clock)
    license_with_invites(ctx, [INTERNATIONAL, "bob@acme.example"])
    relay = await drain(ctx)

    assert relay.alert is None
    sent = rows(ctx)
    assert sent[INTERNATIONAL].status == "failed"
    assert sent[INTERNATIONAL].last_error == (
        "the mail server does not accept international (SMTPUTF8) addresses: "
        f"{INTERNATIONAL}")
    assert sent["bob@acme.example"].status == "sent"
    assert all(INTERNATIONAL not in s.rcpt_tos for s in handler.envelopes)
    no_sequence_errors(submission)
    ctx.db.dispose()


@pytest.mark.parametrize("security", ["starttls", "none"])
async def test_without_smtputf8_the_next_mail_on_the_same_client_still_goes(
        security: str, handler: SubmissionHandler, cert: tuple[Path, Path]) -> None:
    if security == "none":
        server = SmtpServer(handler).start()
        config = SmtpConfig(host="127.0.0.1", port=server.port, security="none", timeout=5)
    else:
        server = start_server(handler, cert, Shape("starttls", smtputf8=False))
        config = client_config(server, cert)
    client = SmtpClient(config)
    try:
        await send(client, outgoing(1))
        with pytest.raises(Permanent) as refused:
            await send(client, outgoing(2, recipient=INTERNATIONAL))
        await send(client, outgoing(3))
        await client.quit()
    finally:
        server.stop()
    assert str(refused.value) == (
        f"the mail server does not accept international (SMTPUTF8) addresses: {INTERNATIONAL}")
    assert [m["Subject"] for m in handler.accepted] == ["mail 1", "mail 3"]
    no_sequence_errors(server)


async def test_a_non_ascii_envelope_never_escapes_as_a_unicode_error(
        handler: SubmissionHandler) -> None:
    """An Outgoing that breaks its contract (non-ASCII yet utf8=False) is a SendError."""
    server = SmtpServer(handler, smtputf8=False).start()
    client = SmtpClient(SmtpConfig(host="127.0.0.1", port=server.port, security="none",
                                   timeout=5))
    try:
        broken = outgoing(1, recipient=INTERNATIONAL)
        broken = Outgoing(broken.mail_id, broken.sender, broken.recipient, broken.data,
                          utf8=False, build=broken.build)
        with pytest.raises(Permanent):
            await send(client, broken)
        assert not client.connected
        await send(client, outgoing(2))
        await client.quit()
    finally:
        server.stop()
    assert [m["Subject"] for m in handler.accepted] == ["mail 2"]
    no_sequence_errors(server)


# -- the connection is never reused mid-transaction ---------------------------------------


async def test_a_failing_before_data_hook_leaves_no_transaction_open(
        any_server: tuple[SmtpServer, SmtpConfig], handler: SubmissionHandler) -> None:
    """The relay records the previous mail in before_data; a database error there must not
    leave MAIL FROM open for the next mail ('503 nested MAIL command', taken as a 5xx)."""
    server, config = any_server
    client = SmtpClient(config)

    async def database_down() -> None:
        raise OperationalError("UPDATE outbox_mail ...", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):
        await send(client, outgoing(1), before_data=database_down)
    await send(client, outgoing(2))
    await send(client, outgoing(3))
    await client.quit()

    assert [m["Subject"] for m in handler.accepted] == ["mail 2", "mail 3"]
    assert not any(r.startswith("503") for r in server.replies)
    no_sequence_errors(server)


async def test_503_is_ours_not_the_recipients_transient_and_the_connection_dropped(
        any_server: tuple[SmtpServer, SmtpConfig], handler: SubmissionHandler) -> None:
    _server, config = any_server
    handler.plan = lambda msg, _n: ("503 5.5.1 Error: bad sequence of commands"
                                    if msg["Subject"] == "mail 1" else "250")
    client = SmtpClient(config)
    with pytest.raises(Transient) as err:
        await send(client, outgoing(1))
    assert "503" in str(err.value)
    assert not client.connected
    await send(client, outgoing(2))
    await client.quit()
    assert [m["Subject"] for m in handler.accepted] == ["mail 2"]
    assert len(handler.ehlos) == (4 if config.security == "starttls" else 2)  # reconnected


# -- setup problems pause sending, saying what to fix --------------------------------------


@pytest.mark.parametrize("problem", ["missing", "not-a-certificate", "a-directory"])
async def test_an_unusable_ca_file_pauses_naming_the_setting_and_the_path(
        tmp_path: Path, submission: SmtpServer, handler: SubmissionHandler,
        cert: tuple[Path, Path], clock: FixedClock, problem: str) -> None:
    ca = tmp_path / "partner-ca.pem"
    if problem == "not-a-certificate":
        ca.write_text("this is not a certificate\n")
    elif problem == "a-directory":
        ca.mkdir()
    ctx = Ctx.open(relay_settings(tmp_path, submission, "starttls", cert, smtp_ca_file=ca),
                   clock=clock)
    license_with_invites(ctx, ["bob@acme.example"])
    relay = await drain(ctx)

    assert relay.alert is not None
    assert "LICENSEDESK_SMTP_CA_FILE" in relay.alert and str(ca) in relay.alert
    assert "connection problem" not in relay.alert
    row = rows(ctx)["bob@acme.example"]
    assert (row.status, row.attempts) == ("queued", 0)
    assert handler.ehlos == [] and handler.envelopes == []  # refused before connecting
    ctx.db.dispose()


async def test_a_server_offering_no_mechanism_we_support_pauses_naming_its_offer(
        tmp_path: Path, cert: tuple[Path, Path], clock: FixedClock) -> None:
    handler = XOAuth2OnlyHandler()
    server = start_server(handler, cert, Shape("starttls", exclude=("PLAIN", "LOGIN")))
    try:
        ctx = Ctx.open(relay_settings(tmp_path, server, "starttls", cert), clock=clock)
        license_with_invites(ctx, ["bob@acme.example"])
        relay = await drain(ctx)
    finally:
        server.stop()

    assert relay.alert is not None
    assert "XOAUTH2" in relay.alert and "PLAIN" in relay.alert
    assert handler.login_tries == 0 and handler.envelopes == []
    row = rows(ctx)["bob@acme.example"]
    assert (row.status, row.attempts) == ("queued", 0)
    ctx.db.dispose()
