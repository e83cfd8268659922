"""One fresh process of the paste figure: `paste_probe.py ours|bare|shaped LICENSE_ID`.

Headless, 120x40: 50 addresses, one per line, pasted as the terminal driver delivers a
bracketed paste. Prints one JSON line: paste_ms (the paste to the frame that shows the
outcome), cpu_ms (this process's CPU time meanwhile).

`ours`: the invite wizard on license LICENSE_ID (the database `bench_wizards` made, in
LICENSEDESK_DATA_DIR), until every row is marked with the desk's verdict and painted;
`bare`: a stock screen that mounts one Input per address (`bare_textual.BarePaste`);
`shaped`: the same with one row of stock widgets laid out as the wizard's per address.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any

from tests.perf.probe_kit import SIZE, report, until

os.environ.setdefault("LICENSEDESK_BLINK", "0")  # no cursor blink while measuring
ADDRESSES = [f"new{i}@big.example" for i in range(50)]


def paste(app: Any) -> None:
    from textual import events

    event = events.Paste("\n".join(ADDRESSES))
    event.set_sender(app)
    app._driver.send_message(event)


async def ours(license_id: int) -> dict[str, float]:
    from models.context import Ctx
    from models.staff import ensure_staff
    from tests.tui.wizard_helpers import WizardHost
    from tui.screens.invite_wizard import InviteWizard
    from tui.widgets.invite_rows import InviteRows

    painted: list[float] = []
    marked = InviteRows.mark

    def mark(self: InviteRows, outcomes: Any) -> None:
        marked(self, outcomes)
        filled = self.filled()
        if not painted and len(filled) == len(ADDRESSES) and \
                all(r.outcome is not None for r in filled):
            self.call_after_refresh(lambda: painted.append(time.perf_counter()))

    InviteRows.mark = mark  # type: ignore[method-assign]
    ctx = Ctx.open()
    app = WizardHost(ctx, ensure_staff(ctx), lambda: InviteWizard(license_id))
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.screen.query(InviteRows))
        await app.workers.wait_for_complete()
        await pilot.pause()
        t, cpu = time.perf_counter(), time.process_time()
        paste(app)
        await until(lambda: painted)
        result = {"paste_ms": (painted[0] - t) * 1000, "cpu_ms": (time.process_time() - cpu) * 1000}
    ctx.db.dispose()
    return result


async def bare(_license_id: int, shaped: bool = False) -> dict[str, float]:
    from tests.perf.bare_textual import BarePaste, bare_app

    painted: list[float] = []
    app = bare_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(BarePaste(lambda: painted.append(time.perf_counter()), shaped))
        await pilot.pause()
        t, cpu = time.perf_counter(), time.process_time()
        paste(app)
        await until(lambda: painted)
        return {"paste_ms": (painted[0] - t) * 1000, "cpu_ms": (time.process_time() - cpu) * 1000}


async def shaped(license_id: int) -> dict[str, float]:
    return await bare(license_id, shaped=True)


if __name__ == "__main__":
    run = {"ours": ours, "bare": bare, "shaped": shaped}[sys.argv[1]]
    report(asyncio.run(run(int(sys.argv[2]))))
