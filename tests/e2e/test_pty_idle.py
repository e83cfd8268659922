"""Issue 15 on a real pseudo-terminal, bytes counted: silent when idle under every dialog,
small writes for small changes, and the picture those small writes leave is the picture a
full repaint gives (ctrl+l repaints every cell; pyte renders both)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.ptyconsole import PtyConsole, demo_data_dir

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DOWN, ENTER, ESC, CTRL_P, CTRL_L = b"\x1b[B", b"\r", b"\x1b", b"\x10", b"\x0c"
IDLE = 2.0


def _env(d: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LICENSEDESK_") and k not in ("NO_COLOR", "COLORTERM")}
    env.update(LICENSEDESK_DATA_DIR=str(d / "data"), LICENSEDESK_CONFIG=str(d / "config.toml"),
               LICENSEDESK_STAFF_EMAIL="sam@partner.example", LICENSEDESK_STAFF_NAME="Sam",
               SSH_CONNECTION="10.0.0.9 50000 10.0.0.1 22", TERM="xterm-256color",
               PYTHONPATH=str(ROOT))
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data_dir(tmp_path_factory, "idle", 12, _env)


@pytest.fixture
def con(data_dir: Path) -> Iterator[PtyConsole]:
    with PtyConsole(_env(data_dir), cols=80, rows=24) as console:
        console.until("of 12 organizations")
        # The signup page's start-up toast comes within seconds and goes by itself after 6.
        try:
            console.until("signup page", timeout=10)
        except TimeoutError:
            pass
        while "signup page" in console.screen():
            console.read_for(0.5)
        console.until_quiet(1.0)
        yield console


def _silent(con: PtyConsole, what: str) -> None:
    con.until_quiet(1.0)
    written = con.read_for(IDLE)
    assert written == b"", f"{len(written)} bytes in {IDLE} s idle with {what}: {written[:200]!r}"


def _same_after_redraw(con: PtyConsole, what: str) -> None:
    con.until_quiet(0.8)
    before = con.screen()
    con.send(CTRL_L)
    con.until_quiet(0.8)
    after = con.screen()
    assert after == before, f"{what}: differs from a full repaint:\n{before}\n---\n{after}"


def test_idle_under_every_dialog_over_a_license(con: PtyConsole) -> None:
    _silent(con, "Clients")
    for key, what in ((b"?", "help over Clients"), (CTRL_P, "the palette over Clients")):
        con.send(key)
        con.until_quiet(1.0)
        _silent(con, what)
        con.send(ESC)
        con.until_quiet(0.8)  # an escape and the next key in one burst read as alt+key
    con.send(ENTER)
    con.until("Open inv.")
    con.until_quiet(0.8)
    _silent(con, "an organization")
    con.send(ENTER)
    con.until("Summary")
    con.until_quiet(0.8)
    _silent(con, "a license")
    con.send(b"2")  # the Users tab: the dialogs below act on its rows
    con.until("Showing all")
    # Help, the invite wizard, the palette, remind, the role picker.
    for key in (b"?", b"i", CTRL_P, b"m", b"o"):
        before = con.screen()
        con.send(key)
        con.until_quiet(1.5)
        assert con.screen() != before, f"{key!r} opened nothing"
        _silent(con, f"{key!r} over a license")
        con.send(ESC)
        con.until_quiet(0.8)
        if "leave" in con.screen().lower():  # the wizard asks before dropping what was typed
            con.send(ESC)
            con.until_quiet(0.5)


def test_small_changes_write_little_and_leave_the_full_picture(con: PtyConsole) -> None:
    con.send(DOWN)
    assert len(con.until_quiet(0.6)) <= 1024
    con.send(b"/")
    assert len(con.until_quiet(0.6)) <= 3072
    _same_after_redraw(con, "the filter focused")
    con.send(b"ha")
    con.until_quiet(0.8)
    _same_after_redraw(con, "filtered")
    for _ in range(2):
        con.send(ESC)
        con.until_quiet(0.8)
    con.send(ENTER)
    con.until("Open inv.")
    con.until_quiet(0.8)
    con.send(ENTER)
    con.until("Summary")
    con.until_quiet(0.8)
    con.send(b"2")
    con.until("Showing all")
    _same_after_redraw(con, "a license's Users tab")
    con.send(b"?")
    con.until_quiet(1.0)
    _same_after_redraw(con, "help over a license")


def test_redraw_repaints_every_cell(con: PtyConsole) -> None:
    con.send(CTRL_L)
    written = con.until_quiet(0.8)
    # The whole 80x24 screen again: at least one byte per cell.
    assert len(written) >= 80 * 24
