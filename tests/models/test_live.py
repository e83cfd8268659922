"""Live across hosts: a notification committed on PostgreSQL wakes a listener at once, and
the listener outlives a server restart (issue 14)."""

from __future__ import annotations

import queue
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from models.accept import accept
from models.context import Ctx
from models.desk import Desk
from models.licenses import create_license
from models.notifications import mark_read
from models.organizations import create_organization
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.models.helpers import take_tokens
from tests.support.pg import fresh_database, server_stopped

PASSWORD = "correct horse battery"


@pytest.fixture
def pgctx(pg_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Ctx]:
    url = fresh_database(pg_url, migrated=True)
    c = Ctx.open(Settings(data_dir=tmp_path / "data", database_url=url,
                          staff_email="sam@partner.example", staff_name="Sam Support"),
                 clock=clock)
    yield c
    c.db.dispose()


def invite(ctx: Ctx, staff: StaffRef, n: int) -> list[str]:
    """`n` invitations sent by `staff`; their tokens, in order."""
    org = create_organization(ctx, staff, name="Acme Robotics", client_name="Olivia Owner",
                              client_email="olivia@acme.example")
    emails = [f"user{i}@acme.example" for i in range(n)]
    create_license(ctx, staff, organization_id=org, product_key="helpdesk",
                   invites=[InviteRequest(e, "Agent") for e in emails])
    tokens = take_tokens(ctx)
    return [tokens[e] for e in emails]


class Heard:
    """What a listener said, with when (monotonic), from its thread."""

    def __init__(self) -> None:
        self.wakes: queue.Queue[tuple[bool, float]] = queue.Queue()
        self.states: list[bool] = []
        self.changed = threading.Condition()

    def wake(self, mine: bool) -> None:
        self.wakes.put((mine, time.monotonic()))

    def state(self, healthy: bool) -> None:
        with self.changed:
            self.states.append(healthy)
            self.changed.notify_all()

    def until(self, check: Callable[[], bool], timeout: float = 30.0) -> None:
        with self.changed:
            assert self.changed.wait_for(check, timeout), f"states so far: {self.states}"


def listening(ctx: Ctx, staff: StaffRef, heard: Heard) -> Callable[[], None]:
    stop = Desk(ctx, staff).listen(heard.wake, heard.state)
    assert stop is not None
    heard.until(lambda: heard.states[-1:] == [True])
    return stop


def listen_connections(ctx: Ctx) -> int:
    with ctx.db.read() as s:
        return int(s.execute(text("SELECT count(*) FROM pg_stat_activity "
                                  "WHERE query ILIKE 'LISTEN%'")).scalar_one())


def test_an_acceptance_reaches_a_listener_within_300_ms_of_its_commit(pgctx: Ctx) -> None:
    me = ensure_staff(pgctx)
    tokens = invite(pgctx, me, 5)
    heard = Heard()
    stop = listening(pgctx, me, heard)
    try:
        late = []
        for token in tokens:
            accept(pgctx, token, "Bob Builder", PASSWORD)
            committed = time.monotonic()
            mine, at = heard.wakes.get(timeout=10)
            assert mine
            late.append(max(0.0, at - committed))
        # The median: a loaded machine may stall one round, not the mechanism.
        assert statistics.median(late) <= 0.3, late
    finally:
        stop()


def test_a_wake_for_someone_else_is_not_mine_and_says_nothing_personal(pgctx: Ctx) -> None:
    me = ensure_staff(pgctx)
    other = ensure_staff(pgctx, "olga@partner.example", "Olga Other")
    token = invite(pgctx, other, 1)[0]
    payloads: queue.Queue[str] = queue.Queue()
    from models.live import Listener

    raw = Listener.for_database(pgctx.db, payloads.put).start()
    heard = Heard()
    stop = listening(pgctx, me, heard)
    try:
        accept(pgctx, token, "Bob Builder", PASSWORD)
        assert heard.wakes.get(timeout=10)[0] is False
        assert payloads.get(timeout=10) == str(other.id)  # the staff id, nothing a person wrote
        # Reading alerts elsewhere wakes that person's consoles too (their unread count).
        assert mark_read(pgctx, me.id or 0) == 0
        assert mark_read(pgctx, other.id or 0) == 1
        assert payloads.get(timeout=10) == str(other.id)
    finally:
        stop()
        raw.stop()


def test_the_listener_survives_a_server_restart(pg_url: str, pgctx: Ctx) -> None:
    me = ensure_staff(pgctx)
    token = invite(pgctx, me, 1)[0]
    heard = Heard()
    stop = listening(pgctx, me, heard)
    try:
        with server_stopped(pg_url):
            heard.until(lambda: heard.states[-1] is False)
        heard.until(lambda: heard.states[-1] is True)  # reconnected by itself
        assert heard.states == [True, False, True]
        accept(pgctx, token, "Bob Builder", PASSWORD)
        assert heard.wakes.get(timeout=10)[0] is True
    finally:
        stop()


def test_stopping_ends_the_thread_and_its_connection(pgctx: Ctx) -> None:
    me = ensure_staff(pgctx)
    heard = Heard()
    stop = listening(pgctx, me, heard)
    assert listen_connections(pgctx) == 1
    stop()
    assert not [t for t in threading.enumerate() if t.name == "licensedesk-live"]
    deadline = time.monotonic() + 10
    while listen_connections(pgctx) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listen_connections(pgctx) == 0
    assert heard.states == [True]  # nothing said after stop


def test_on_sqlite_there_is_nothing_to_listen_to(ctx: Ctx, staff: StaffRef) -> None:
    assert Desk(ctx, staff).listen(lambda _m: None, lambda _h: None) is None
    tokens = invite(ctx, staff, 1)
    accept(ctx, tokens[0], "Bob Builder", PASSWORD)  # no pg_notify on SQLite
    assert Desk(ctx, staff).alerts_after(0)[1] == 1
