"""Issue 15 on a real pseudo-terminal: keys written in one burst, as a fast typist's keys
arrive over a laggy SSH link, land where they were typed. The console is the real process
(`python -m tui.cli.main`); what it stored is read back from its SQLite file (read-only: a CLI
process would start slower than the console answers) or from the file it wrote."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from models.staff import os_login
from tests.support.ptyconsole import ROOT, PtyConsole

pytestmark = pytest.mark.slow

TAB, ENTER, CTRL_S, CTRL_U = b"\t", b"\r", b"\x13", b"\x15"


def env_for(d: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LICENSEDESK_") and k != "NO_COLOR"}
    env.update(LICENSEDESK_DATA_DIR=str(d / "data"), LICENSEDESK_CONFIG=str(d / "config.toml"),
               TERM="xterm-256color", PYTHONPATH=str(ROOT),
               SSH_CONNECTION="10.0.0.9 50000 10.0.0.1 22", **extra)  # no cursor blink
    return env


def rows(env: dict[str, str], sql: str, *args: str) -> list[tuple[Any, ...]]:
    db = Path(env["LICENSEDESK_DATA_DIR"]) / "licensedesk.db"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        return con.execute(sql, args).fetchall()


def eventually(check: Callable[[], Any], con: PtyConsole, timeout: float = 15.0) -> Any:
    """`check()` once it is truthy, reading the console meanwhile (bounded)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if found := check():
            return found
        con.read_for(0.2)
    raise AssertionError(f"not reached in {timeout} s; the screen:\n{con.screen()}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("typeahead-demo")
    env = env_for(d, LICENSEDESK_STAFF_EMAIL="sam@partner.example", LICENSEDESK_STAFF_NAME="Sam")
    subprocess.run([sys.executable, "-m", "tui.cli.main", "demo-data", "--orgs", "30"],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    return d


@pytest.fixture
def demo_env(demo: Path, tmp_path: Path) -> dict[str, str]:
    """A copy of the demo data for this test alone (one test's new rows move another's)."""
    shutil.copytree(demo, tmp_path / "demo")
    return env_for(tmp_path / "demo", LICENSEDESK_STAFF_EMAIL="sam@partner.example",
                   LICENSEDESK_STAFF_NAME="Sam")


@pytest.fixture
def console(demo_env: dict[str, str]) -> Iterator[PtyConsole]:
    with PtyConsole(demo_env, cols=80, rows=24) as con:
        con.until("organizations", timeout=20)  # the Clients count: the list is loaded
        con.until("· Sam", timeout=20)  # who works here, in the header: started
        yield con


def test_identity_burst_stores_what_was_typed(tmp_path: Path) -> None:
    env = env_for(tmp_path)  # a fresh data directory, no LICENSEDESK_STAFF_EMAIL: it asks
    with PtyConsole(env, cols=80, rows=24) as con:
        con.until("Your name", timeout=20)
        con.send(b"Sam Support" + TAB + b"sam@partner.example.com" + ENTER)
        eventually(lambda: "Your name" not in con.screen(), con)
        me = "SELECT name, email FROM staff WHERE login = ?"  # the first demo adds others
        stored = eventually(lambda: rows(env, me, os_login()), con)
    assert stored == [("Sam Support", "sam@partner.example.com")]


def test_new_organization_burst(console: PtyConsole, demo_env: dict[str, str]) -> None:
    console.send(b"n" + b"Acme Two" + TAB + b"Ann Owner" + TAB + b"ann@acme-two.example"
                 + ENTER + CTRL_S)
    console.until("Organization created", timeout=10)
    assert rows(demo_env, "SELECT client_name, client_email FROM organization WHERE name = ?",
                "Acme Two") == [("Ann Owner", "ann@acme-two.example")]


def test_i_and_addresses_in_one_burst_land_in_the_wizard(console: PtyConsole) -> None:
    console.send(ENTER)  # the first organization
    console.until("enter opens a license", timeout=10)
    console.send(ENTER)  # its first license
    console.until("History", timeout=10)
    console.send(b"i" + b"ann@x.example" + ENTER + b"bob@x.example")
    console.until("bob@x.example", timeout=10)
    console.until_quiet(0.5)
    lines = console.screen().splitlines()
    assert any("Invite users" in line for line in lines)
    # One address per row, in the order typed (each row starts with its verdict's glyph).
    assert [re.findall(r"\S+@x\.example", line) for line in lines if "@x.example" in line] \
        == [["ann@x.example"], ["bob@x.example"]]


def test_export_path_then_ctrl_s_in_one_burst(console: PtyConsole, demo_env: dict[str, str]
                                              ) -> None:
    console.send(b"E" + CTRL_U + b"mine/clients-burst.csv" + CTRL_S)
    written = Path(demo_env["LICENSEDESK_DATA_DIR"]) / "exports" / "mine" / "clients-burst.csv"
    eventually(written.exists, console)
    eventually(lambda: len(written.read_text().splitlines()) == 31, console)  # header + 30
