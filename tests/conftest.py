"""Fixtures every suite shares: a real SQLite file per test, a clock tests move by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.context import Ctx
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from models.views import StaffRef


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


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", staff_email="sam@partner.example",
                    staff_name="Sam Support")


@pytest.fixture
def ctx(settings: Settings, clock: FixedClock) -> Iterator[Ctx]:
    c = Ctx.open(settings, clock=clock)
    yield c
    c.db.dispose()


@pytest.fixture
def staff(ctx: Ctx) -> StaffRef:
    return ensure_staff(ctx)
