"""Serving for real on loopback: in a thread beside the console, and `signup-server`."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from models.context import Ctx
from models.timeutil import FixedClock
from signup.server import default_address, start_beside_console, start_in_thread
from tests.signup.catcher import free_port
from tests.signup.conftest import GOOD_PASSWORD, Invited, form_of, server_log

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock() -> FixedClock:
    """Today: the command-line server reads the system clock."""
    return FixedClock(datetime.now(UTC))


def _sign_up(base: str, inv: Invited) -> list[int]:
    with httpx.Client(base_url=base, timeout=10) as web:
        page = web.get(inv.path)
        assert page.status_code == 200, page.text
        done = web.post(inv.path, data={**form_of(page.text), "name": "Ines",
                                        "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
        again = web.get(inv.path)
        return [page.status_code, done.status_code, again.status_code]


def test_in_a_thread_on_a_free_port(ctx: Ctx, invited: Invited,
                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = start_in_thread(ctx, "127.0.0.1", 0)
    try:
        assert server.port > 0
        assert _sign_up(f"http://127.0.0.1:{server.port}", invited) == [200, 200, 410]
    finally:
        server.stop()
    assert not server.thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{server.port}/", timeout=2)
    assert invited.token not in server_log(caplog)
    assert "/invite/[redacted]" in server_log(caplog)


def test_a_taken_port_is_an_error_not_a_hang(ctx: Ctx) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"could not listen on 127.0.0.1:{port}: "):
            start_in_thread(ctx, "127.0.0.1", port)


def test_the_default_address_comes_from_the_signup_url(ctx: Ctx) -> None:
    assert default_address(ctx) == ("127.0.0.1", 8080)
    ctx.settings.signup_url = "https://join.partner.example/invite/"
    assert default_address(ctx) == ("join.partner.example", 443)


def test_beside_the_console_only_on_this_machine(ctx: Ctx) -> None:
    port = free_port()
    ctx.settings.signup_url = f"http://127.0.0.1:{port}/invite/"
    server, line = start_beside_console(ctx)
    try:
        assert server is not None and server.port == port
        assert line == f"signup page on http://127.0.0.1:{port}/invite/…"
        # A second console on this host finds the port taken: a message, not a crash.
        again, why = start_beside_console(ctx)
        assert again is None and f"could not listen on 127.0.0.1:{port}" in why
    finally:
        if server is not None:
            server.stop()
    ctx.settings.signup_url = "https://join.partner.example/invite/"
    assert start_beside_console(ctx) == (
        None, "signup page not started here: invitation links point to join.partner.example")


@pytest.mark.slow
def test_signup_server_command_serves_and_logs_no_token(
        ctx: Ctx, invited: Invited, tmp_path: Path) -> None:
    port = free_port()
    err = (tmp_path / "server.err").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "signup-server", "--port", str(port)],
        cwd=ROOT, stdout=err, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 20
        while True:  # waiting for a real process to listen, not moving time
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "server.err").read_text()
                assert time.monotonic() < deadline, "signup-server did not start in 20s"
                time.sleep(0.1)
        assert _sign_up(f"http://127.0.0.1:{port}", invited) == [200, 200, 410]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
    out = (tmp_path / "server.err").read_text()
    assert f"http://127.0.0.1:{port}" in out  # uvicorn says where it listens
    assert out.count("/invite/[redacted]") == 3
    assert invited.token not in out
