"""One fresh process of the interactive figures: `console_probe.py ours|bare LICENSE_ID`.

Headless, 120x40, real keys through the driver. Prints one JSON line:
filter_ms / filter_max_ms (a key typed in the Clients filter to the repainted list),
open_ms (a screen pushed to its first rows of Users painted), users_rows, cursor_ms (one
`down` in that table to the repaint), rss_mb (after Clients, the license and its Users tab).

`ours` is the console on the benchmark database; `bare` the stock Textual equivalents
(`bare_textual`), given the same organizations in memory and 1,000 user rows.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import sys
import time
from typing import Any

from tests.perf.probe_kit import FILTER_KEYS, SIZE, cursor_moves, key, report, rss_mb, until

os.environ.setdefault("LICENSEDESK_BLINK", "0")  # no cursor blink while measuring


async def filter_keys(app: Any, pilot: Any, stamps: list[float]) -> dict[str, float]:
    await pilot.press("slash")
    lat = []
    for name in FILTER_KEYS:
        before = len(stamps)
        t = time.perf_counter()
        key(app, name)
        await until(lambda before=before: len(stamps) > before)
        lat.append((stamps[-1] - t) * 1000)
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
    await pilot.press("escape")
    await app.workers.wait_for_complete()
    return {"filter_ms": statistics.median(lat), "filter_max_ms": max(lat)}


async def ours(big: int) -> dict[str, float]:
    import tui.screens.clients as clients
    from models.context import Ctx
    from models.staff import ensure_staff
    from tui.app import LicenseDeskApp
    from tui.panes.users import UsersTable
    from tui.screens import license as license_screen

    stamps: list[float] = []
    shown = clients.ClientsScreen._show

    def _show(self: Any, page: Any) -> None:
        shown(self, page)
        self.call_after_refresh(lambda: stamps.append(time.perf_counter()))

    clients.ClientsScreen._show = _show  # type: ignore[method-assign]
    painted: list[float] = []
    lshow = license_screen.LicenseScreen._show

    def _lshow(self: Any, loaded: Any) -> None:
        lshow(self, loaded)
        self.call_after_refresh(lambda: painted.append(time.perf_counter()))

    license_screen.LicenseScreen._show = _lshow  # type: ignore[method-assign]

    ctx = Ctx.open()
    app = LicenseDeskApp(ctx=ctx, staff=ensure_staff(ctx), start_mail=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: stamps)
        await app.workers.wait_for_complete()
        result = await filter_keys(app, pilot, stamps)
        t = time.perf_counter()
        app.open_license(big, "users")
        await until(lambda: painted)
        result["open_ms"] = (painted[0] - t) * 1000
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        table = app.screen.query_one(UsersTable)
        result["users_rows"] = table.row_count
        result["cursor_ms"] = await cursor_moves(app, table, pilot)
        await app.workers.wait_for_complete()
        result["rss_mb"] = rss_mb()
    return result


def bench_orgs() -> list[tuple[str, tuple[str, ...]]]:
    """Every organization of the benchmark database, read once before the app starts: what
    the bare app filters in memory (the list's order is the console's, by name)."""
    path = os.path.join(os.environ["LICENSEDESK_DATA_DIR"], "licensedesk.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [(search, (name, client, email, dc.upper(), "1", "-"))
                for search, name, client, email, dc in db.execute(
                    "SELECT search_key, name, client_name, client_email, data_center "
                    "FROM organization ORDER BY name_key, id")]


async def bare(_big: int) -> dict[str, float]:
    from textual.widgets import DataTable

    from tests.perf.bare_textual import BareClients, BareLicense, user_rows
    from tui.early import PAGE

    stamps: list[float] = []
    app = BareClients(bench_orgs(), PAGE, stamps, time.perf_counter)
    users = user_rows(1000)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: stamps)
        result = await filter_keys(app, pilot, stamps)
        painted: list[float] = []
        t = time.perf_counter()
        app.push_screen(BareLicense(users, lambda: painted.append(time.perf_counter())))
        await until(lambda: painted)
        result["open_ms"] = (painted[0] - t) * 1000
        await pilot.pause(0.2)
        table = app.screen.query_one("#users-table", DataTable)
        result["users_rows"] = table.row_count
        result["cursor_ms"] = await cursor_moves(app, table, pilot)
        result["rss_mb"] = rss_mb()
    return result


if __name__ == "__main__":
    run = ours if sys.argv[1] == "ours" else bare
    report(asyncio.run(run(int(sys.argv[2]))))
