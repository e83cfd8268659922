"""Overdue and expiry: moved by the clock, never by sleeping; one alert per send, however
many processes scan at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.context import Ctx
from models.invitations import invite, resend
from models.notifications import list_notifications
from models.queries import list_invitations, needs_attention
from models.scans import run_scans, scan_expired, scan_overdue
from models.tables import AuditEvent, Invitation, Notification, OutboxMail
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.models.workers import FORK, Where, run_all, scan_at

SCANNERS = 4


def _invite(ctx: Ctx, me: StaffRef, lic: int, n: int) -> list[int]:
    res = invite(ctx, me, lic, [InviteRequest(f"u{i}@client.example", "Agent")
                                for i in range(n)])
    return [o.invitation_id or 0 for o in res.invited]


def _counts(ctx: Ctx) -> tuple[int, int, int, int]:
    with ctx.db.read() as s:
        def n(q: object) -> int:
            return int(s.execute(q).scalar_one())  # type: ignore[call-overload]
        return (
            n(select(func.count()).select_from(Invitation).where(Invitation.status == "overdue")),
            n(select(func.count()).select_from(Notification).where(Notification.kind == "overdue")),
            n(select(func.count()).select_from(OutboxMail).where(
                OutboxMail.kind == "notify_overdue")),
            n(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.kind == "invitation.overdue")),
        )


def test_overdue_at_48_hours_exactly_once(dbctx: Ctx, me: StaffRef, license_id: int,
                                          clock: FixedClock) -> None:
    _invite(dbctx, me, license_id, 3)
    clock.advance(timedelta(hours=47, minutes=59, seconds=59))
    assert scan_overdue(dbctx) == 0
    assert _counts(dbctx) == (0, 0, 0, 0)
    clock.advance(timedelta(seconds=2))
    assert scan_overdue(dbctx) == 3
    assert _counts(dbctx) == (3, 3, 3, 3)
    assert scan_overdue(dbctx) == 0
    assert _counts(dbctx) == (3, 3, 3, 3)
    assert {r.status for r in needs_attention(dbctx)} == {"overdue"}
    notes = list_notifications(dbctx, me.id)
    assert all("48 hours" in n.text for n in notes)


def test_a_resend_earns_a_new_overdue_alert(dbctx: Ctx, me: StaffRef, license_id: int,
                                            clock: FixedClock) -> None:
    (inv,) = _invite(dbctx, me, license_id, 1)
    clock.advance(timedelta(hours=49))
    assert scan_overdue(dbctx) == 1
    resend(dbctx, me, [inv])
    assert list_invitations(dbctx, license_id)[0].status == "pending"
    clock.advance(timedelta(hours=47))
    assert scan_overdue(dbctx) == 0
    clock.advance(timedelta(hours=2))
    assert scan_overdue(dbctx) == 1
    with dbctx.db.read() as s:
        sends = s.execute(select(Notification.send_no).order_by(Notification.id)).scalars().all()
    assert sends == [1, 2]


def test_expiry_after_seven_days_without_an_overdue_ping_when_both_are_due(
        dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    _invite(dbctx, me, license_id, 2)
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert scan_expired(dbctx) == 0
    clock.advance(timedelta(seconds=1))
    res = run_scans(dbctx)
    assert (res.expired, res.overdue) == (2, 0)
    assert {r.status for r in list_invitations(dbctx, license_id)} == {"expired"}
    assert _counts(dbctx)[1] == 0


def test_scanning_a_big_batch_handles_every_row(dbctx: Ctx, me: StaffRef, license_id: int,
                                                clock: FixedClock,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import models.scans

    monkeypatch.setattr(models.scans, "BATCH", 7)  # several batches through the loop
    _invite(dbctx, me, license_id, 30)
    clock.advance(timedelta(hours=48, seconds=1))
    assert scan_overdue(dbctx) == 30
    assert _counts(dbctx) == (30, 30, 30, 30)


@pytest.mark.slow
def test_four_processes_scanning_at_once(dbctx: Ctx, me: StaffRef, license_id: int,
                                         clock: FixedClock) -> None:
    n = 40
    _invite(dbctx, me, license_id, n)
    start = clock.now()
    where = Where.of(dbctx)
    dbctx.db.dispose()  # no pooled connection crosses the fork

    def scan_all(at_delta: timedelta) -> list[int]:
        barrier = FORK.Barrier(SCANNERS)
        return run_all(scan_at, [(where, start + at_delta, barrier)] * SCANNERS)

    early = scan_all(timedelta(hours=47, minutes=59, seconds=59))
    assert early == [0] * SCANNERS
    assert _counts(dbctx) == (0, 0, 0, 0)
    late = scan_all(timedelta(hours=48, seconds=1))
    assert all(isinstance(x, int) for x in late), late
    assert sum(late) == n
    assert _counts(dbctx) == (n, n, n, n)
    with dbctx.db.read() as s:
        per_inv = s.execute(select(Notification.invitation_id, func.count())
                            .group_by(Notification.invitation_id)).all()
    assert len(per_inv) == n and {c for _, c in per_inv} == {1}


@pytest.mark.parametrize(("after", "words"), [
    (timedelta(hours=24), "24 hours"), (timedelta(days=5), "5 days"),
    (timedelta(days=3), "72 hours"),
    (timedelta(minutes=90), "90 minutes"), (timedelta(hours=1), "1 hour"),
])
def test_the_overdue_alert_names_the_configured_span(
        tmp_path: Path, clock: FixedClock, after: timedelta, words: str) -> None:
    """The alert used to say "48 hours" whatever LICENSEDESK_OVERDUE_AFTER was."""
    from models.licenses import create_license
    from models.organizations import create_organization
    from models.settings import Settings
    from models.staff import ensure_staff

    ctx = Ctx.open(Settings(data_dir=tmp_path / "d", staff_email="sam@partner.example",
                            staff_name="Sam", overdue_after=after), clock=clock)
    try:
        me = ensure_staff(ctx)
        org = create_organization(ctx, me, name="Acme", client_name="Olivia",
                                  client_email="olivia@acme.example")
        lic, _ = create_license(ctx, me, organization_id=org, product_key="helpdesk")
        _invite(ctx, me, lic, 1)
        clock.advance(after + timedelta(seconds=1))
        assert scan_overdue(ctx) == 1
        (note,) = list_notifications(ctx, me.id)
        assert note.text.endswith(f"in {words}")
    finally:
        ctx.db.dispose()
