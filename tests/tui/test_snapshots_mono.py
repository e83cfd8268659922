"""Snapshots under NO_COLOR at 80x24 (fixed clock, fixed data, as tests/tui/test_snapshots.py):
Clients and a license's Users tab, no colour anywhere, the cursor row reversed, the marked
row and each status in words.

Update after an intended change of the look:
pytest tests/tui/test_snapshots_mono.py --snapshot-update
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.test_snapshots import _before, lived_in
from tui.app import LicenseDeskApp

__all__ = ["lived_in"]


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")  # not the Linux console's glyphs


def test_clients(snap_compare: Any, lived_in: LicenseDeskApp) -> None:
    assert snap_compare(lived_in, terminal_size=(80, 24), run_before=_before())


def test_license_users(snap_compare: Any, lived_in: LicenseDeskApp) -> None:
    assert snap_compare(lived_in, terminal_size=(80, 24),
                        run_before=_before("down", "space", license_tab="users"))
