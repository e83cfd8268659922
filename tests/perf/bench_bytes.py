"""Bytes the console writes per action at 80x24, on a real pseudo-terminal (as over SSH).

Run: `make bench` (or `.venv/bin/python tests/perf/bench_bytes.py`). Prints one line per
figure: `name value unit target ok|short`. Targets from issue 15: idle 0 B/s on every screen
and dialog; cursor move without scroll ≤ 1 KB; `/` ≤ 3 KB; one filter character ≤ the rows
that changed plus 1 KB; a later start ≤ 1.5x its first paint; NO_COLOR without colour codes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.ptyconsole import PtyConsole  # noqa: E402

PY = sys.executable
DOWN, ENTER, ESC = b"\x1b[B", b"\r", b"\x1b"
IDLE_S = 3.0
# SGR parameters that set a colour: 30-37, 38;…, 40-47, 48;…, 90-97, 100-107.
COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def env_for(d: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LICENSEDESK_") and k not in ("NO_COLOR", "SSH_CONNECTION")}
    env.update(LICENSEDESK_DATA_DIR=str(d / "data"), LICENSEDESK_CONFIG=str(d / "config.toml"),
               LICENSEDESK_STAFF_EMAIL="sam@partner.example", LICENSEDESK_STAFF_NAME="Sam",
               TERM="xterm-256color", PYTHONPATH=str(ROOT),
               SSH_CONNECTION="10.0.0.9 50000 10.0.0.1 22", **extra)
    return env


def line(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name} {value:.0f} {unit} {target} {'ok' if ok else 'short'}", flush=True)


def console(env: dict[str, str]) -> PtyConsole:
    return PtyConsole(env, cols=80, rows=24, argv=[PY, "-m", "tui.cli.main"])


def settled(con: PtyConsole) -> int:
    """Bytes from the start until the Clients rows are painted and the start-up toast has
    gone (the toast comes and goes on every start)."""
    con.until("of 30 organizations", 60)
    while "signup page" in con.screen():
        con.read_for(0.5)
    con.until_quiet(1.0)
    return len(con.written)


def changed_lines(before: str, after: str) -> int:
    return sum(a != b for a, b in zip(before.splitlines(), after.splitlines(), strict=False))


def idle(con: PtyConsole, name: str) -> None:
    con.until_quiet(1.5)
    n = len(con.read_for(IDLE_S))
    line(f"idle_{name}", n / IDLE_S, "B/s", "0", n == 0)


def main() -> int:
    d = Path(tempfile.mkdtemp(prefix="ld-bytes-"))
    env = env_for(d)
    subprocess.run([PY, "-m", "tui.cli.main", "demo-data", "--orgs", "30"], env=env,
                   check=True, capture_output=True, cwd=ROOT)
    with console(env) as con:
        con.until("of 30 organizations", 60)
        con.until_quiet(1.0)
        first = len(con.written)
        line("first_paint", first, "B", "-", True)
        first_settled = settled(con)
        idle(con, "clients")
        con.send(DOWN)
        n = len(con.until_quiet(0.5))
        line("cursor_move", n, "B", "<=1024", n <= 1024)
        con.send(b"/")
        n = len(con.until_quiet(0.5))
        line("slash_filter", n, "B", "<=3072", n <= 3072)
        before = con.screen()
        con.send(b"h")
        n = len(con.until_quiet(0.8))
        # A full row costs what the first paint spent on each of its 24 lines at most.
        rows = changed_lines(before, con.screen())
        allowed = rows * first / 24 + 1024
        line("filter_character", n, "B", f"<={allowed:.0f}({rows}rows+1KB)", n <= allowed)
        con.send(ESC)
        con.until_quiet(0.5)
        con.send(ESC)
        con.until_quiet(0.5)
        for name, key in (("help", b"?"), ("palette", b"\x10")):
            con.send(key)
            idle(con, f"{name}_over_clients")
            con.send(ESC)
            con.until_quiet(1.0)
        con.send(ENTER)  # the organization
        idle(con, "organization")
        con.send(ENTER)  # its first license
        idle(con, "license")
        for name, key in (("help", b"?"), ("invite_wizard", b"i"), ("palette", b"\x10")):
            con.send(key)
            idle(con, f"{name}_over_license")
            con.send(ESC)
            con.until_quiet(1.0)
            if name == "invite_wizard":  # it may ask whether to leave
                con.send(ESC)
                con.until_quiet(0.5)
    with console(env) as con:
        later = settled(con)
        line("later_start_ratio", 100 * later / first_settled, "%", "<=150",
             later <= 1.5 * first_settled)
    with console(env_for(d, NO_COLOR="1")) as con:
        con.until("of 30 organizations", 60)
        written = bytes(con.written) + con.until_quiet(1.5)
        colours = len(COLOUR.findall(written))
        line("no_color_colour_codes", colours, "codes", "0", colours == 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
