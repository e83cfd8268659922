"""What every speed probe shares, the console's and the bare Textual one's alike, so both are
timed the same way: a key goes in as the terminal driver would send it, and a repaint is
stamped by `call_after_refresh` from the code that filled the screen.

Also the runner that alternates fresh processes of the two and compares medians.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SIZE = (120, 40)  # the terminal every figure is taken at
FILTER_KEYS = [*"atlas", "backspace", "backspace", *"pine", *"zq", "backspace", "backspace",
               *"supply", "ctrl+u", *"ada"]  # common, rare and absent terms; backspaces
CURSOR_MOVES = 40


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def until(check: Callable[[], Any], timeout: float = 60.0) -> None:
    end = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > end:
            raise SystemExit("timed out")
        await asyncio.sleep(0.0005)


def key(app: Any, name: str) -> None:
    """What the terminal driver does with a key press (Pilot.press would also wait for idle)."""
    from textual import events

    char = name if len(name) == 1 else None
    event = events.Key(name, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def cursor_moves(app: Any, table: Any, pilot: Any) -> float:
    """Median ms from a `down` to the table's repaint with the cursor one row lower."""
    moves = []
    for _ in range(CURSOR_MOVES):
        row = table.cursor_row
        t = time.perf_counter()
        key(app, "down")
        await until(lambda row=row: table.cursor_row == row + 1)
        done: list[float] = []
        table.call_after_refresh(lambda done=done: done.append(time.perf_counter()))
        await until(lambda done=done: done)
        moves.append((done[0] - t) * 1000)
        await pilot.pause(0.02)
    return statistics.median(moves)


def report(result: dict[str, float]) -> None:
    print(json.dumps(result), flush=True)


def alternate(argv_of: Callable[[str], list[str]], runs: int, env: dict[str, str],
              kinds: tuple[str, ...] = ("bare", "ours"),
              timeout: float = 600) -> dict[str, list[dict[str, float]]]:
    """`runs` fresh processes of each kind, one after the other (bare, ours, bare…), so
    all see the same load; each prints one JSON line."""
    got: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for _ in range(runs):
        for kind in kinds:
            out = subprocess.run(argv_of(kind), env=env, cwd=ROOT, capture_output=True,
                                 text=True, timeout=timeout)
            if out.returncode:
                sys.stderr.write(out.stderr)
                raise SystemExit(f"the {kind} probe failed (exit {out.returncode})")
            got[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return got


def median_of(runs: list[dict[str, float]], name: str) -> float:
    return statistics.median(run[name] for run in runs)


def line(name: str, value: float, unit: str, target: str, ok: bool | None = None) -> None:
    """`name value unit target ok|short`; a figure without a target (`-`) is always ok."""
    verdict = "ok" if ok is None or ok else "short"
    print(f"{name} {value:.1f} {unit} {target} {verdict}", flush=True)


def ratio_lines(name: str, bare: float, ours: float, unit: str, most: float) -> bool:
    """The bare figure, ours, and their ratio against `most` (three lines)."""
    line(f"{name}_bare_textual", bare, unit, "-")
    line(f"{name}_console", ours, unit, "-")
    ratio = ours / bare
    ok = ratio <= most
    print(f"{name}_ratio {ratio:.2f} x <={most:g} {'ok' if ok else 'short'}", flush=True)
    return ok
