"""The console while the database is away: one plain status, no exception text, and every
screen showing fresh data once it is back.

Twice: against PostgreSQL really stopped (`pg_ctl stop -m fast`) and started, and on SQLite
with every statement refused by an engine event while the outage lasts (runs everywhere).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from textual.widgets import Static

from models.context import Ctx
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from tests.tui.conftest import make_data, screen_text, settle, table_rows, until
from tui.app import LicenseDeskApp

try:
    from tests.support.pg import pg_url  # noqa: F401  (a session fixture)
    HAVE_PG_SUPPORT = True
except ImportError:
    HAVE_PG_SUPPORT = False

STATUS = "database unreachable, retrying…"
RAW = ("OperationalError", "psycopg", "Connection refused", "connection refused",
       "Traceback", "sqlalche.me", "Something went wrong")


@dataclass
class Outage:
    ctx: Ctx
    go_down: Callable[[], Awaitable[None]]
    come_back: Callable[[], Awaitable[None]]


def _sqlite_outage(ctx: Ctx) -> Iterator[Outage]:
    down = False

    def refuse(*_args: Any, **_kw: Any) -> None:
        if down:
            raise OperationalError("SELECT 1", {}, Exception(
                "connection refused: is the server running on that host?"))

    event.listen(ctx.db.engine, "before_cursor_execute", refuse)

    async def go_down() -> None:
        nonlocal down
        down = True

    async def come_back() -> None:
        nonlocal down
        down = False

    yield Outage(ctx, go_down, come_back)
    event.remove(ctx.db.engine, "before_cursor_execute", refuse)


def _pg_outage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Outage]:
    if not HAVE_PG_SUPPORT:
        pytest.skip("tests/support/pg.py (the pg_url fixture) is not in the tree")
    from tests.support.pg import fresh_database, start_server, stop_server

    server = request.getfixturevalue("pg_url")
    url = fresh_database(server, migrated=True)
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", database_url=url,
                            staff_email="sam@partner.example", staff_name="Sam Support"),
                   clock=FixedClock())
    down = False

    async def go_down() -> None:
        nonlocal down
        down = True
        await asyncio.to_thread(stop_server, server)

    async def come_back() -> None:
        nonlocal down
        await asyncio.to_thread(start_server, server)
        down = False

    try:
        yield Outage(ctx, go_down, come_back)
    finally:
        if down:
            start_server(server)
        ctx.db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def outage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Outage]:
    if request.param == "sqlite":
        yield from _sqlite_outage(request.getfixturevalue("ctx"))
    else:
        yield from _pg_outage(request, tmp_path)


def header_text(app: Any) -> str:
    header = app.screen.query_one("Header")
    return f"{header.screen_title} {header.screen_sub_title}"


def summary_fields(app: Any) -> str:
    return str(app.screen.query_one("#summary-fields", Static).content)


async def test_console_weathers_a_database_outage_and_reloads_every_screen_after(
        outage: Outage, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = outage.ctx
    staff = ensure_staff(ctx)
    data = make_data(ctx, staff)
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)
    toasts: list[str] = []
    notify = app.notify

    def recording_notify(message: str, *args: Any, **kw: Any) -> None:
        toasts.append(f"{kw.get('title', '')}: {message}")
        notify(message, *args, **kw)

    monkeypatch.setattr(app, "notify", recording_notify)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        assert "Acme Analytics" in summary_fields(app)
        assert STATUS not in header_text(app)

        await outage.go_down()
        await until(pilot, lambda: STATUS in str(app.sub_title), timeout=10)
        # Meanwhile the person goes on: back to the clients, a filter, another license.
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("slash", "b", "r", "i", "g", "h", "t")
        await pilot.pause(0.3)
        app.open_license(data.bright_license)
        await pilot.pause(1.5)  # several polls and loads fail meanwhile
        assert summary_fields(app) == "Loading…"  # nothing to show yet, and no error text
        shown = screen_text(app)
        assert shown.count("database unreachable") == 1, shown
        assert STATUS in header_text(app)
        assert not [raw for raw in RAW if raw in shown], shown
        assert toasts == [], toasts

        await outage.come_back()
        await until(pilot, lambda: STATUS not in str(app.sub_title), timeout=20)
        await until(pilot, lambda: "Bright Books" in summary_fields(app), timeout=10)
        await settle(pilot)
        assert "eve@bright.example" in str(table_rows(app, "#users-table"))
        assert STATUS not in header_text(app)
        # The screen beneath reloaded too: the filter typed during the outage now applies.
        await pilot.press("escape")
        await settle(pilot)
        rows = table_rows(app, "#orgs")
        assert [r[0] for r in rows] == ["Bright Books"], rows
        assert "1-1 of 1 matching" in screen_text(app)
        assert toasts == [], toasts


async def test_a_database_deleted_under_the_console_ends_it_with_one_line(
        tmp_path: Path) -> None:
    """Not an outage to wait out: writing on would go into a file nobody else sees."""
    ctx = Ctx.open(Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example",
                            staff_name="Sam Support"), clock=FixedClock())
    staff = ensure_staff(ctx)
    app = LicenseDeskApp(ctx, staff, start_mail=False, poll=0.2)
    db_file = tmp_path / "data" / "licensedesk.db"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for extra in ("", "-wal", "-shm"):
            Path(f"{db_file}{extra}").unlink(missing_ok=True)
        await until(pilot, lambda: bool(app._exit_renderables), timeout=15)
        said = str(app._exit_renderables[0])
    assert app.return_code == 2
    assert said.startswith("licensedesk: ") and "licensedesk.db" in said, said
    assert len(said.splitlines()) == 1
    ctx.db.dispose()
