"""Automatic reminders (issue 13): at the ages of LICENSEDESK_AUTO_REMIND after each send, once
each per send, within the rate limit, never after expiry, acceptance or revocation, never
for a license that opted out; exactly once with four scanners at once, on SQLite and on
PostgreSQL. Time moves with the injected clock."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.accept import accept
from models.context import Ctx
from models.invitations import invite, resend, revoke
from models.licenses import create_license
from models.organizations import create_organization
from models.reminders import parse_schedule, scan_auto_remind, set_auto_remind
from models.scans import run_scans
from models.settings import Settings, SettingsError, load_settings
from models.tables import AuditEvent, Invitation, OutboxMail
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.models.helpers import take_tokens
from tests.models.workers import FORK, run_all

H = timedelta(hours=1)


def reminders(ctx: Ctx) -> dict[str, int]:
    """Reminder mails queued per address."""
    with ctx.db.read() as s:
        return dict(s.execute(select(OutboxMail.to_addr, func.count())
                              .where(OutboxMail.kind == "reminder")
                              .group_by(OutboxMail.to_addr)).all())


def invite_n(ctx: Ctx, me: StaffRef, license_id: int, n: int, prefix: str = "p") -> list[int]:
    rows = [InviteRequest(f"{prefix}{i}@client.example", "Agent") for i in range(n)]
    return [o.invitation_id or 0 for o in invite(ctx, me, license_id, rows).invited]


# the setting ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "ages"), [
    ("", ()), ("off", ()), ("24h", (24 * H,)), ("24h,72h", (24 * H, 72 * H)),
    (" 1d , 3d ", (24 * H, 72 * H)), ("90m,1d12h", (timedelta(minutes=90), 36 * H)),
])
def test_the_schedule_reads_as_written(text: str, ages: tuple[timedelta, ...]) -> None:
    assert parse_schedule(text) == ages


@pytest.mark.parametrize(("value", "says"), [
    ("72h,24h", "ages must grow"), ("24h,24h", "ages must grow"), ("24h,,72h", "empty age"),
    ("soon", "not a duration"), ("0s", "more than 0"), ("3651d", "longer than 3650 days"),
    (",".join(f"{h}h" for h in range(1, 12)), "at most 10"),
])
def test_a_bad_schedule_is_one_line_naming_the_setting(value: str, says: str) -> None:
    os.environ["LICENSEDESK_AUTO_REMIND"] = value
    try:
        with pytest.raises(SettingsError) as caught:
            load_settings()
    finally:
        del os.environ["LICENSEDESK_AUTO_REMIND"]
    message = str(caught.value)
    assert message.startswith("LICENSEDESK_AUTO_REMIND: ") and says in message, message
    assert "\n" not in message


def test_off_by_default_and_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().auto_remind == ()
    monkeypatch.setenv("LICENSEDESK_AUTO_REMIND", "24h,72h")
    assert load_settings().auto_remind == (24 * H, 72 * H)


# one process ------------------------------------------------------------------------------

@pytest.fixture
def remind_ctx(dbctx: Ctx) -> Ctx:
    dbctx.settings.auto_remind = (24 * H, 72 * H)
    return dbctx


def test_each_step_once_per_send_audited_as_the_system_for_the_inviter(
        remind_ctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    ids = invite_n(remind_ctx, me, license_id, 3)
    with remind_ctx.db.read() as s:
        before = {i.id: (i.sent_at, i.overdue_at, i.expires_at, i.send_no)
                  for i in s.execute(select(Invitation)).scalars()}
    clock.advance(23 * H)
    assert scan_auto_remind(remind_ctx) == 0
    clock.advance(H)
    assert scan_auto_remind(remind_ctx) == 3
    assert scan_auto_remind(remind_ctx) == 0
    clock.advance(47 * H)
    assert run_scans(remind_ctx).reminded == 0  # 71 h; overdue since 48 h meanwhile
    clock.advance(H)
    assert run_scans(remind_ctx).reminded == 3
    clock.advance(24 * H)
    assert scan_auto_remind(remind_ctx) == 0
    assert reminders(remind_ctx) == {f"p{i}@client.example": 2 for i in range(3)}
    with remind_ctx.db.read() as s:
        after = {i.id: (i.sent_at, i.overdue_at, i.expires_at, i.send_no)
                 for i in s.execute(select(Invitation)).scalars()}
        audits = s.execute(select(AuditEvent.actor, AuditEvent.detail).where(
            AuditEvent.kind == "invitation.auto_reminded").order_by(AuditEvent.id)).all()
    assert after == before  # the send, its 48 hours and its expiry do not move
    assert len(audits) == 6 and {a.actor for a in audits} == {"system"}
    assert "on behalf of Sam Support" in audits[0].detail
    assert "24 hours after send #1, reminder 1" in audits[0].detail
    assert "72 hours after send #1, reminder 2" in audits[-1].detail
    assert sorted(ids) == sorted(after)


def test_the_reminder_carries_a_working_link(remind_ctx: Ctx, me: StaffRef, license_id: int,
                                             clock: FixedClock) -> None:
    invite_n(remind_ctx, me, license_id, 1)
    take_tokens(remind_ctx)
    clock.advance(25 * H)
    assert scan_auto_remind(remind_ctx) == 1
    token = take_tokens(remind_ctx)["p0@client.example"]
    accept(remind_ctx, token, "Pat", "correct horse battery")
    clock.advance(72 * H)
    assert scan_auto_remind(remind_ctx) == 0  # accepted: no more


def test_none_after_acceptance_revocation_or_expiry(remind_ctx: Ctx, me: StaffRef,
                                                    license_id: int, clock: FixedClock) -> None:
    remind_ctx.settings.invite_expiry = 50 * H
    ids = invite_n(remind_ctx, me, license_id, 3)
    tokens = take_tokens(remind_ctx)
    accept(remind_ctx, tokens["p0@client.example"], "Pat", "correct horse battery")
    revoke(remind_ctx, me, [ids[1]])
    clock.advance(24 * H)
    assert scan_auto_remind(remind_ctx) == 1  # p2 only
    clock.advance(80 * H)
    run_scans(remind_ctx)  # p2 expired at 50 h: its 72 h reminder never goes
    assert reminders(remind_ctx) == {"p2@client.example": 1}


def test_a_resend_starts_the_schedule_again(remind_ctx: Ctx, me: StaffRef, license_id: int,
                                            clock: FixedClock) -> None:
    (inv,) = invite_n(remind_ctx, me, license_id, 1)
    clock.advance(24 * H)
    assert scan_auto_remind(remind_ctx) == 1
    clock.advance(6 * H)
    resend(remind_ctx, me, [inv])  # at 30 h
    clock.advance(23 * H)
    assert scan_auto_remind(remind_ctx) == 0  # 53 h: 23 h after the resend
    clock.advance(H)
    assert scan_auto_remind(remind_ctx) == 1  # 24 h after the resend
    clock.advance(48 * H)
    assert scan_auto_remind(remind_ctx) == 1  # 72 h after the resend
    assert reminders(remind_ctx) == {"p0@client.example": 3}


def test_steps_missed_while_nothing_ran_give_one_mail(remind_ctx: Ctx, me: StaffRef,
                                                      license_id: int,
                                                      clock: FixedClock) -> None:
    invite_n(remind_ctx, me, license_id, 1)
    clock.advance(100 * H)
    assert scan_auto_remind(remind_ctx) == 1
    clock.advance(24 * H)
    assert scan_auto_remind(remind_ctx) == 0


def test_a_license_that_opted_out_gets_none(remind_ctx: Ctx, me: StaffRef, license_id: int,
                                            clock: FixedClock) -> None:
    invite_n(remind_ctx, me, license_id, 2)
    set_auto_remind(remind_ctx, me, license_id, False)
    clock.advance(30 * H)
    assert scan_auto_remind(remind_ctx) == 0
    set_auto_remind(remind_ctx, me, license_id, True)
    assert scan_auto_remind(remind_ctx) == 2
    with remind_ctx.db.read() as s:
        said = s.execute(select(AuditEvent.detail).where(
            AuditEvent.kind == "license.auto_remind").order_by(AuditEvent.id)).scalars().all()
    assert said == ["automatic reminders off", "automatic reminders on"]


def test_off_means_none(dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    invite_n(dbctx, me, license_id, 2)
    clock.advance(100 * H)
    assert run_scans(dbctx).reminded == 0


def test_the_rate_limit_holds(remind_ctx: Ctx, me: StaffRef, license_id: int,
                              clock: FixedClock) -> None:
    remind_ctx.settings.auto_remind = (25 * H,)
    remind_ctx.settings.rate_limit_per_org = 5
    invite_n(remind_ctx, me, license_id, 5)
    clock.advance(25 * H)
    remind_ctx.settings.rate_limit_per_org = 3  # 0 of the window used; 3 may go
    assert scan_auto_remind(remind_ctx) == 3
    assert scan_auto_remind(remind_ctx) == 0  # the limit holds; the rest wait
    clock.advance(24 * H)
    assert scan_auto_remind(remind_ctx) == 2  # a new window: the rest go, once
    assert scan_auto_remind(remind_ctx) == 0
    assert sorted(reminders(remind_ctx).values()) == [1] * 5


# four processes at once ---------------------------------------------------------------------

def _scan_through(url: str | None, data_dir: Path, rate_limit: int, times: list[datetime],
                  barrier: Barrier) -> int:
    settings = Settings(data_dir=data_dir, database_url=url, auto_remind="24h,72h",
                        rate_limit_per_org=rate_limit, invite_expiry="100h")
    clock = FixedClock(times[0])
    ctx = Ctx.open(settings, clock=clock, upgrade=False)
    sent = 0
    try:
        for at in times:
            clock.current = at
            barrier.wait(timeout=60)
            sent += run_scans(ctx).reminded
        return sent
    finally:
        ctx.db.dispose()


@pytest.mark.slow
def test_four_scanners_send_each_scheduled_reminder_exactly_once(
        dbctx: Ctx, me: StaffRef, clock: FixedClock) -> None:
    dbctx.settings.invite_expiry = 100 * H
    limit = 30
    dbctx.settings.rate_limit_per_org = limit
    orgs = [create_organization(dbctx, me, name=f"Org {n}", client_name="C",
                                client_email=f"c{n}@org{n}.example") for n in range(3)]
    lics = [create_license(dbctx, me, organization_id=o, product_key="livechat")[0]
            for o in orgs]
    for n, lic in enumerate(lics[:2]):
        invite_n(dbctx, me, lic, 12, prefix=f"o{n}-")
    ids = invite_n(dbctx, me, lics[2], 12, prefix="o2-")
    tokens = take_tokens(dbctx)
    accept(dbctx, tokens["o2-0@client.example"], "Early", "correct horse battery")
    revoke(dbctx, me, [ids[1]])
    start = clock.now()
    # 20 h to 120 h in 2-hour steps: both steps of each send, and past the expiry at 100 h.
    times = [start + timedelta(hours=h) for h in range(20, 122, 2)]
    url, data_dir = dbctx.settings.database_url, dbctx.settings.data_dir
    dbctx.db.dispose()
    barrier = FORK.Barrier(4)
    got = run_all(_scan_through, [(url, data_dir, limit, times, barrier)] * 4, timeout=240)
    assert all(isinstance(g, int) for g in got), got
    sent = reminders(dbctx)
    assert sum(got) == sum(sent.values()) == 2 * (12 + 12 + 10)
    assert set(sent.values()) == {2}
    assert not {"o2-0@client.example", "o2-1@client.example"} & set(sent)
    with dbctx.db.read() as s:
        audits = s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.kind == "invitation.auto_reminded")).scalar_one()
    assert audits == 2 * 34


@pytest.mark.slow
def test_four_scanners_keep_the_rate_limit(dbctx: Ctx, me: StaffRef, license_id: int,
                                           clock: FixedClock) -> None:
    dbctx.settings.rate_limit_per_org = 10
    invite_n(dbctx, me, license_id, 10)
    start = clock.now()
    times = [start + timedelta(hours=24, minutes=m) for m in range(0, 30, 5)]
    url, data_dir = dbctx.settings.database_url, dbctx.settings.data_dir
    dbctx.db.dispose()
    barrier = FORK.Barrier(4)
    got = run_all(_scan_through, [(url, data_dir, 4, times, barrier)] * 4, timeout=240)
    assert sum(got) == sum(reminders(dbctx).values()) == 4, got


def test_a_link_handed_over_by_hand_is_not_killed_by_an_automatic_reminder(
        remind_ctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    # Found by the attack on issues 12/13: a reminder issues a new link, so one 24 h after a
    # link handed over by hand locked the invitee out. A handed-over send gets none; a later
    # send (resend) starts the schedule again.
    from models.accept import lookup
    from models.handover import hand_over_link

    (inv_id,) = invite_n(remind_ctx, me, license_id, 1)
    link, _row = hand_over_link(remind_ctx, me, inv_id)
    clock.advance(100 * H)
    assert scan_auto_remind(remind_ctx) == 0
    assert lookup(remind_ctx, link.rsplit("/", 1)[1]).email == "p0@client.example"
    resend(remind_ctx, me, [inv_id])
    clock.advance(25 * H)
    assert scan_auto_remind(remind_ctx) == 1
