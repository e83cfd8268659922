"""Console speed and memory against `licensedesk demo-data --orgs 100000` (~1M invitations).

    .venv/bin/python tests/perf/bench_console.py [--runs 5]

The database is built once into a cache directory (LICENSEDESK_BENCH_DIR, default
~/.cache/licensedesk-bench/orgs100000) and reused. Prints `name value unit target ok|short`.

- start_ratio_first_frame / start_ratio_rows_painted: start to the first painted Clients
  screen (table, "Loading…"), and to its first page of rows, over the same for a bare Textual
  app with a Header, a DataTable (100 rows) and a Footer; both in a real pseudo-terminal, run
  alternately, medians compared. The database layer loads once that first page has painted.
- filter_keystroke: a key typed in the Clients filter to the repainted list (median of 25
  keys: common, rare and absent terms, backspaces).
- open_license_1000: opening a license with 1,000 users on its Users tab.
- cursor_move: one `down` in that Users table to the repaint (median); a frame is 1/60 s.
- rss_mb: resident memory after Clients, that license and its Users tab.
The interactive figures are medians over three fresh processes (the host is shared).
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

ROOT = Path(__file__).resolve().parents[2]
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

_START_OURS = """
import sys, time
t0 = float(sys.argv[1]); out = sys.argv[2]
import tui.screens.clients as clients
first_out = out + ".frame"
mounted = clients.ClientsScreen.on_mount
def on_mount(self):
    mounted(self)
    self.call_after_refresh(lambda: open(first_out, "w").write(str(time.time() - t0)))
clients.ClientsScreen.on_mount = on_mount
shown = clients.ClientsScreen._show
def _show(self, page):
    shown(self, page)
    if page.rows and not getattr(self.app, "_bench_done", False):
        self.app._bench_done = True
        def painted():
            open(out, "w").write(str(time.time() - t0))
            self.app.exit()
        self.call_after_refresh(painted)
clients.ClientsScreen._show = _show
from tui.cli.main import main
main([])
"""

_START_BARE = """
import sys, time
t0 = float(sys.argv[1]); out = sys.argv[2]
from textual.app import App
from textual.widgets import DataTable, Footer, Header
class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()
    def on_mount(self):
        t = self.query_one(DataTable)
        t.add_columns("Organization", "Client", "Client e-mail", "DC", "Lic", "Attn")
        t.add_rows([[f"Org {i}", "Client", "client@example.com", "US", "1", "-"]
                    for i in range(100)])
        def painted():
            open(out, "w").write(str(time.time() - t0))
            self.exit()
        self.call_after_refresh(painted)
Bare().run()
"""


def _in_pty(script: str, tag: str) -> tuple[float, float]:
    """(seconds to the first frame, seconds to the first frame with rows)."""
    out = bench_dir() / f"start-{tag}.txt"
    frame = Path(f"{out}.frame")
    out.unlink(missing_ok=True)
    frame.unlink(missing_ok=True)
    master, slave = pty.openpty()
    os.set_blocking(master, True)
    import fcntl
    import struct
    import termios

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
    proc = subprocess.Popen([PY, "-c", script, repr(t0), str(out)], stdin=slave, stdout=slave,
                            stderr=slave, env=bench_env(), cwd=ROOT, start_new_session=True)
    try:
        proc.wait(timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    if not out.exists():
        raise SystemExit(f"{tag} start did not report a painted frame (exit {proc.returncode})")
    rows = float(out.read_text())
    return (float(frame.read_text()) if frame.exists() else rows), rows


# -- in-process measurements (headless Pilot, real keys) -------------------------------------

_INTERACTIVE = """
import asyncio, json, os, statistics, sys, time
os.environ.setdefault("LICENSEDESK_BLINK", "0")  # no cursor blink while measuring
big = int(sys.argv[1])
from textual import events
from models.context import Ctx
from models.staff import ensure_staff
import tui.screens.clients as clients
from tui.screens import license as license_screen
from tui.app import LicenseDeskApp
from tui.panes.users import UsersTable

# A repaint is stamped by call_after_refresh from the code that fills each table.
stamps = []
shown = clients.ClientsScreen._show
def _show(self, page):
    shown(self, page)
    self.call_after_refresh(lambda: stamps.append(time.perf_counter()))
