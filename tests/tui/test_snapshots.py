"""Snapshots of the main screens at 80x24 and 120x40 (fixed clock, fixed data).

Update after an intended change of the look: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.accept import accept
from models.context import Ctx
from models.scans import scan_overdue
from models.timeutil import FixedClock
from models.views import StaffRef
from tests.tui.conftest import Data, settle, until
from tests.tui.helpers_accept import tokens
from tui.app import LicenseDeskApp

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def lived_in(ctx: Ctx, staff: StaffRef, clock: FixedClock, data: Data) -> LicenseDeskApp:
    """An hour later Bob accepted; two days later the others are overdue."""
    links = tokens(ctx)
    clock.advance(timedelta(hours=1))
    accept(ctx, links["bob@acme.example"], "Bob Builder", "correct horse battery")
    clock.advance(timedelta(hours=48))
    scan_overdue(ctx)
    return LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)


def _before(*keys: str, license_tab: str | None = None) -> Any:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        if license_tab:
            pilot.app.open_license(1, license_tab)
            await settle(pilot)
            # The tab's rows come from a worker; on a busy machine the first settle may end
            # before they are in and laid out (the History columns were seen squashed).
            if license_tab in ("users", "history"):
                table = f"#{license_tab}-table"
                await until(pilot, lambda: bool(pilot.app.screen.query(table))
                            and pilot.app.screen.query_one(table).row_count > 0)
                await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        # A table sizes its columns for new rows when it is next idle: on a busy machine the
        # picture was taken before, every column as wide as its header (Needs attention).
        await until(pilot, lambda: columns_fit(pilot.app))

    return run


def columns_fit(app: Any) -> bool:
    """Every column of every table on the screen is as wide as its widest cell."""
    from rich.text import Text
    from textual.widgets import DataTable

    for table in app.screen.query(DataTable):
        for key, column in table.columns.items():
            cells = [c.cell_len if isinstance(c, Text) else len(str(c))
                     for c in table.get_column(key)]
            if cells and column.content_width < max(cells):
                return False
    return True


@pytest.mark.parametrize("size", SIZES)
def test_clients(snap_compare: Any, lived_in: LicenseDeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size, run_before=_before())


@pytest.mark.parametrize("size", SIZES)
def test_clients_filtered(snap_compare: Any, lived_in: LicenseDeskApp,
                          size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size, run_before=_before("/", *"client 0"))


@pytest.mark.parametrize("size", SIZES)
def test_license_summary(snap_compare: Any, lived_in: LicenseDeskApp,
                         size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size, run_before=_before(license_tab="summary"))


@pytest.mark.parametrize("size", SIZES)
def test_license_users(snap_compare: Any, lived_in: LicenseDeskApp,
                       size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size,
                        run_before=_before("down", "space", license_tab="users"))


@pytest.mark.parametrize("size", SIZES)
def test_license_history(snap_compare: Any, lived_in: LicenseDeskApp,
                         size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size, run_before=_before(license_tab="history"))


@pytest.mark.parametrize("size", SIZES)
def test_alerts(snap_compare: Any, lived_in: LicenseDeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size, run_before=_before("a"))


@pytest.mark.parametrize("size", SIZES)
def test_needs_attention(snap_compare: Any, lived_in: LicenseDeskApp,
                         size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size, run_before=_before("w"))


@pytest.mark.parametrize("size", SIZES)
def test_needs_attention_age_filter(snap_compare: Any, lived_in: LicenseDeskApp,
                                    size: tuple[int, int]) -> None:
    """The second age bar chosen: marked ▶, said in words on the status line."""
    assert snap_compare(lived_in, terminal_size=size, run_before=_before("w", "2"))


@pytest.mark.parametrize("size", SIZES)
def test_remind_confirm(snap_compare: Any, lived_in: LicenseDeskApp,
                        size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size,
                        run_before=_before("m", license_tab="summary"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, lived_in: LicenseDeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(lived_in, terminal_size=size, run_before=_before("question_mark"))
