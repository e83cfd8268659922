"""A link by hand, against the real signup app: the old link stops working, the new one
works, it counts as a send, no mail is queued, the audit row is there, the link is logged
nowhere."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from models.context import Ctx
from models.errors import Forbidden, NotFound, Refused
from models.handover import hand_over_link, signup_link
from models.invitations import revoke
from models.scans import run_scans
from models.staff import add_staff
from models.tables import AuditEvent, Invitation, OutboxMail
from models.timeutil import FixedClock
from models.views import StaffRef
from signup.app import create_app
from signup.limits import BadTokenLimiter
from tests.signup.conftest import GOOD_PASSWORD, RecordedSleep, form_of, new_invitation


@pytest.fixture
async def web(ctx: Ctx, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ctx, limiter=BadTokenLimiter(clock, sleep=RecordedSleep()))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://signup.test") as c:
        yield c


def _path(ctx: Ctx, link: str) -> str:
    assert link.startswith(ctx.settings.signup_url)
    return "/invite/" + link.removeprefix(ctx.settings.signup_url)


def _mails(ctx: Ctx) -> int:
    with ctx.db.read() as s:
        return len(s.execute(select(OutboxMail.id).where(
            OutboxMail.invitation_id.is_not(None),  # type: ignore[union-attr]
            OutboxMail.kind.in_(["invitation", "reminder", "resend"]))).all())  # type: ignore[attr-defined]


async def test_the_old_link_stops_working_and_the_new_one_works(
        ctx: Ctx, staff: StaffRef, web: httpx.AsyncClient, clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    invited = new_invitation(ctx, staff)
    assert (await web.get(invited.path)).status_code == 200
    clock.advance(timedelta(hours=50))
    run_scans(ctx)  # overdue now
    mails_before = _mails(ctx)

    link, row = hand_over_link(ctx, staff, invited.invitation_id)

    assert link.startswith(ctx.settings.signup_url) and len(link) > len(ctx.settings.signup_url)
    assert link == signup_link(ctx.settings, link.removeprefix(ctx.settings.signup_url))
    assert row.id == invited.invitation_id and row.email == invited.email
    assert row.status == "pending" and row.times_sent == 2
    assert row.sent_at == clock.now()
    assert row.overdue_at == clock.now() + ctx.settings.overdue_after
    assert row.expires_at == clock.now() + ctx.settings.invite_expiry
    with ctx.db.read() as s:
        inv = s.get(Invitation, invited.invitation_id)
        assert inv is not None and inv.send_no == 2
        audit = s.execute(select(AuditEvent).where(
            AuditEvent.kind == "invitation.handed_over")).scalars().all()
    assert _mails(ctx) == mails_before  # no mail queued
    (event,) = audit
    assert event.invitation_id == invited.invitation_id and event.actor == staff.email
    assert f"link handed over by {staff.name}" in event.detail
    token = link.removeprefix(ctx.settings.signup_url)
    assert token not in event.detail

    old = await web.get(invited.path)
    assert old.status_code == 404 and "This invitation link is not valid" in old.text
    new = await web.get(_path(ctx, link))
    assert new.status_code == 200 and invited.email in new.text
    done = await web.post(_path(ctx, link), data={
        **form_of(new.text), "name": "Ines", "password": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD})
    assert done.status_code == 200 and "Your account is ready" in done.text
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records
                       if not r.name.startswith(("httpx", "httpcore")))
    assert token not in logged


def test_an_expired_or_failed_invitation_gets_a_link_and_is_pending_again(
        ctx: Ctx, staff: StaffRef, clock: FixedClock) -> None:
    invited = new_invitation(ctx, staff)
    clock.advance(ctx.settings.invite_expiry + timedelta(hours=1))
    run_scans(ctx)
    with ctx.db.read() as s:
        assert s.get(Invitation, invited.invitation_id).status == "expired"  # type: ignore[union-attr]
    _link, row = hand_over_link(ctx, staff, invited.invitation_id)
    assert row.status == "pending" and row.expires_at > clock.now()
    with ctx.db.write() as s:
        inv = s.get(Invitation, invited.invitation_id)
        assert inv is not None
        inv.status, inv.failed_reason = "failed", "550 no such user"
    _link, row = hand_over_link(ctx, staff, invited.invitation_id)
    assert row.status == "pending" and row.failed_reason is None and row.times_sent == 3


def test_accepted_and_revoked_are_refused_clearly(ctx: Ctx, staff: StaffRef) -> None:
    invited = new_invitation(ctx, staff)
    lead = staff  # ensure_staff makes the first staff member a lead
    revoke(ctx, lead, [invited.invitation_id])
    with pytest.raises(Refused, match="is revoked: only an open or expired invitation"):
        hand_over_link(ctx, staff, invited.invitation_id)
    with ctx.db.write() as s:
        inv = s.get(Invitation, invited.invitation_id)
        assert inv is not None
        inv.status = "accepted"
    with pytest.raises(Refused, match="is accepted"):
        hand_over_link(ctx, staff, invited.invitation_id)
    with pytest.raises(NotFound):
        hand_over_link(ctx, staff, 9999)


def test_a_viewer_may_not_hand_over_a_link(ctx: Ctx, staff: StaffRef) -> None:
    invited = new_invitation(ctx, staff)
    viewer = add_staff(ctx, staff, "vic", email="vic@partner.example", role="viewer")
    with pytest.raises(Forbidden, match="resending an invitation needs the agent role"):
        hand_over_link(ctx, viewer, invited.invitation_id)
    with ctx.db.read() as s:
        assert s.get(Invitation, invited.invitation_id).times_sent == 1  # type: ignore[union-attr]


def test_a_mail_still_waiting_is_cancelled_not_sent_with_a_dead_link(
        ctx: Ctx, staff: StaffRef) -> None:
    # Found by the attack on issue 12: a link handed over before the relay ran let the queued
    # invitation mail go out later with the link that had just died.
    from models.outbox import claim

    invited = new_invitation(ctx, staff, take=False)  # its mail still queued
    with ctx.db.read() as s:
        (before,) = s.execute(select(OutboxMail.status).where(
            OutboxMail.invitation_id == invited.invitation_id)).scalars().all()
    assert before == "queued"
    hand_over_link(ctx, staff, invited.invitation_id)
    with ctx.db.read() as s:
        (mail,) = s.execute(select(OutboxMail).where(
            OutboxMail.invitation_id == invited.invitation_id)).scalars().all()
    assert mail.status == "cancelled" and mail.token_sealed is None
    assert "handed over by hand" in (mail.last_error or "")
    assert claim(ctx, "relay-1") == []  # the relay never picks it up
