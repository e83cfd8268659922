"""The digest and "since you were last here" (issue 13): a mail each, a daily digest, or
none; one digest per person per day with the right counts, also with four scanners at once;
what changed since the console was last open."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import select

from models.context import Ctx
from models.digest import digest_due_at, report, scan_digests, seen, set_prefs, welcome
from models.errors import Refused
from models.invitations import invite
from models.outbox import mark_failed
from models.scans import scan_expired, scan_overdue
from models.settings import Settings
from models.tables import OutboxMail
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.models.workers import FORK, run_all

H = timedelta(hours=1)


def staff_mails(ctx: Ctx) -> list[OutboxMail]:
    with ctx.db.read() as s:
        return list(s.execute(select(OutboxMail).where(
            OutboxMail.to_addr == "sam@partner.example").order_by(OutboxMail.id)).scalars())


def events(ctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    """One accepted, one failed, two overdue then expired, at the clock's times."""
    from models.accept import accept
    from models.outbox import claim, mark_sent

    invite(ctx, me, license_id, [InviteRequest(f"e{i}@client.example", "Agent")
                                 for i in range(4)])
    tokens = {}
    for mail in claim(ctx, "t", limit=50):
        if mail.to_addr == "e1@client.example":
            mark_failed(ctx, mail.id, "t", "550 no such user")
        else:
            tokens[mail.to_addr] = mail.token
            mark_sent(ctx, mail.id, "t")
    clock.advance(H)
    accept(ctx, tokens["e0@client.example"] or "", "Eve", "correct horse battery")
    clock.advance(48 * H)
    assert scan_overdue(ctx) == 2  # e2, e3
    clock.advance(5 * 24 * H)
    assert scan_expired(ctx) == 2  # e2, e3


def test_each_is_the_default_and_mails_every_event(dbctx: Ctx, me: StaffRef,
                                                   license_id: int, clock: FixedClock) -> None:
    events(dbctx, me, license_id, clock)
    kinds = [m.kind for m in staff_mails(dbctx)]
    assert sorted(kinds) == ["notify_accepted", "notify_failed", "notify_overdue",
                            "notify_overdue"]


def test_none_mails_nothing_and_digest_waits_for_the_hour(
        dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    set_prefs(dbctx, me, "none")
    events(dbctx, me, license_id, clock)
    assert scan_digests(dbctx) == 0
    assert staff_mails(dbctx) == []


def test_one_digest_a_day_with_the_counts(dbctx: Ctx, me: StaffRef, license_id: int,
                                          clock: FixedClock) -> None:
    # The digest at 08:00 Europe/Warsaw = 07:00 UTC in winter.
    clock.current = datetime(2026, 1, 4, 7, 0, tzinfo=UTC)
    prefs = set_prefs(dbctx, me, "digest", 8, "Europe/Warsaw")
    assert (prefs.notify, prefs.digest_hour, prefs.digest_zone) == ("digest", 8,
                                                                   "Europe/Warsaw")
    clock.current = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    assert scan_digests(dbctx) == 0  # 5 Jan's claimed; nothing to say, so no mail
    clock.advance(timedelta(minutes=1))
    events(dbctx, me, license_id, clock)  # until 12 Jan 07:01 UTC
    assert staff_mails(dbctx) == []  # no mail per event, no digest scan ran
    assert scan_digests(dbctx) == 1  # 12 Jan's: everything since 5 Jan's
    assert scan_digests(dbctx) == 0
    clock.advance(10 * H)
    assert scan_digests(dbctx) == 0  # once a day
    (mail,) = staff_mails(dbctx)
    assert mail.subject == ("licensedesk digest: 1 accepted, 2 overdue, 1 failed, "
                            "2 expired")
    payload = json.loads(mail.payload)
    assert (payload["accepted"], payload["overdue"], payload["failed"],
            payload["expired"]) == (1, 2, 1, 2)
    assert len(payload["lines"]) == 6
    clock.advance(24 * H)
    assert scan_digests(dbctx) == 0  # nothing happened: no mail
    invite(dbctx, me, license_id, [InviteRequest("late@client.example", "Agent")])
    clock.advance(49 * H)
    assert scan_overdue(dbctx) == 1
    assert scan_digests(dbctx) == 1
    assert staff_mails(dbctx)[-1].subject.startswith("licensedesk digest: 0 accepted, 1 ")


def test_the_first_digest_covers_the_day_before(dbctx: Ctx, me: StaffRef, license_id: int,
                                                clock: FixedClock) -> None:
    set_prefs(dbctx, me, "digest", 9, "UTC")
    clock.current = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    events(dbctx, me, license_id, clock)  # 1 accepted (5 Jan), 1 failed, 2 overdue (7 Jan)...
    r = report(dbctx, me.id, timedelta(days=30))
    assert (r.accepted, r.overdue, r.failed, r.expired) == (1, 2, 1, 2)
    assert len(r.items) == 6 and r.items[0].kind == "expired"


def test_bad_preferences_are_refused_by_field(dbctx: Ctx, me: StaffRef) -> None:
    for kwargs, field in [({"notify": "weekly"}, "notify"), ({"hour": 24}, "digest_hour"),
                          ({"zone_name": "Mars/Olympus"}, "digest_zone"),
                          ({"zone_name": "../etc/passwd"}, "digest_zone")]:
        with pytest.raises(Refused) as caught:
            set_prefs(dbctx, me, **kwargs)  # type: ignore[arg-type]
        assert field in caught.value.fields


def test_digest_time_in_a_zone() -> None:
    now = datetime(2026, 7, 1, 5, 30, tzinfo=UTC)  # 07:30 in Warsaw (summer time)
    assert digest_due_at(now, 8, "Europe/Warsaw") == datetime(2026, 6, 30, 6, 0, tzinfo=UTC)
    assert digest_due_at(now, 7, "Europe/Warsaw") == datetime(2026, 7, 1, 5, 0, tzinfo=UTC)


def test_since_last_here(dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    first = welcome(dbctx, me.id)
    assert first.total == 0 and first.since is None  # a first visit has no "since"
    clock.advance(timedelta(minutes=1))
    events(dbctx, me, license_id, clock)
    back = welcome(dbctx, me.id)
    assert (back.accepted, back.overdue, back.failed, back.expired) == (1, 2, 1, 2)
    assert welcome(dbctx, me.id).total == 0  # seen now
    clock.advance(H)
    seen(dbctx, me.id)


def _digest_scan(url: str | None, data_dir: Path, at: datetime, barrier: Barrier) -> int:
    settings = Settings(data_dir=data_dir, database_url=url)
    ctx = Ctx.open(settings, clock=FixedClock(at), upgrade=False)
    try:
        barrier.wait(timeout=60)
        return scan_digests(ctx)
    finally:
        ctx.db.dispose()


@pytest.mark.slow
def test_four_scanners_send_one_digest(dbctx: Ctx, me: StaffRef, license_id: int,
                                       clock: FixedClock) -> None:
    set_prefs(dbctx, me, "digest", 9, "UTC")
    events(dbctx, me, license_id, clock)
    at = clock.now() + H
    url, data_dir = dbctx.settings.database_url, dbctx.settings.data_dir
    dbctx.db.dispose()
    got = run_all(_digest_scan, [(url, data_dir, at, FORK.Barrier(4))] * 4, timeout=120)
    assert sorted(got) == [0, 0, 0, 1], got
    assert [m.kind for m in staff_mails(dbctx)] == ["digest"]