clients.ClientsScreen._show = _show
painted = []
lshow = license_screen.LicenseScreen._show
def _lshow(self, loaded):
    lshow(self, loaded)
    self.call_after_refresh(lambda: painted.append(time.perf_counter()))
license_screen.LicenseScreen._show = _lshow

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

async def until(check, timeout=30):
    end = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > end:
            raise SystemExit("timed out")
        await asyncio.sleep(0.0005)

def key(app, name):
    # What the terminal driver does with a key press; Pilot.press would also wait for idle.
    char = name if len(name) == 1 else None
    event = events.Key(name, char)
    event.set_sender(app)
    app._driver.send_message(event)

async def main():
    ctx = Ctx.open()
    app = LicenseDeskApp(ctx=ctx, staff=ensure_staff(ctx), start_mail=False)
    result = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: stamps)
        await app.workers.wait_for_complete()
        await pilot.press("slash")
        lat = []
        for name in [*"atlas", "backspace", "backspace", *"pine", *"zq", "backspace",
                     "backspace", *"supply", "ctrl+u", *"ada"]:
            before = len(stamps)
            t = time.perf_counter()
            key(app, name)
            await until(lambda: len(stamps) > before)
            lat.append((stamps[-1] - t) * 1000)
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
        result["filter_ms"] = statistics.median(lat)
        result["filter_max_ms"] = max(lat)
        await pilot.press("escape")
        await app.workers.wait_for_complete()

        t = time.perf_counter()
        app.open_license(big, "users")
        await until(lambda: painted)
        result["open_ms"] = (painted[0] - t) * 1000
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        table = app.screen.query_one(UsersTable)
        result["users_rows"] = table.row_count
        moves = []
        for _ in range(40):
            row = table.cursor_row
            t = time.perf_counter()
            key(app, "down")
            await until(lambda: table.cursor_row == row + 1)
            done = []
            table.call_after_refresh(lambda: done.append(time.perf_counter()))
            await until(lambda: done)
            moves.append((done[0] - t) * 1000)
            await pilot.pause(0.02)
        result["cursor_ms"] = statistics.median(moves)
        await app.workers.wait_for_complete()
        result["rss_mb"] = rss_mb()
    print(json.dumps(result))

asyncio.run(main())
"""


def line(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name} {value:.1f} {unit} {target} {'ok' if ok else 'short'}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    build()
    if args.build_only:
        return 0
    big = json.loads((bench_dir() / "built.json").read_text())["big_license"]
    _in_pty(_START_BARE, "warm")  # warm the file cache for both
    _in_pty(_START_OURS, "warm")
    bare, frames, rows = [], [], []
    for _ in range(args.runs):
        bare.append(_in_pty(_START_BARE, "bare")[1])
        frame, with_rows = _in_pty(_START_OURS, "ours")
        frames.append(frame)
        rows.append(with_rows)
    b, f, o = statistics.median(bare), statistics.median(frames), statistics.median(rows)
    line("start_bare_textual_rows_painted", b * 1000, "ms", "-", True)
    line("start_console_clients_frame", f * 1000, "ms", "-", True)
    line("start_console_clients_rows_painted", o * 1000, "ms", "-", True)
    line("start_ratio_first_frame", f / b, "x", "<=1.5", f / b <= 1.5)
    line("start_ratio_rows_painted", o / b, "x", "<=1.5", o / b <= 1.5)
    # Three fresh processes; each figure is the median of the three runs' figures.
    runs = []
    for _ in range(3):
        out = subprocess.run([PY, "-c", _INTERACTIVE, str(big)], env=bench_env(), cwd=ROOT,
                             capture_output=True, text=True, timeout=600)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return 1
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    r = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
    line("filter_keystroke_median", r["filter_ms"], "ms", "<=50", r["filter_ms"] <= 50)
    line("filter_keystroke_max", r["filter_max_ms"], "ms", "-", True)
    line("open_license_1000_users", r["open_ms"], "ms", "<=300", r["open_ms"] <= 300)
    line("users_rows_shown", r["users_rows"], "rows", ">=1000", r["users_rows"] >= 1000)
    line("cursor_move_median", r["cursor_ms"], "ms", "<=16.7", r["cursor_ms"] <= 1000 / 60)
    line("rss_after_users_tab", r["rss_mb"], "MB", "<=150", r["rss_mb"] <= 150)
    return 0


if __name__ == "__main__":
    sys.exit(main())
