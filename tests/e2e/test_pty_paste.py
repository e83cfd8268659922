"""A paste in the invite wizard is text, whatever bytes it holds (found by attack: a pasted
ESC made the rest of the paste keys, and ESC ctrl+r ctrl+s removed the typed row and sent)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_pty_idle import _env
from tests.support.ptyconsole import PtyConsole, demo_data_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data_dir(tmp_path_factory, "paste", 12, _env)


def invitations(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "data" / "licensedesk.db") as db:
        return int(db.execute("SELECT count(*) FROM invitation").fetchone()[0])


@pytest.fixture
def wizard(data_dir: Path) -> Iterator[PtyConsole]:
    with PtyConsole(_env(data_dir), cols=100, rows=30) as con:
        con.until("of 12 organizations")
        con.send(b"\r")
        con.until("Product")
        con.until_quiet(1.0)
        con.send(b"\r")
        con.until("Summary")
        con.until_quiet(1.0)
        con.send(b"i")
        con.until("Invite users")
        con.until_quiet(1.0)
        yield con


def paste(con: PtyConsole, text: str) -> None:
    con.send(b"\x1b[200~" + text.encode() + b"\x1b[201~")
    con.until_quiet(1.5)


def test_a_pasted_escape_with_ctrl_r_and_ctrl_s_removes_and_sends_nothing(
        wizard: PtyConsole, data_dir: Path) -> None:
    before = invitations(data_dir)
    wizard.send(b"victim@zed.example\r")
    wizard.until_quiet(1.5)
    paste(wizard, "\x1b\x12\x13")
    screen = wizard.screen()
    assert "Invite users" in screen and "victim@zed.example" in screen, screen
    assert invitations(data_dir) == before


def test_coloured_grep_output_pastes_as_its_addresses(wizard: PtyConsole) -> None:
    wizard.send(b"typed-first@zed.example")
    paste(wizard, "\n\x1b[01;31m\x1b[Kbob\x1b[m\x1b[K@zed.example\n"
                  "\x1b]0;PWNED\x07ann\x1b[m@zed.example\n")
    screen = wizard.screen()
    rows = [line for line in screen.splitlines() if "@zed.example" in line]
    assert [r.split("@zed.example")[0].split()[-1] for r in rows[:3]] == \
        ["typed-first", "bob", "ann"], screen
    assert "PWNED" not in screen and "^[" not in screen


def test_an_opening_bracket_split_over_a_slow_link_sends_nothing(
        wizard: PtyConsole, data_dir: Path) -> None:
    """Found by the second attack: ESC[2 … (a pause) … 00~ ctrl+r x@evil ctrl+s ESC[201~
    was replayed as keys after the parser's escape delay and sent an invitation."""
    import time

    before = invitations(data_dir)
    wizard.send(b"\x1b[2")
    time.sleep(0.3)
    wizard.send(b"00~\x12x@evil.example\x13\x1b[201~")
    wizard.until_quiet(1.5)
    screen = wizard.screen()
    assert "Invite users" in screen and "\\x12x@evil.example\\x13" in screen, screen
    assert invitations(data_dir) == before
