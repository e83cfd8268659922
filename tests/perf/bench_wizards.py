"""Wizard speed: checking pasted rows against a big license, and a 50-address paste in the
invite wizard against a bare Textual screen mounting 50 Inputs, measured in the same run.

    .venv/bin/python tests/perf/bench_wizards.py [--runs 5]

Prints `name value unit target ok|short` lines; for the paste, the bare figure, the
wizard's and their ratio (medians of fresh processes, bare and wizard alternating).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="bench-wizards-")
os.environ["LICENSEDESK_CONFIG"] = f"{_tmp}/config.toml"
os.environ["LICENSEDESK_DATA_DIR"] = _tmp
os.environ["LICENSEDESK_STAFF_EMAIL"] = "bench@partner.example"
os.environ["LICENSEDESK_STAFF_NAME"] = "Bench"
os.environ["LICENSEDESK_RATE_LIMIT_PER_ORG"] = "100000"

from models.context import Ctx  # noqa: E402
from models.invitations import invite, preview_invites  # noqa: E402
from models.staff import ensure_staff  # noqa: E402
from models.views import InviteRequest  # noqa: E402
from tests.perf.probe_kit import alternate, line, median_of, ratio_lines  # noqa: E402
from tests.tui.wizard_helpers import make_license, make_org  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="processes of each kind")
    args = parser.parse_args()
    ctx = Ctx.open()
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
    ctx.db.dispose()
    preview = statistics.median(times)
    line("preview_50_rows_on_1000_invitations_median", preview, "ms", "<=100", preview <= 100)

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    got = alternate(lambda kind: [sys.executable, str(HERE / "paste_probe.py"), kind,
                                  str(lic)], args.runs, env, ("bare", "ours", "shaped"))
    ratio_lines("paste_50_addresses_to_all_rows_marked", median_of(got["bare"], "paste_ms"),
                median_of(got["ours"], "paste_ms"), "ms", 1.5)
    # CPU time (the process, all threads) depends less on how busy the machine is.
    line("paste_50_addresses_cpu_bare_textual", median_of(got["bare"], "cpu_ms"), "ms", "-")
    line("paste_50_addresses_cpu_console", median_of(got["ours"], "cpu_ms"), "ms", "-")
    # For scale, no target: 50 rows of stock widgets laid out as the wizard's (an Input and
    # five Statics each) cost this much to mount and paint, without checking anything.
    line("paste_50_addresses_bare_textual_rows_shaped_as_ours",
         median_of(got["shaped"], "paste_ms"), "ms", "-")
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
