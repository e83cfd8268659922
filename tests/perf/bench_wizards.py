"""Wizard speed: checking pasted rows against a big license, and a 50-address paste in the UI.

Prints `name value unit target ok|short` lines. Run: .venv/bin/python tests/perf/bench_wizards.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="bench-wizards-")
os.environ["LICENSEDESK_CONFIG"] = f"{_tmp}/config.toml"
os.environ["LICENSEDESK_DATA_DIR"] = _tmp

from textual import events  # noqa: E402

from models.context import Ctx  # noqa: E402
from models.invitations import invite, preview_invites  # noqa: E402
from models.settings import Settings  # noqa: E402
from models.staff import ensure_staff  # noqa: E402
from models.timeutil import FixedClock  # noqa: E402
from models.views import InviteRequest  # noqa: E402
from tests.tui.wizard_helpers import WizardHost, make_license, make_org  # noqa: E402
from tui.screens.invite_wizard import InviteWizard  # noqa: E402
from tui.widgets.invite_rows import InviteRows  # noqa: E402


def line(name: str, value: float, unit: str, target: float) -> None:
    print(f"{name} {value:.1f} {unit} {target:g} {'ok' if value <= target else 'short'}")


def main() -> None:
    settings = Settings(data_dir=Path(_tmp), staff_email="bench@partner.example",
                        staff_name="Bench", rate_limit_per_org=100_000)
    ctx = Ctx.open(settings, clock=FixedClock())
    staff = ensure_staff(ctx)
    lic = make_license(ctx, staff, make_org(ctx, staff), seats=10)
    for start in range(0, 1000, 250):
        invite(ctx, staff, lic, [InviteRequest(f"user{i}@big.example", "Agent")
                                 for i in range(start, start + 250)])
    rows = [InviteRequest(f"new{i}@big.example", "Agent") for i in range(50)]
    times = []
    for _ in range(20):
        t = time.perf_counter()
        preview_invites(ctx, staff, lic, rows)
        times.append((time.perf_counter() - t) * 1000)
    line("preview_50_rows_on_1000_invitations_median", statistics.median(times), "ms", 100)

    async def paste() -> tuple[float, float]:
        app = WizardHost(ctx, staff, lambda: InviteWizard(lic))
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = "\n".join(r.email for r in rows)
            t, cpu = time.perf_counter(), time.process_time()
            assert app.focused is not None
            app.focused.post_message(events.Paste(text))
            while True:
                await pilot.pause(0.01)
                editor = app.screen.query_one(InviteRows)
                filled = editor.filled()
                if len(filled) == 50 and all(r.outcome is not None for r in filled):
                    return ((time.perf_counter() - t) * 1000,
                            (time.process_time() - cpu) * 1000)

    # Wall time includes the 0.3 s typing debounce before the check; CPU time (this process,
    # all threads) is the figure that does not depend on how busy the machine is.
    wall, cpu = asyncio.run(paste())
    line("paste_50_addresses_to_all_rows_marked", wall, "ms", 1500)
    line("paste_50_addresses_cpu", cpu, "ms", 1000)
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")
    ctx.db.dispose()


if __name__ == "__main__":
    main()
