"""Issue 15, on a real pseudo-terminal: `NO_COLOR=1` writes no colour code, the Linux console
gets only glyphs its font has, 16-colour terminals get only the 16 colours, and mouse
tracking is what `LICENSEDESK_MOUSE` says (and the palette switches it)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.perf.bench_bytes import COLOUR
from tests.support.ptyconsole import PtyConsole, demo_data_dir
from tui.glyphs import CONSOLE_GLYPHS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DOWN, ENTER, ESC, CTRL_P = b"\x1b[B", b"\r", b"\x1b", b"\x10"
TRACKING_ON = re.compile(rb"\x1b\[\?(1000|1002|1003|1006)h")
TRACKING_OFF = re.compile(rb"\x1b\[\?(1000|1002|1003|1006)l")
# SGR colours beyond the 16 (38;5;n, 48;5;n, 38;2;r;g;b …).
EXTENDED = re.compile(rb"\x1b\[[0-9;]*[34]8;[25];")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data_dir(tmp_path_factory, "mono", 8, _env)


def _env(d: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LICENSEDESK_") and k not in ("NO_COLOR", "COLORTERM")}
    env.update(LICENSEDESK_DATA_DIR=str(d / "data"), LICENSEDESK_CONFIG=str(d / "config.toml"),
               LICENSEDESK_STAFF_EMAIL="sam@partner.example", LICENSEDESK_STAFF_NAME="Sam",
               LICENSEDESK_BLINK="0", TERM="xterm-256color", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


@contextmanager
def _console(d: Path, **extra: str) -> Iterator[PtyConsole]:
    with PtyConsole(_env(d, **extra), cols=80, rows=24) as con:
        con.until("organizations")  # the first page is in: "1-8 of 8 organizations"
        con.until_quiet(0.8)
        yield con


def _through_a_license(con: PtyConsole) -> None:
    """Cursor down, open the organization and its license, a dialog over it, its Users tab."""
    con.send(DOWN)
    con.until_quiet(0.5)
    con.send(ENTER)
    con.until("Open inv.")
    _until(con, lambda screen: any(p in screen for p in ("LiveChat", "HelpDesk", "Text App")))
    con.until_quiet(0.5)
    con.send(ENTER)
    con.until("Summary")
    con.until_quiet(0.8)
    con.send(b"?")
    con.until("Everywhere")
    con.until_quiet(0.5)
    con.send(ESC)
    con.until_quiet(0.5)
    con.send(b"2")
    con.until("E-mail")
    con.until_quiet(0.8)


def _until(con: PtyConsole, seen: Callable[[str], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not seen(con.screen()):
        assert time.monotonic() < end, f"not seen in time; the screen:\n{con.screen()}"
        con.read_for(0.2)


def test_no_color_writes_no_colour_code(data_dir: Path) -> None:
    with _console(data_dir, NO_COLOR="1") as con:
        _through_a_license(con)
        written = bytes(con.written)
    assert COLOUR.findall(written) == []
    assert re.search(rb"\x1b\[(?:[0-9;]*;)?7[;m]", written), "the cursor row is reversed"


def test_the_linux_console_gets_only_glyphs_its_font_has(data_dir: Path) -> None:
    with _console(data_dir, TERM="linux") as con:
        _through_a_license(con)
        written = bytes(con.written)
    shown = set(re.sub(r"\x1b[^a-zA-Z]*[a-zA-Z]", "", written.decode("utf-8", "replace")))
    assert sorted(c for c in shown if c.isprintable() and c not in CONSOLE_GLYPHS) == []
    assert EXTENDED.findall(written) == [], "TERM=linux has 16 colours"


def test_sixteen_colour_terminals_get_the_sixteen(data_dir: Path) -> None:
    with _console(data_dir, TERM="xterm") as con:
        _through_a_license(con)
        written = bytes(con.written)
    assert EXTENDED.findall(written) == []
    assert COLOUR.findall(written), "in colour still"


def test_mouse_off_tracks_nothing_until_the_palette_turns_it_on(data_dir: Path) -> None:
    with _console(data_dir, LICENSEDESK_MOUSE="off") as con:
        assert TRACKING_ON.findall(bytes(con.written)) == []
        start = len(con.written)
        _palette(con, b"mouse")
        turned_on = bytes(con.written[start:])
        start = len(con.written)
        _palette(con, b"mouse")
        turned_off = bytes(con.written[start:])
    assert set(TRACKING_ON.findall(turned_on)) == {b"1000", b"1002", b"1006"}
    assert TRACKING_ON.findall(turned_off) == []
    assert {b"1000", b"1002", b"1006"} <= set(TRACKING_OFF.findall(turned_off))


def _palette(con: PtyConsole, command: bytes) -> None:
    con.send(CTRL_P)
    con.until("Search for commands")
    con.send(command)
    con.until("Mouse on/off")
    con.until_quiet(0.5)
    con.send(ENTER)
    con.until_quiet(0.8)


def test_mouse_on_reports_clicks_and_drags_not_motion(data_dir: Path) -> None:
    with _console(data_dir) as con:
        enabled = set(TRACKING_ON.findall(bytes(con.written)))
    assert enabled == {b"1000", b"1002", b"1006"}  # 1003 (any motion) is not asked for


def _grounds(con: PtyConsole, *rows: int) -> list[list[str]]:
    """The background of each cell of the table's width on these screen rows (1-based)."""
    con.screen()
    return [[con._screen.buffer[y - 1][x].bg for x in range(76)] for y in rows]


def _motion(x: int, y: int) -> bytes:
    return f"\x1b[<35;{x};{y}M".encode()  # SGR report: no button, moving, 1-based cell


def test_hover_repaints_only_the_rows_the_pointer_left_and_entered(data_dir: Path) -> None:
    with _console(data_dir, LICENSEDESK_MOUSE="hover") as con:
        assert b"\x1b[?1003h" in con.written
        # Start-up done, its toasts gone (each lasts 5 s, and leaving is a repaint too).
        con.until_quiet(6.0, timeout=90.0)
        con.send(_motion(10, 6))
        con.until_quiet(0.6)
        for x in range(11, 30, 3):  # along the row: nothing changes
            con.send(_motion(x, 6))
        along = con.until_quiet(0.6)
        lit, plain, below = _grounds(con, 6, 7, 8)
        con.send(_motion(30, 7))  # into the next row
        crossing = con.until_quiet(0.6)
        left, entered, below_after = _grounds(con, 6, 7, 8)
    # Where each changed line is written (the cursor parked after the frame is no line).
    rows = {int(y) for y in re.findall(rb"\x1b\[(\d+);\d+H(?!$)", crossing)}
    assert rows <= {6, 7}, (rows, crossing)
    assert len(along) <= 200, along
    # Every cell of the row entered is lit; the row left is as a row of its kind (zebra) is.
    assert all(now != before for now, before in zip(entered, plain, strict=True))
    assert left == below == below_after and lit != left
    print(f"\npointer crossing one table row: {len(crossing)} B")
