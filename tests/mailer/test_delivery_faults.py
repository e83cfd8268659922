"""How the relay answers each kind of SMTP trouble, against a real aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mailer.backoff import ceiling
from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.notifications import list_notifications
from models.outbox import list_outbox
from models.tables import Invitation, OutboxMail
from models.timeutil import FixedClock
from tests.mailer.conftest import Handler, SmtpServer, mail_settings
from tests.mailer.data import license_with_invites
from tests.support.ports import free_port


async def drain(ctx: Ctx, config: SmtpConfig | None = None) -> Relay:
    relay = Relay(ctx, config or SmtpConfig.from_settings(ctx.settings))
    await relay.drain()
    for c in relay.clients:
        await c.quit()
    return relay


def rows(ctx: Ctx) -> list[OutboxMail]:
    with ctx.db.read() as s:
        return list(s.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars())


def invitation(ctx: Ctx, inv_id: int) -> Invitation:
    with ctx.db.read() as s:
        inv = s.get(Invitation, inv_id)
        assert inv is not None
        return inv


async def test_451_for_a_while_then_250_arrives_once_within_backoff_bounds(
        mctx: Ctx, smtp_handler: Handler, clock: FixedClock) -> None:
    smtp_handler.plan = lambda _m, n: "451 4.3.0 greylisted, try later" if n <= 4 else "250"
    license_with_invites(mctx, ["a@acme.example", "b@acme.example", "c@acme.example"])
    base, cap = mctx.settings.smtp_retry_base, mctx.settings.smtp_retry_cap
    for attempt in range(1, 5):
        await drain(mctx)
        for row in rows(mctx):
            assert row.status == "queued" and row.attempts == attempt
            assert (row.last_error or "").startswith("451 4.3.0 greylisted")
            assert timedelta(0) <= row.next_attempt_at - clock.now() <= ceiling(
                attempt, base, cap)
        # Just before the earliest retry is due, a drain sends nothing.
        clock.current = min(r.next_attempt_at for r in rows(mctx)) - timedelta(microseconds=1)
        tried = len(smtp_handler.attempts)
        await drain(mctx)
        assert len(smtp_handler.attempts) == tried
        clock.current = max(r.next_attempt_at for r in rows(mctx))
    await drain(mctx)
    assert [(r.status, r.attempts) for r in rows(mctx)] == [("sent", 5)] * 3
    assert {r.sent_at for r in rows(mctx)} == {clock.now()}
    assert {(r.lease_owner, r.token_sealed) for r in rows(mctx)} == {(None, None)}
    ids = smtp_handler.ids()
    assert len(ids) == 3 and set(ids.values()) == {1}
    assert len(smtp_handler.attempts) == 15


async def test_550_fails_once_with_the_reason_and_notifies_the_inviter(
        mctx: Ctx, smtp_handler: Handler, clock: FixedClock) -> None:
    smtp_handler.plan = lambda m, _n: ("550 5.1.1 <bob@acme.example>: no such user"
                                       if m["To"] == "bob@acme.example" else "250")
    staff, _lic, (inv_id,) = license_with_invites(mctx, ["bob@acme.example"])
    await drain(mctx)
    invite_row = rows(mctx)[0]
    assert invite_row.status == "failed" and invite_row.attempts == 1
    assert invite_row.last_error == "550 5.1.1 <bob@acme.example>: no such user"
    assert invite_row.token_sealed is None
    inv = invitation(mctx, inv_id)
    assert inv.status == "failed" and "no such user" in (inv.failed_reason or "")
    (note,) = list_notifications(mctx, staff.id)
    assert note.kind == "failed" and "no such user" in note.text
    # The inviter's own notification mail went out in the same drain.
    (notify_mail,) = smtp_handler.accepted
    assert notify_mail["To"].addresses[0].addr_spec == "sam@partner.example"
    clock.advance(timedelta(days=1))
    await drain(mctx)
    bounced = [m for m in smtp_handler.attempts
               if m["To"].addresses[0].addr_spec != "sam@partner.example"]
    assert len(bounced) == 1


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A listener that accepts connections and never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield int(s.getsockname()[1])


@pytest.mark.parametrize("fault", ["refused", "silent", "drop_after_data", "hang_in_data",
                                   "slow_every_step"])
async def test_connection_faults_are_transient_and_bounded_in_time(
        fault: str, tmp_path: Path, smtp_handler: Handler, smtp_server: SmtpServer,
        silent_port: int, clock: FixedClock) -> None:
    port = {"refused": free_port(), "silent": silent_port}.get(fault, smtp_server.port)
    if fault == "drop_after_data":
        smtp_handler.plan = lambda _m, _n: "drop"
    elif fault == "hang_in_data":
        smtp_handler.plan = lambda _m, _n: "hang"
    elif fault == "slow_every_step":
        # Each step answers within the per-operation time-out; together they do not.
        smtp_handler.delay_mail = smtp_handler.delay_data = 0.6
    limit = 1.0
    ctx = Ctx.open(mail_settings(tmp_path, port, smtp_timeout=timedelta(seconds=limit)),
                   clock=clock)
    license_with_invites(ctx, ["bob@acme.example"])
    started = time.monotonic()
    relay = await drain(ctx)
    took = time.monotonic() - started
    (row,) = [r for r in rows(ctx) if r.kind == "invitation"]
    assert row.status == "queued" and row.attempts == 1, row.last_error
    assert row.last_error
    assert row.next_attempt_at >= clock.now()
    assert relay.alert is None
    assert took < limit + 1.0, f"{fault}: one attempt took {took:.2f}s"
    ctx.db.dispose()


async def test_non_loopback_server_without_starttls_gets_nothing_in_clear(
        tmp_path: Path, smtp_handler: Handler, smtp_server: SmtpServer, clock: FixedClock) -> None:
    """The host is a remote name; the bytes still only travel over 127.0.0.1."""
    port = smtp_server.port
    connects = 0

    async def connector() -> socket.socket:
        nonlocal connects
        connects += 1
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        sock.setblocking(False)
        return sock

    ctx = Ctx.open(mail_settings(tmp_path, port, smtp_host="smtp.partner.example"), clock=clock)
    license_with_invites(ctx, ["bob@acme.example", "eve@acme.example"])
    config = SmtpConfig.from_settings(ctx.settings)
    relay = Relay(ctx, config, connector=connector)
    await relay.drain()
    assert connects == 1
    assert relay.alert is not None and "STARTTLS" in relay.alert
    assert smtp_handler.mail_from_count == 0 and smtp_handler.attempts == []
    # Paused, not failed, and the claims given back untried.
    assert [(r.status, r.attempts, r.lease_owner) for r in rows(ctx)] == [
        ("queued", 0, None), ("queued", 0, None)]
    assert relay.paused

    # security=none for a remote host is refused before any connection is made.
    ctx.settings.smtp_security = "none"
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings), connector=connector)
    await relay.drain()
    assert connects == 1 and relay.alert and "clear text" in relay.alert

    # Said explicitly, it goes.
    ctx.settings.smtp_allow_insecure = True
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings), connector=connector)
    await relay.drain()
    assert [r.status for r in rows(ctx)] == ["sent", "sent"]
    ctx.db.dispose()


async def test_give_up_after_the_configured_time(
        mctx: Ctx, smtp_handler: Handler, clock: FixedClock) -> None:
    smtp_handler.plan = lambda _m, _n: "421 4.7.0 busy"
    staff, _lic, (inv_id,) = license_with_invites(mctx, ["bob@acme.example"])
    await drain(mctx)
    assert rows(mctx)[0].status == "queued"
    clock.advance(mctx.settings.smtp_give_up_after)
    smtp_handler.plan = lambda m, _n: "421 4.7.0 busy" if "bob" in str(m["To"]) else "250"
    await drain(mctx)
    row = rows(mctx)[0]
    assert row.status == "failed" and row.attempts == 2
    assert "gave up after 2 attempts" in (row.last_error or "")
    assert invitation(mctx, inv_id).status == "failed"
    assert [n.kind for n in list_notifications(mctx, staff.id)] == ["failed"]


def test_outbox_list_shows_what_the_cli_needs(mctx: Ctx) -> None:
    license_with_invites(mctx, ["bob@acme.example"])
    (row,) = list_outbox(mctx, status="queued")
    assert row.to_addr == "bob@acme.example" and row.attempts == 0


async def test_a_row_the_templates_cannot_render_fails_with_the_reason(
        mctx: Ctx, smtp_handler: Handler) -> None:
    from models.outbox import enqueue

    with mctx.db.write() as s:
        enqueue(s, mctx, kind="notify_accepted", to_addr="sam@partner.example",
                subject="old row", payload={"kind": "accepted"}, now=mctx.now())
    await drain(mctx)
    (row,) = rows(mctx)
    assert row.status == "failed" and row.attempts == 1
    assert "cannot compose this notify_accepted mail" in (row.last_error or "")
    assert smtp_handler.attempts == []
