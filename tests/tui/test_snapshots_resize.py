"""Snapshots after the window shrank from 120x40 to 80x24: the columns and the footer fit the
new width as a fresh 80x24 start has them (fixed clock, fixed data, as test_snapshots).

Update after an intended change of the look:
pytest tests/tui/test_snapshots_resize.py --snapshot-update
"""

from __future__ import annotations

from typing import Any

from tests.tui.conftest import settle, until
from tests.tui.test_snapshots import lived_in
from tui.app import LicenseDeskApp

__all__ = ["lived_in"]  # the fixture, shared with test_snapshots


def _shrunk(license_tab: str | None = None) -> Any:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        table = "#orgs"
        if license_tab:
            pilot.app.open_license(1, license_tab)
            table = f"#{license_tab}-table"
            await settle(pilot)
        await until(pilot, lambda: bool(pilot.app.screen.query(table))
                    and pilot.app.screen.query_one(table).row_count > 0)
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)

    return run


def test_clients_after_shrinking(snap_compare: Any, lived_in: LicenseDeskApp) -> None:
    assert snap_compare(lived_in, terminal_size=(120, 40), run_before=_shrunk())


def test_license_users_after_shrinking(snap_compare: Any, lived_in: LicenseDeskApp) -> None:
    assert snap_compare(lived_in, terminal_size=(120, 40), run_before=_shrunk("users"))
