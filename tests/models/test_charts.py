"""The charts' figures (issue 13), counted in SQL, against rows the services wrote with the
clock moved by hand: on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from models.accept import accept
from models.charts import open_aged, open_ages, status_history
from models.context import Ctx
from models.invitations import invite, remind, resend, revoke
from models.licenses import create_license
from models.outbox import claim, mark_failed, mark_sent
from models.queries import list_invitations
from models.scans import scan_expired, scan_overdue
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef

# The charts are read at NOW; the 30-day window starts at midnight UTC 29 days before.
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 1, 31, 0, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)

Step = Callable[["World"], None]


class World:
    """Services called with the clock set to the moment each step happens."""

    def __init__(self, ctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
        self.ctx, self.me, self.license_id, self.clock = ctx, me, license_id, clock
        self.tokens: dict[str, str] = {}

    def at(self, when: datetime) -> World:
        self.clock.current = when
        return self

    def invite(self, *emails: str, license_id: int | None = None) -> None:
        invite(self.ctx, self.me, license_id or self.license_id,
               [InviteRequest(e, "Agent") for e in emails])
        self._relay()

    def _relay(self, bounce: tuple[str, ...] = ()) -> None:
        while batch := claim(self.ctx, "test-relay", limit=100):
            for mail in batch:
                if mail.to_addr in bounce:
                    assert mark_failed(self.ctx, mail.id, "test-relay", "550 no such user")
                    continue
                if mail.token:
                    self.tokens[mail.to_addr] = mail.token
                mark_sent(self.ctx, mail.id, "test-relay")

    def bounce(self, *emails: str) -> None:
        invite(self.ctx, self.me, self.license_id, [InviteRequest(e, "Agent") for e in emails])
        self._relay(bounce=emails)

    def accept(self, email: str) -> None:
        accept(self.ctx, self.tokens[email], "Some One", "correct horse battery")

    def _id(self, email: str) -> int:
        return next(i.id for i in list_invitations(self.ctx) if i.email == email)

    def resend(self, email: str) -> None:
        resend(self.ctx, self.me, [self._id(email)])
        self._relay()

    def remind(self) -> None:
        remind(self.ctx, self.me, self.license_id)
        self._relay()

    def revoke(self, email: str) -> None:
        revoke(self.ctx, self.me, [self._id(email)])


@pytest.fixture
def world(dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> World:
    return World(dbctx, me, license_id, clock)


def _first_day(w: World) -> None:
    # The license itself was made on 5 Jan, before the window: it adds no event.
    w.at(SINCE).invite("edge@acme.example")
    w.at(SINCE - TICK).invite("before@acme.example")


def _days_apart(w: World) -> None:
    w.at(SINCE + timedelta(days=1) - TICK).invite("late@acme.example")
    w.at(SINCE + timedelta(days=1)).invite("early@acme.example")


def _life(w: World) -> None:
    w.at(NOW - timedelta(days=3)).invite("a@acme.example", "b@acme.example", "c@acme.example")
    w.at(NOW - timedelta(days=3, hours=-1)).accept("a@acme.example")
    w.at(NOW - timedelta(days=1)).bounce("d@acme.example")
    w.at(NOW - timedelta(hours=20))
    assert scan_overdue(w.ctx) == 2  # b and c: 52 hours since their send
    w.at(NOW - timedelta(hours=2)).resend("b@acme.example")
    w.at(NOW - timedelta(hours=1)).remind()  # b again, and c
    w.at(NOW - timedelta(minutes=30)).revoke("c@acme.example")


def _other_license(w: World) -> None:
    from models.queries import get_license

    org = get_license(w.ctx, w.license_id).organization_id
    other, _ = create_license(w.ctx, w.me, organization_id=org, product_key="livechat")
    w.at(NOW - timedelta(days=2)).invite("x@acme.example", license_id=other)
    w.at(NOW - timedelta(days=2)).invite("y@acme.example")


LAST = 29  # today's index

# (case, steps, {series: {day index: count}}; every other day and series is 0)
HISTORY_CASES: list[tuple[str, Step, dict[str, dict[int, int]]]] = [
    ("empty license", lambda w: None, {}),
    ("on the 30-day boundary, and a microsecond before it", _first_day, {"sent": {0: 1}}),
    ("the last microsecond of a day and the first of the next", _days_apart,
     {"sent": {0: 1, 1: 1}}),
    ("sent, accepted, failed, overdue, resent, reminded, revoked", _life,
     {"sent": {LAST - 3: 3, LAST - 1: 1, LAST: 3}, "accepted": {LAST - 3: 1},
      "failed": {LAST - 1: 1}, "overdue": {LAST - 1: 2}}),
    ("another license's invitations are not this one's", _other_license,
     {"sent": {LAST - 2: 1}}),
]


@pytest.mark.parametrize(("steps", "expected"), [c[1:] for c in HISTORY_CASES],
                         ids=[c[0] for c in HISTORY_CASES])
def test_status_history(world: World, steps: Step, expected: dict[str, dict[int, int]]) -> None:
    steps(world)
    world.at(NOW)
    view = status_history(world.ctx, world.license_id)
    assert view.since == SINCE and view.days == 30
    assert [s.status for s in view.series] == ["sent", "accepted", "overdue", "failed"]
    got = {s.status: {i: n for i, n in enumerate(s.daily) if n} for s in view.series}
    assert {k: v for k, v in got.items() if v} == expected
    assert all(len(s.daily) == 30 for s in view.series)
    for s in view.series:
        assert s.total == sum(expected.get(s.status, {}).values())


def test_status_history_of_a_shorter_window(world: World) -> None:
    _life(world)
    world.at(NOW)
    view = status_history(world.ctx, world.license_id, days=2)
    assert view.since == datetime(2026, 2, 28, tzinfo=UTC)
    assert {s.status: s.daily for s in view.series} == {
        "sent": (1, 3), "accepted": (0, 0), "overdue": (2, 0), "failed": (1, 0)}


def _ages(w: World) -> None:
    w.at(NOW - timedelta(hours=1)).invite("new@acme.example")
    w.at(NOW - timedelta(hours=48) + TICK).invite("almost@acme.example")
    w.at(NOW - timedelta(hours=48)).invite("two-days@acme.example")
    w.at(NOW - timedelta(days=7) + TICK).invite("week@acme.example")
    w.at(NOW - timedelta(days=7)).bounce("bounced@acme.example")  # failed never expires
    w.at(NOW - timedelta(days=20)).invite("old@acme.example", "gone@acme.example")
    w.at(NOW - timedelta(days=19))
    assert scan_expired(w.ctx) == 0  # not yet: 7 days after the send
    w.at(NOW - timedelta(days=13)).revoke("gone@acme.example")
    w.at(NOW - timedelta(hours=50)).invite("taken@acme.example")
    w.at(NOW - timedelta(hours=49)).accept("taken@acme.example")


def _expired(w: World) -> None:
    w.at(NOW - timedelta(days=9)).invite("late@acme.example")
    w.at(NOW - timedelta(days=1))
    assert scan_expired(w.ctx) == 1


# (case, steps, counts of buckets 1, 2, 3, the emails of each bucket oldest first)
AGE_CASES: list[tuple[str, Step, tuple[int, int, int], dict[int, list[str]]]] = [
    ("nothing open", lambda w: None, (0, 0, 0), {1: [], 2: [], 3: []}),
    ("each side of 48 hours and 7 days; accepted and revoked left out", _ages, (2, 2, 2),
     {1: ["almost@acme.example", "new@acme.example"],
      2: ["week@acme.example", "two-days@acme.example"],
      3: ["old@acme.example", "bounced@acme.example"]}),
    ("an expired invitation is no longer open", _expired, (0, 0, 0), {3: []}),
]


@pytest.mark.parametrize(("steps", "counts", "members"), [c[1:] for c in AGE_CASES],
                         ids=[c[0] for c in AGE_CASES])
def test_open_ages(world: World, steps: Step, counts: tuple[int, int, int],
                   members: dict[int, list[str]]) -> None:
    steps(world)
    world.at(NOW)
    view = open_ages(world.ctx)
    assert tuple(b.count for b in view.buckets) == counts
    assert [b.label for b in view.buckets] == ["under 48 hours", "48 hours to 7 days",
                                               "over 7 days"]
    for number, emails in members.items():
        assert [r.email for r in open_aged(world.ctx, number)] == emails


def test_open_aged_keeps_its_limit_oldest_first(world: World) -> None:
    for n in range(5):
        world.at(NOW - timedelta(hours=10 - n)).invite(f"u{n}@acme.example")
    world.at(NOW)
    assert [r.email for r in open_aged(world.ctx, 1, limit=2)] == ["u0@acme.example",
                                                                   "u1@acme.example"]
    with pytest.raises(ValueError):
        open_aged(world.ctx, 4)
