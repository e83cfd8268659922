"""Fixtures shared by the browser test and the end-to-end test: a catcher, the page served
by uvicorn on a free loopback port, and headless Chromium (skipped where it is absent)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.context import Ctx
from models.settings import Settings
from signup.server import SignupServer, start_in_thread
from tests.signup.catcher import SmtpCatcher
from tests.signup.cdp import CHROMIUM, Chromium
from tests.support.ports import free_port

NO_CHROMIUM = (f"headless Chromium is not installed at {CHROMIUM} "
               "(Debian: apt-get install -y chromium); the browser test cannot run")


@pytest.fixture
def web_port() -> int:
    return free_port()


@pytest.fixture
def catcher() -> Iterator[SmtpCatcher]:
    c = SmtpCatcher().start()
    yield c
    c.stop()


@pytest.fixture
def settings(tmp_path: Path, web_port: int, catcher: SmtpCatcher) -> Settings:
    """Mail goes to the test's aiosmtpd; links point at the page this test serves."""
    return Settings(
        data_dir=tmp_path / "data", staff_email="sam@partner.example", staff_name="Sam Support",
        signup_url=f"http://127.0.0.1:{web_port}/invite/", smtp_host="127.0.0.1",
        smtp_port=catcher.port, smtp_security="none",
    )


@pytest.fixture
def web(ctx: Ctx, web_port: int) -> Iterator[SignupServer]:
    server = start_in_thread(ctx, "127.0.0.1", web_port)
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    chromium = Chromium(tmp_path / "chromium-profile", tmp_path / "chromium.log").start()
    yield chromium
    chromium.close()
