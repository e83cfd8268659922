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
               TERM="xterm-256color", PYTHONPATH=str(ROOT), **extra)
    return env


def line(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name} {value:.0f} {unit} {target} {'ok' if ok else 'short'}", flush=True)


def console(env: dict[str, str]) -> PtyConsole:
    return PtyConsole(env, cols=80, rows=24, argv=[PY, "-m", "tui.cli.main"])


def main() -> int:
    d = Path(tempfile.mkdtemp(prefix="ld-bytes-"))
    env = env_for(d)
    subprocess.run([PY, "-m", "tui.cli.main", "demo-data", "--orgs", "30"], env=env,
                   check=True, capture_output=True, cwd=ROOT)
    with console(env) as con:
        first = len(con.until_quiet(1.0))
        line("first_paint", first, "B", "-", True)
        line("idle_clients", len(con.read_for(IDLE_S)) / IDLE_S, "B/s", "0", True)
        con.send(DOWN)
        n = len(con.until_quiet(0.5))
        line("cursor_move", n, "B", "<=1024", n <= 1024)
        con.send(b"/")
        n = len(con.until_quiet(0.5))
        line("slash_filter", n, "B", "<=3072", n <= 3072)
        con.send(b"e")
        n = len(con.until_quiet(0.8))
        # 18 rows of 80 columns at most change, with their colours: the rows plus 1 KB.
        line("filter_character", n, "B", "<=rows+1024", n <= 18 * 80 * 2 + 1024)
        con.send(ESC)
        con.until_quiet(0.5)
        con.send(ESC)
        con.until_quiet(0.5)
        con.send(ENTER)  # the organization
        con.until_quiet(1.0)
        con.send(ENTER)  # its first license
        con.until_quiet(1.5)
        n = len(con.read_for(IDLE_S))
        line("idle_license", n / IDLE_S, "B/s", "0", n == 0)
        for name, key in (("help", b"?"), ("invite_wizard", b"i"), ("palette", b"\x10")):
            con.send(key)
            con.until_quiet(1.5)
            n = len(con.read_for(IDLE_S))
            line(f"idle_{name}_over_license", n / IDLE_S, "B/s", "0", n == 0)
            con.send(ESC)
            con.until_quiet(1.0)
            if name == "invite_wizard":  # it may ask whether to leave
                con.send(ESC)
                con.until_quiet(0.5)
    with console(env) as con:
        later = len(con.until_quiet(1.5))
        line("later_start_ratio", 100 * later / first, "%", "<=150", later <= 1.5 * first)
    with console(env_for(d, NO_COLOR="1")) as con:
        written = con.until_quiet(1.5)
        colours = len(COLOUR.findall(written))
        line("no_color_colour_codes", colours, "codes", "0", colours == 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
