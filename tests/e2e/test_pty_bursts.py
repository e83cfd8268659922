"""Bursts that act on a list the typed text is still searching for (found by attack): Enter
must pick from the rows the typed filter asked for, as the same keys typed slowly do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_pty_idle import _env
from tests.support.ptyconsole import PtyConsole, demo_data_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data_dir(tmp_path_factory, "bursts", 30, _env)


@pytest.fixture
def con(data_dir: Path) -> Iterator[PtyConsole]:
    with PtyConsole(_env(data_dir), cols=100, rows=30) as console:
        console.until("of 30 organizations")
        console.until_quiet(1.0)
        yield console


def _title(con: PtyConsole) -> str:
    return con.screen().splitlines()[0]


def test_the_palette_opens_what_was_typed_in_one_burst(con: PtyConsole) -> None:
    con.send(b"\x10Granite\r")
    con.until_quiet(1.5)
    assert "Granite Travel" in _title(con), con.screen()


def test_the_license_wizard_takes_the_organization_typed_in_one_burst(
        con: PtyConsole) -> None:
    con.send(b"NHarbor Shoes\r\r\x13")
    con.until_quiet(1.5)
    assert "for Harbor Shoes Co." in con.screen().replace("For ", "for "), con.screen()


def test_a_key_typed_after_saving_the_profile_acts_once_it_closed(con: PtyConsole) -> None:
    con.send(b"P\x13a")  # save the profile as it is, then Alerts
    con.until_quiet(1.5)
    assert "Alerts" in _title(con), con.screen()


def test_needs_attention_filtered_and_opened_in_one_burst_as_typed_slowly(
        data_dir: Path) -> None:
    def opened(chunks: list[bytes]) -> str:
        with PtyConsole(_env(data_dir), cols=100, rows=30) as console:
            console.until("of 30 organizations")
            console.until_quiet(1.0)
            for chunk in chunks:
                console.send(chunk)
                console.until_quiet(1.2)
            return _title(console)

    keys = [b"w", b"2", b"\x1b[B", b"\r"]  # Needs attention, 48 h to 7 days, down, open
    assert opened([b"".join(keys)]) == opened(keys)
