"""Console speed and memory against `licensedesk demo-data --orgs 100000` (~1M invitations),
each figure beside the same figure for a bare Textual equivalent (`bare_textual`) measured in
the same run: bare and console processes alternate, and medians of fresh processes compare.

    .venv/bin/python tests/perf/bench_console.py [--runs 5]

The database is built once into a cache directory (LICENSEDESK_BENCH_DIR, default
~/.cache/licensedesk-bench/orgs100000) and reused. Prints `name value unit target ok|short`:
for each figure the bare one, the console's, and their ratio.

- start: process start to the first page of Clients rows painted, in a real pseudo-terminal
  (120x40), against a bare app with a Header, a DataTable of one page (`PAGE` rows) and a
  Footer: <= 1.2x.
- filter_keystroke: a key typed in the Clients filter to the repainted list (median of 25
  keys: common, rare and absent terms, backspaces), against the bare app filtering every
  organization from an in-memory list into a table of the same page: <= 1.5x, and <= 35 ms.
- open_license_1000: a license with 1,000 users pushed on its Users tab to those rows painted,
  against a bare screen with TabbedContent and a 1,000-row DataTable: <= 1.3x.
- cursor_move: one `down` in that Users table to the repaint (median): one frame (1/60 s).
- rss_after_users_tab: resident memory after Clients, that license and its Users tab.
The interactive figures are taken headless (Pilot, keys through the driver), 120x40.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.perf.probe_kit import alternate, line, median_of, ratio_lines  # noqa: E402

PY = sys.executable
ORGS = 100_000
BENCH_STAFF = "bench@partner.example"
BIG_ORG = "Benchmark Thousand Users Ltd"


def bench_dir() -> Path:
    explicit = os.environ.get("LICENSEDESK_BENCH_DIR")
    if explicit:
        return Path(explicit)
    return Path.home() / ".cache" / "licensedesk-bench" / f"orgs{ORGS}"


def bench_env() -> dict[str, str]:
    d = bench_dir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LICENSEDESK_")}
    env.update(LICENSEDESK_DATA_DIR=str(d / "data"), LICENSEDESK_CONFIG=str(d / "config.toml"),
               LICENSEDESK_STAFF_EMAIL=BENCH_STAFF, LICENSEDESK_STAFF_NAME="Bench Staff",
               LICENSEDESK_RATE_LIMIT_PER_ORG="5000", TERM="xterm-256color",
               COLUMNS="120", LINES="40", PYTHONPATH=str(ROOT))
    env.pop("NO_COLOR", None)
    return env


def build() -> None:
    """The demo database plus one license with 1,000 invitations, once."""
    d = bench_dir()
    done = d / "built.json"
    if done.exists():
        return
    d.mkdir(parents=True, exist_ok=True)
    print(f"# building the benchmark database in {d} (once)", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run([str(Path(PY).with_name("licensedesk")), "demo-data", "--orgs", str(ORGS)],
                   env=bench_env(), check=True)
    out = subprocess.run([PY, "-c", _BIG_LICENSE], env=bench_env(), check=True,
                         capture_output=True, text=True).stdout
    done.write_text(json.dumps({"big_license": int(out.strip().splitlines()[-1]),
                                "seconds": round(time.perf_counter() - started)}))


_BIG_LICENSE = f"""
from models.context import Ctx
from models.licenses import create_license
from models.organizations import create_organization
from models.staff import ensure_staff
from models.views import InviteRequest
ctx = Ctx.open()
me = ensure_staff(ctx)
org = create_organization(ctx, me, name={BIG_ORG!r}, client_name="Thea Thousand",
                          client_email="thea@thousand.example")
rows = [InviteRequest(f"user{{i:04d}}@thousand.example", "Agent") for i in range(1000)]
lic, _ = create_license(ctx, me, organization_id=org, product_key="helpdesk", paid=True,
                        plan="business", seats=1000, invites=rows)
print(lic)
"""


# -- start-up, in a real pseudo-terminal ---------------------------------------------------


def _in_pty(kind: str, tag: str) -> float:
    """Seconds from spawning `start_probe.py kind` to its first page of rows painted."""
    import fcntl
    import struct
    import termios

    from tui.early import PAGE

    out = bench_dir() / f"start-{tag}.txt"
    out.unlink(missing_ok=True)
    master, slave = pty.openpty()
    os.set_blocking(master, True)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

    def drain() -> None:
        while True:
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    t0 = time.time()
    proc = subprocess.Popen([PY, str(HERE / "start_probe.py"), kind, repr(t0), str(out),
                             str(PAGE)], stdin=slave, stdout=slave, stderr=slave,
                            env=bench_env(), cwd=ROOT, start_new_session=True)
    try:
        proc.wait(timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    if not out.exists():
        raise SystemExit(f"{tag} start did not report a painted frame (exit {proc.returncode})")
    return float(out.read_text())


def start_figures(runs: int) -> None:
    # Our modules compiled as Textual's are (pip compiles what it installs; `make run` too).
    subprocess.run([PY, "-m", "compileall", "-q", "tui", "models", "mailer", "signup"],
                   cwd=ROOT, check=True)
    _in_pty("bare", "warm")  # warm the file cache for both
    _in_pty("ours", "warm")
    bare, ours = [], []
    for _ in range(runs):
        bare.append(_in_pty("bare", "bare"))
        ours.append(_in_pty("ours", "ours"))
    ratio_lines("start_rows_painted", statistics.median(bare) * 1000,
                statistics.median(ours) * 1000, "ms", 1.2)


def interactive_figures(runs: int, big: int) -> None:
    got = alternate(lambda kind: [PY, str(HERE / "console_probe.py"), kind, str(big)],
                    runs, bench_env())
    bare, ours = got["bare"], got["ours"]
    f_ours = median_of(ours, "filter_ms")
    ratio_lines("filter_keystroke_median", median_of(bare, "filter_ms"), f_ours, "ms", 1.5)
    line("filter_keystroke_median", f_ours, "ms", "<=35", f_ours <= 35)
    line("filter_keystroke_max_bare_textual", median_of(bare, "filter_max_ms"), "ms", "-")
    line("filter_keystroke_max_console", median_of(ours, "filter_max_ms"), "ms", "-")
    ratio_lines("open_license_1000_users", median_of(bare, "open_ms"),
                median_of(ours, "open_ms"), "ms", 1.3)
    rows = median_of(ours, "users_rows")
    line("users_rows_shown", rows, "rows", ">=1000", rows >= 1000)
    cursor = median_of(ours, "cursor_ms")
    line("cursor_move_median_bare_textual", median_of(bare, "cursor_ms"), "ms", "-")
    line("cursor_move_median_console", cursor, "ms", "<=16.7", cursor <= 1000 / 60)
    rss = median_of(ours, "rss_mb")
    # The bare app holds every organization in memory besides: its figure is only a guide.
    line("rss_after_users_tab_bare_textual", median_of(bare, "rss_mb"), "MB", "-")
    line("rss_after_users_tab_console", rss, "MB", "<=120", rss <= 120)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="processes of each kind")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--only", choices=("start", "interactive"))
    args = parser.parse_args()
    build()
    if args.build_only:
        return 0
    big = json.loads((bench_dir() / "built.json").read_text())["big_license"]
    if args.only != "interactive":
        start_figures(args.runs)
    if args.only != "start":
        interactive_figures(args.runs, big)
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
