"""Fixtures every suite shares: a real SQLite file per test, a clock tests move by hand."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import textual._wait
from argon2 import PasswordHasher

import models.passwords
from models.context import Ctx
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from models.views import StaffRef
from tests.support import hostile_tally
from tests.support.migrated import place_migrated_sqlite
from tests.support.schedule import (
    collect_less,
    keep_bytecode,
    spread_slow_first,
    worker_count,
)

keep_bytecode()

# Pilot.press waits, after every key, until the app looks idle: it sleeps SLEEP_GRANULARITY
# (20 ms) at a time until a sleep passes with under a twentieth of it spent on CPU. Typed
# addresses and paths are hundreds of keys a test. The same test with a 2 ms step (still a
# twentieth of it) takes a tenth of the sleeping; waits that matter are explicit (settle,
# until). Checked, so that a rename in Textual fails here rather than silently slowing.
assert hasattr(textual._wait, "SLEEP_GRANULARITY") and hasattr(textual._wait, "SLEEP_IDLE")
textual._wait.SLEEP_GRANULARITY = 0.002
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's own config or data directory."""
    monkeypatch.setenv("LICENSEDESK_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("LICENSEDESK_DATA_DIR", str(tmp_path / "data"))
    for var in ("LICENSEDESK_DATABASE_URL", "LICENSEDESK_STAFF_EMAIL", "LICENSEDESK_SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    # Text cursors do not blink in tests (the setting, as a person would set it): a blink is
    # a repaint, which snapshots and idle checks would see.
    monkeypatch.setenv("LICENSEDESK_BLINK", "0")
    # The terminal a developer runs the suite from is not the one tests assume: NO_COLOR or
    # the Linux console would change every snapshot (tests of those set them themselves).
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


@pytest.fixture(autouse=True)
def _cheap_password_hashes(request: pytest.FixtureRequest,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Invitee passwords hashed by argon2id at its lowest cost: the real cost is 0.2 s of CPU
    a signup, spent hundreds of times a run on what no test measures. The product's own
    cost is checked where a test is marked `real_password_cost` (tests/models/test_passwords.py);
    a signup server in another process hashes at the real cost."""
    if request.node.get_closest_marker("real_password_cost") is None:
        monkeypatch.setattr(models.passwords, "_hasher",
                            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def short_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """LICENSEDESK_CONFIG at a short path, for tests that look for the whole path in a message:
    messages cut a path past 80 characters, and tmp_path is longer under pytest-xdist."""
    directory = Path(tempfile.mkdtemp(prefix="ld-"))
    path = directory / "config.toml"
    monkeypatch.setenv("LICENSEDESK_CONFIG", str(path))
    yield path
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example",
                    staff_name="Sam Support")


@pytest.fixture
def ctx(settings: Settings, clock: FixedClock) -> Iterator[Ctx]:
    place_migrated_sqlite(settings.resolved_database_url)
    c = Ctx.open(settings, clock=clock)
    yield c
    c.db.dispose()


@pytest.fixture
def staff(ctx: Ctx) -> StaffRef:
    return ensure_staff(ctx)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    spread_slow_first(items, worker_count())


def pytest_collection_finish(session: pytest.Session) -> None:
    collect_less()


# Issue 10's closing counts (tests/support/hostile_tally.py), added up across xdist workers.


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controlling process prints
        workeroutput["hostile_tally"] = hostile_tally.export()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    counts = getattr(node, "workeroutput", {}).get("hostile_tally")
    if counts:
        hostile_tally.merge(counts)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hostile_tally.CASES and not hasattr(terminalreporter.config, "workeroutput"):
        terminalreporter.section("issue 10: hostile cases")
        for line in hostile_tally.lines():
            terminalreporter.write_line(line)
