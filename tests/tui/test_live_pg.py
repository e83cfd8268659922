"""On PostgreSQL the console hears of a notification the moment it is committed elsewhere
(LISTEN/NOTIFY), polls slowly meanwhile, and polls at its usual pace while the listener is
cut off (issue 14). On SQLite the poll alone."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from models.accept import accept
from models.context import Ctx
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from tests.support.pg import fresh_database, pg_url, start_server, stop_server  # noqa: F401
from tests.tui.conftest import Data, make_data, settle, table_rows, until
from tests.tui.helpers_accept import tokens
from tui.app import LicenseDeskApp
from tui.status import DATABASE_DOWN, LIVE_POLL

PASSWORD = "correct horse battery"


@pytest.fixture
def pg(pg_url: str, tmp_path: Path) -> Iterator[tuple[Ctx, Ctx]]:  # noqa: F811
    """The console's ctx, and another one on the same database: another connection."""
    url = fresh_database(pg_url, migrated=True)
    settings = Settings(data_dir=tmp_path / "data", database_url=url,
                        staff_email="sam@partner.example", staff_name="Sam Support")
    mine, other = Ctx.open(settings, clock=FixedClock()), Ctx.open(settings, clock=FixedClock())
    yield mine, other
    other.db.dispose()
    mine.db.dispose()


def listeners(ctx: Ctx) -> int:
    with ctx.db.read() as s:
        return int(s.execute(text("SELECT count(*) FROM pg_stat_activity "
                                  "WHERE query ILIKE 'LISTEN%'")).scalar_one())


def live_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "licensedesk-live" and t.is_alive()]


def toasted(app: LicenseDeskApp, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


async def test_an_acceptance_elsewhere_toasts_long_before_the_poll(
        pg: tuple[Ctx, Ctx]) -> None:
    ctx, other = pg
    staff = ensure_staff(ctx)
    data: Data = make_data(ctx, staff)
    token = tokens(ctx)["bob@acme.example"]
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=30.0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license, "users")
        await settle(pilot)
        await until(pilot, lambda: app._alerts_primed and listeners(ctx) == 1, timeout=15)
        assert table_rows(app, "#users-table")[1][3] == "○ pending"

        started = time.monotonic()
        await asyncio.to_thread(accept, other, token, "Bob Builder", PASSWORD)
        # The poll's next look is 30 s away: only the wake-up can bring it this soon.
        await until(pilot, lambda: toasted(app, "bob@acme.example accepted"), timeout=10)
        assert time.monotonic() - started < 10
        assert next(n for n in app._notifications if "accepted" in n.message).title == "Accepted"
        # The open license looks again too (its version poll is 30 s as well).
        await until(pilot, lambda: any(r[3] == "● active" and "bob@acme.example" in r[1]
                                       for r in table_rows(app, "#users-table")), timeout=10)
        assert app.unread == 1
    # Leaving the console ends the listener and its connection.
    for _ in range(100):
        if not live_threads() and listeners(ctx) == 0:
            break
        await asyncio.sleep(0.05)
    assert live_threads() == []
    assert listeners(ctx) == 0


async def test_the_poll_takes_over_while_the_listener_is_cut_off(
        pg: tuple[Ctx, Ctx], pg_url: str) -> None:  # noqa: F811
    ctx, other = pg
    staff = ensure_staff(ctx)
    make_data(ctx, staff)
    token = tokens(ctx)["carol@acme.example"]
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.alerts_every == LIVE_POLL, timeout=15)

        await asyncio.to_thread(stop_server, pg_url)
        try:
            # The listener lost its connection: the poll is back at its pace, and it is what
            # notices the outage (at LIVE_POLL it could not within this time).
            await until(pilot, lambda: app.alerts_every == 0.2, timeout=10)
            await until(pilot, lambda: DATABASE_DOWN in str(app.sub_title), timeout=5)
        finally:
            await asyncio.to_thread(start_server, pg_url)

        await until(pilot, lambda: app.alerts_every == LIVE_POLL, timeout=30)
        await until(pilot, lambda: DATABASE_DOWN not in str(app.sub_title), timeout=10)
        await asyncio.to_thread(accept, other, token, "Carol C", PASSWORD)
        await until(pilot, lambda: toasted(app, "carol@acme.example accepted"), timeout=10)


async def test_on_sqlite_the_poll_alone(app: LicenseDeskApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)
        assert app.alerts_every == app.poll == 0.2
        assert live_threads() == []
