"""Issue 15 on a real pseudo-terminal: the console follows the window through
120x40 → 80x24 → 60x20 → 200x60 (SIGWINCH, as a terminal or tmux sends it). On the screen a
person sees (rendered with pyte): the Attn column and its header whole, the footer made of
whole keys only, and at the end the layout a fresh 200x60 start has."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.ptyconsole import ROOT, PtyConsole

pytestmark = pytest.mark.slow

WALK = [(80, 24), (60, 20), (200, 60)]
# The Clients footer, in its order; a narrow window shows some of them, each whole.
CLIENT_KEYS = ["esc Back", "/ Filter", "n New org", "] Next page", "? Help", "a Alerts"]
PALETTE = "▏^p palette"


def _env(d: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LICENSEDESK_") and k not in ("NO_COLOR", "COLORTERM")}
    env.update(LICENSEDESK_DATA_DIR=str(d / "data"), LICENSEDESK_CONFIG=str(d / "config.toml"),
               LICENSEDESK_STAFF_EMAIL="sam@partner.example", LICENSEDESK_STAFF_NAME="Sam",
               TERM="xterm-256color", PYTHONPATH=str(ROOT),
               SSH_CONNECTION="10.0.0.9 50000 10.0.0.1 22")  # no cursor blink
    return env


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the same demo data: each console is a first start on its own."""
    first = tmp_path / "first"
    subprocess.run([sys.executable, "-m", "tui.cli.main", "demo-data", "--orgs", "30"],
                   env=_env(first), check=True, capture_output=True, cwd=ROOT)
    shutil.copytree(first, tmp_path / "second")
    return first, tmp_path / "second"


def _until(con: PtyConsole, seen: Callable[[list[str]], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if seen(con.screen().splitlines()):
            return
        con.read_for(0.2)
    raise AssertionError(f"not seen in {timeout} s; the screen:\n{con.screen()}")


def _header(lines: list[str]) -> str:
    return next((line for line in lines if "Organization" in line), "")


def _footer_whole(line: str) -> list[str]:
    """The keys the footer line shows, each whole; fails on half a label or stray text."""
    assert line.rstrip().endswith(PALETTE), line
    rest = line.rstrip()[: -len(PALETTE)].strip()
    shown = []
    for pair in CLIENT_KEYS:
        if rest.startswith(pair):
            shown.append(pair)
            rest = rest[len(pair):].lstrip()
    assert rest == "", f"not whole keys: {line!r}"
    return shown


def _fitted(size: tuple[int, int]) -> Callable[[list[str]], bool]:
    """The Clients table laid out for `size`: its header and footer on the right rows, Attn
    whole in the header, the first row's Attn cell showing."""
    def seen(lines: list[str]) -> bool:
        header = _header(lines)
        return (len(lines) == size[1] and " Attn " in f"{header} "
                and lines[-1].rstrip().endswith(PALETTE)
                and lines[lines.index(header) + 1][header.index(" Attn"):].strip() != "")
    return seen


def _table_and_footer(con: PtyConsole) -> list[str]:
    lines = con.screen().splitlines()
    at = lines.index(_header(lines))
    return [*lines[at:at + 12], lines[-1]]


def test_the_console_follows_the_window(twins: tuple[Path, Path]) -> None:
    first, second = twins
    with PtyConsole(_env(first), cols=120, rows=40) as con:
        _until(con, _fitted((120, 40)))
        con.until_quiet(0.8)
        wide_keys = _footer_whole(con.screen().splitlines()[-1])
        assert wide_keys == CLIENT_KEYS
        for cols, rows in WALK:
            con.resize(cols, rows)
            _until(con, _fitted((cols, rows)))
            con.until_quiet(0.8)
            lines = con.screen().splitlines()
            header = _header(lines)
            # Nothing after Attn but the scrollbar: no column cut off at the right edge.
            assert re.fullmatch(r".* Attn *[▁-█]* *", header), header
            shown = _footer_whole(lines[-1])
            assert "? Help" in shown
            if cols >= 80:
                assert "Lic" in header and "DC" in header and shown == CLIENT_KEYS
        walked = _table_and_footer(con)
    with PtyConsole(_env(second), cols=200, rows=60) as fresh:
        _until(fresh, _fitted((200, 60)))
        fresh.until_quiet(0.8)
        assert walked == _table_and_footer(fresh)
